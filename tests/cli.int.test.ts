import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SqliteAuditLog } from '../src/audit/sqlite-audit-log.ts'
import { runHelpdesk } from './support/helpdesk-process.ts'
import { RUNTIME_CACHE_DIRECTORY, temporaryDirectory } from './support/temporary-directory.ts'

let directory: Awaited<ReturnType<typeof temporaryDirectory>>

function hasSqlite3(): boolean {
  try {
    execFileSync('sqlite3', ['-version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function helpdesk(args: string[], environment: Record<string, string> = {}) {
  return runHelpdesk(args, {
    HELPDESK_DATA_DIR: directory.path,
    CHROMA_RUNTIME_DIR: RUNTIME_CACHE_DIRECTORY,
    ...environment,
  })
}

beforeAll(async () => {
  directory = await temporaryDirectory('helpdesk-cli')
})
afterAll(async () => {
  await directory?.remove()
})

describe('helpdesk command', () => {
  it.each([
    'serve',
    'ingest',
    'route',
    'eval',
    'run',
    'audit verify',
    'audit export',
    'users add',
    'users list',
    'credentials encrypt',
  ])('%s --help describes the command', async (command) => {
    const result = await helpdesk([...command.split(' '), '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(new RegExp(`Usage: helpdesk ${command}`))
  })

  it('ingest is idempotent: the second run writes nothing', async () => {
    const first = await helpdesk(['ingest'])
    expect(first.code, first.stderr).toBe(0)
    const firstReport = JSON.parse(first.stdout)
    expect(firstReport.added).toBe(firstReport.total)
    const second = JSON.parse((await helpdesk(['ingest'])).stdout)
    expect(second).toMatchObject({
      added: 0,
      updated: 0,
      deleted: 0,
      unchanged: firstReport.total,
      stored: firstReport.total,
    })
  })

  it('route prints exactly one {id, tasks, ranked, ms} line per request', async () => {
    const input = path.join(directory.path, 'requests.jsonl')
    await writeFile(
      input,
      [
        { id: 'a', text: 'I am locked out of my account' },
        { id: 'b', text: 'reset my password and I also need Jira access' },
        // Out of scope by a wide margin (a known hand-off topic), not by a near tie that an
        // approximate index built under load could tip.
        { id: 'c', text: 'can you order a new toner cartridge for the third floor printer' },
      ]
        .map((line) => JSON.stringify(line))
        .join('\n'),
    )
    const result = await helpdesk(['route', '--input', input])
    expect(result.code, result.stderr).toBe(0)
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(lines.map((line) => line.id)).toEqual(['a', 'b', 'c'])
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(['id', 'tasks', 'ranked', 'ms'])
      expect(line.ranked.length).toBeLessThanOrEqual(5)
      for (const entry of line.ranked) {
        expect(Object.keys(entry)).toEqual(['taskType', 'score'])
        expect(entry.score).toBeGreaterThanOrEqual(0)
        expect(entry.score).toBeLessThanOrEqual(1)
      }
      expect(typeof line.ms).toBe('number')
    }
    expect(lines[0].tasks).toEqual(['account_locked'])
    expect(lines[1].tasks).toEqual(['password_reset', 'jira_access_request'])
    expect(lines[2].tasks).toEqual([])
  })

  it('route refuses a bad file, naming the line and field, and prints nothing', async () => {
    const input = path.join(directory.path, 'bad.jsonl')
    await writeFile(input, '{"id": "ok", "text": "vpn 809"}\n{"id": 7, "text": "x"}\nnot json\n')
    const result = await helpdesk(['route', '--input', input])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/bad\.jsonl:2: id: expected a string/)
    expect(result.stderr).toMatch(/bad\.jsonl:3: not valid JSON/)
  })

  it('eval reports accuracy, out-of-scope P/R/F1, compound match and latency', async () => {
    const input = path.join(directory.path, 'labelled.jsonl')
    await writeFile(
      input,
      [
        {
          id: '1',
          text: 'my screen went blue and the PC restarted',
          labels: ['blue_screen_error'],
        },
        { id: '2', text: 'please order more paper for the copier', labels: ['out_of_scope'] },
      ]
        .map((line) => JSON.stringify(line))
        .join('\n'),
    )
    const result = await helpdesk(['eval', '--input', input, '--json'])
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({
      count: 2,
      top1: expect.any(Number),
      outOfScope: { f1: expect.any(Number) },
    })
    expect(report.latencyMs.p99).toBeGreaterThan(0)
  })

  it('serve refuses to start on an invalid runbook, naming file and field, and leaves no Chroma behind', async () => {
    const runbooks = path.join(directory.path, 'runbooks')
    await cp('data/instructions', runbooks, { recursive: true })
    const file = path.join(runbooks, 'printer_not_working.md')
    const { readFile } = await import('node:fs/promises')
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(/^category: .*$/m, 'category: plumbing'),
    )
    const result = await helpdesk(['serve', '--port', '0'], { INSTRUCTIONS_DIR: runbooks })
    expect(result.code).not.toBe(0)
    expect(result.stderr).toMatch(/printer_not_working\.md: category: .*expected one of/)
    expect(result.stderr).not.toMatch(/starting the embedded Chroma/)
  })

  it('audit verify passes an intact chain and names the first changed record', async () => {
    const file = path.join(directory.path, 'audit-verify', 'helpdesk.sqlite')
    const log = new SqliteAuditLog({ file })
    for (const index of [1, 2, 3]) {
      await log.append({
        actor: 'jdoe',
        action: 'step-execute',
        target: 'LT-0423',
        detail: { script: `echo ${index}` },
      })
    }
    await log.close()
    const intact = await helpdesk(['audit', 'verify', '--database', file])
    expect(intact.code).toBe(0)
    expect(intact.stdout).toMatch(
      /audit log ok: 3 records, head [0-9a-f]{64}\n {2}checkpointed up to record 3 in .*audit-checkpoints\.jsonl\n$/,
    )
    const raw = new DatabaseSync(file)
    raw.exec(
      "DROP TRIGGER audit_records_no_update; UPDATE audit_records SET target = 'DC-01' WHERE sequence = 2",
    )
    raw.close()
    const broken = await helpdesk(['audit', 'verify', '--database', file])
    expect(broken.code).toBe(1)
    expect(broken.stdout).toMatch(
      /audit log BROKEN \(changed\): record 2: its content was changed, or it was inserted, after it was written \(signature differs\) \(1 record verified\)/,
    )
  })

  it('audit verify fails naming a missing key, a wrong key, a cut log and a dropped table', async () => {
    const folder = path.join(directory.path, 'audit-tamper')
    const file = path.join(folder, 'helpdesk.sqlite')
    const log = new SqliteAuditLog({ file })
    const records = []
    for (const actor of ['tom', 'tina', 'tom'])
      records.push(await log.append({ actor, action: 'approval-grant', detail: {} }))
    await log.close()
    const key = await readFile(path.join(folder, 'audit.key'), 'utf8')
    await rename(path.join(folder, 'audit.key'), path.join(folder, 'moved.key'))
    const missing = await helpdesk(['audit', 'verify', '--database', file])
    expect(missing.code).toBe(1)
    expect(missing.stdout).toMatch(
      /BROKEN \(no-key\): the audit key is missing: HELPDESK_AUDIT_KEY is not set/,
    )
    expect(existsSync(path.join(folder, 'audit.key'))).toBe(false)
    const wrong = await helpdesk(['audit', 'verify', '--database', file], {
      HELPDESK_AUDIT_KEY: 'cd'.repeat(32),
    })
    expect(wrong.code).toBe(1)
    expect(wrong.stdout).toMatch(/BROKEN \(wrong-key\): .* wrong audit key/)
    const withKey = { HELPDESK_AUDIT_KEY_FILE: path.join(folder, 'moved.key') }
    expect((await helpdesk(['audit', 'verify', '--database', file], withKey)).code).toBe(0)
    expect(
      (await helpdesk(['audit', 'verify', '--database', file], { HELPDESK_AUDIT_KEY: key.trim() }))
        .code,
    ).toBe(0)
    const raw = new DatabaseSync(file)
    raw.exec(
      `DROP TRIGGER audit_records_no_delete; DROP TRIGGER audit_head_forward; DELETE FROM audit_records WHERE sequence = 3; UPDATE audit_head SET count = 2, hash = '${records[1]?.hash}'`,
    )
    raw.close()
    const cut = await helpdesk(['audit', 'verify', '--database', file], withKey)
    expect(cut.code).toBe(1)
    expect(cut.stdout).toMatch(
      /BROKEN \(behind-checkpoint\): the audit log ends at record 2 but .* says 3 records were written: the database was restored from an older copy, or its last records were deleted and the head rewound/,
    )
    const drop = new DatabaseSync(file)
    drop.exec('DROP TABLE audit_records; DROP TABLE audit_head')
    drop.close()
    const dropped = await helpdesk(['audit', 'verify', '--database', file], withKey)
    expect(dropped.code).toBe(1)
    expect(dropped.stdout).toMatch(/BROKEN \(no-tables\): the audit tables are missing/)
    const again = await helpdesk(['audit', 'verify', '--database', file], withKey)
    expect(again.stdout).toMatch(/no-tables/)
  })

  it.skipIf(!hasSqlite3())(
    'audit verify catches the sqlite3 CLI attacks of issue 8 (last record deleted and head rewound; tables dropped)',
    async () => {
      const file = path.join(directory.path, 'audit-sqlite3', 'helpdesk.sqlite')
      const log = new SqliteAuditLog({ file })
      for (const actor of ['tom', 'tina'])
        await log.append({ actor, action: 'approval-grant', detail: {} })
      await log.close()
      execFileSync('sqlite3', [
        file,
        'DROP TRIGGER audit_records_no_delete; DROP TRIGGER audit_head_forward; DELETE FROM audit_records WHERE sequence = 2; UPDATE audit_head SET count = 1, hash = (SELECT hash FROM audit_records WHERE sequence = 1);',
      ])
      const rewound = await helpdesk(['audit', 'verify', '--database', file])
      expect(rewound.code).toBe(1)
      expect(rewound.stdout).toMatch(
        /BROKEN \(behind-checkpoint\): the audit log ends at record 1 but/,
      )
      execFileSync('sqlite3', [file, 'DROP TABLE audit_records; DROP TABLE audit_head;'])
      const dropped = await helpdesk(['audit', 'verify', '--database', file])
      expect(dropped.code).toBe(1)
      expect(dropped.stdout).toMatch(/BROKEN \(no-tables\)/)
    },
  )

  it('audit export prints the records since a time as JSON lines', async () => {
    const file = path.join(directory.path, 'audit-export', 'helpdesk.sqlite')
    const times = [
      '2026-05-01T08:00:00.000Z',
      '2026-05-02T08:00:00.000Z',
      '2026-05-03T08:00:00.000Z',
    ]
    let index = 0
    const log = new SqliteAuditLog({ file, now: () => new Date(times[index++] as string) })
    const records = []
    for (const actor of ['tom', 'tina', 'tom'])
      records.push(
        await log.append({
          actor,
          action: 'approval-grant',
          target: 'DC-01',
          detail: { request: actor, password: 'Hunter2!' },
        }),
      )
    await log.close()
    const exported = await helpdesk([
      'audit',
      'export',
      '--since',
      '2026-05-02T00:00:00Z',
      '--database',
      file,
    ])
    expect(exported.code, exported.stderr).toBe(0)
    const lines = exported.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(lines).toEqual(
      records.slice(1).map((record) => ({
        ...record,
        format: 'keyed',
        keyId: expect.stringMatching(/^[0-9a-f]{16}$/),
      })),
    )
    expect(exported.stdout).not.toContain('Hunter2')
    const all = await helpdesk(['audit', 'export', '--database', file])
    expect(all.stdout.trimEnd().split('\n')).toHaveLength(3)
    const invalid = await helpdesk(['audit', 'export', '--since', 'yesterday', '--database', file])
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toMatch(/--since yesterday: expected an ISO 8601 date/)
    const local = await helpdesk([
      'audit',
      'export',
      '--since',
      '2026-05-02T08:00',
      '--database',
      file,
    ])
    expect(local.code).toBe(2)
  })

  it('invalid configuration names the variable', async () => {
    const result = await helpdesk(['ingest'], { PORT: 'eighty', EMBEDDING_PROVIDER: 'openai' })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/PORT: /)
  })
})
