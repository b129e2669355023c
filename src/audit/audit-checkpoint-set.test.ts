import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../config/load-config.ts'
import { checkpointFileIn } from './audit-checkpoint-set.ts'
import { AuditKey } from './audit-key.ts'
import { auditSettings } from './audit-settings.ts'
import { SqliteAuditLog } from './sqlite-audit-log.ts'
import { attack } from './testing/audit-attacker.ts'

/**
 * Replicas share one chain (in PostgreSQL; here one SQLite file stands for it) and one checkpoint
 * directory, each appending to its own host's file there.
 */
const temporary = () => mkdtempSync(path.join(tmpdir(), 'audit-checkpoint-set-'))

function replicas() {
  const directory = temporary()
  const checkpoints = path.join(directory, 'checkpoints')
  const key = AuditKey.generate()
  const file = path.join(directory, 'chain.sqlite')
  const replica = (host: string, shared = true) =>
    new SqliteAuditLog({
      file,
      key,
      checkpointFile: checkpointFileIn(checkpoints, host),
      ...(shared ? { checkpointDirectory: checkpoints } : {}),
    })
  return { checkpoints, file, replica }
}

async function writeFromTwoReplicas(replica: (host: string) => SqliteAuditLog) {
  const first = replica('helpdesk-api-7d9f-a')
  const second = replica('helpdesk-worker-5c2b-b')
  for (const [index, log] of [first, second, first, second, first].entries())
    await log.append({ actor: `actor-${index}`, action: 'approval-grant', detail: {} })
  await first.close()
  await second.close()
}

describe('audit checkpoints of several replicas in one directory', () => {
  it('a replica that wrote none yet (a new pod) verifies against the others’ files', async () => {
    const { replica } = replicas()
    await writeFromTwoReplicas(replica)
    const newPod = replica('helpdesk-api-7d9f-new')
    expect(await newPod.verify()).toMatchObject({ ok: true, count: 5, checkpointed: 5 })
    await newPod.close()
  })

  it('with only its own file, the same new pod would cry wolf: no checkpoints', async () => {
    const { replica } = replicas()
    await writeFromTwoReplicas(replica)
    const alone = replica('helpdesk-api-7d9f-new', false)
    expect(await alone.verify()).toMatchObject({ ok: false, problem: 'no-checkpoints' })
    await alone.close()
  })

  it("an edited line in any replica's file fails the check, naming that file", async () => {
    const { checkpoints, replica } = replicas()
    await writeFromTwoReplicas(replica)
    const worker = checkpointFileIn(checkpoints, 'helpdesk-worker-5c2b-b')
    const lines = readFileSync(worker, 'utf8').trimEnd().split('\n')
    const edited = JSON.parse(lines[0] as string) as { headHash: string }
    edited.headHash = edited.headHash.replace(/^./, (first) => (first === '0' ? '1' : '0'))
    writeFileSync(worker, `${[JSON.stringify(edited), ...lines.slice(1)].join('\n')}\n`)
    const verifier = replica('verifier')
    expect(await verifier.verify()).toMatchObject({
      ok: false,
      problem: 'checkpoint-tampered',
      reason: expect.stringContaining(`${worker} line 1 does not match its signature`),
    })
    await verifier.close()
  })

  it("the last records deleted and the head rewound: caught by another replica's file", async () => {
    const { checkpoints, file, replica } = replicas()
    await writeFromTwoReplicas(replica)
    const verifier = replica('verifier')
    const [third] = await verifier.list({ after: 2, limit: 1 })
    await verifier.close()
    // Record 4 was the worker's: the API's file alone (up to 5) and the worker's (up to 4) both say more.
    attack(
      file,
      `DELETE FROM audit_records WHERE sequence >= 4; UPDATE audit_head SET count = 3, hash = '${third?.hash}'`,
    )
    const after = replica('verifier')
    expect(await after.verify()).toMatchObject({
      ok: false,
      problem: 'behind-checkpoint',
      reason: expect.stringContaining(
        `${checkpointFileIn(checkpoints, 'helpdesk-api-7d9f-a')} line 3`,
      ),
    })
    await after.close()
  })
})

describe('HELPDESK_AUDIT_CHECKPOINT_DIR', () => {
  it("makes this host's file in the directory the one written, and the directory the one read", () => {
    const config = loadConfig({ HELPDESK_AUDIT_CHECKPOINT_DIR: '/var/lib/helpdesk-audit' })
    const settings = auditSettings(config, '/data/helpdesk.sqlite')
    expect(settings).toMatchObject({
      checkpointFile: `/var/lib/helpdesk-audit/${hostname().replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`,
      checkpointDirectory: '/var/lib/helpdesk-audit',
      checkpoints: 'the checkpoint files (*.jsonl) in /var/lib/helpdesk-audit',
    })
    expect(checkpointFileIn('/d', 'pod/../x')).toBe('/d/pod_.._x.jsonl')
    expect(checkpointFileIn('/d', '..')).toBe('/d/_.jsonl')
  })

  it('is refused together with HELPDESK_AUDIT_CHECKPOINT_FILE', () => {
    expect(() =>
      loadConfig({ HELPDESK_AUDIT_CHECKPOINT_DIR: '/a', HELPDESK_AUDIT_CHECKPOINT_FILE: '/b' }),
    ).toThrow(/HELPDESK_AUDIT_CHECKPOINT_DIR: set HELPDESK_AUDIT_CHECKPOINT_FILE .* not both/)
  })
})
