import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../store/postgres/testing/postgres-test-database.ts'
import { parseAuditKey } from './audit-key.ts'
import { PostgresAuditLog } from './postgres-audit-log.ts'

const run = promisify(execFile)
const WRITER = path.join(import.meta.dirname, 'testing', 'append-from-process.ts')
const PER_PROCESS = 200

let server: PostgresTestServer
beforeAll(async () => {
  server = await startPostgresTestServer()
})
afterAll(async () => {
  await server?.dropAll()
})

describe('one audit chain, two writing processes on PostgreSQL', () => {
  it('appends 2 x 200 records from two processes into one unbroken chain', async () => {
    const database = await server.fresh('two_writers')
    const keyText = randomBytes(32).toString('hex')
    const directory = mkdtempSync(path.join(tmpdir(), 'audit-writers-'))
    const writer = (name: string) =>
      run(process.execPath, [WRITER], {
        env: {
          ...process.env,
          AUDIT_TEST_URL: server.url,
          AUDIT_TEST_SCHEMA: database.schema,
          AUDIT_TEST_KEY: keyText,
          AUDIT_TEST_COUNT: String(PER_PROCESS),
          AUDIT_TEST_WRITER: name,
          AUDIT_TEST_CHECKPOINTS: path.join(directory, `checkpoints-${name}.jsonl`),
        },
      })
    const outputs = await Promise.all([writer('a'), writer('b')])
    expect(outputs.map((output) => output.stdout.trim())).toEqual(['done', 'done'])

    const key = parseAuditKey(keyText, 'test key')
    for (const name of ['a', 'b']) {
      // Verified against each process's own checkpoints: every one of them matches the chain.
      const log = await PostgresAuditLog.open({
        database,
        key,
        checkpointFile: path.join(directory, `checkpoints-${name}.jsonl`),
      })
      expect(await log.verify()).toMatchObject({ ok: true, count: 2 * PER_PROCESS })
    }
    // A third replica sharing their directory (HELPDESK_AUDIT_CHECKPOINT_DIR), none of its own yet.
    const verifier = await PostgresAuditLog.open({
      database,
      key,
      checkpointFile: path.join(directory, 'verifier.jsonl'),
      checkpointDirectory: directory,
    })
    expect(await verifier.verify()).toMatchObject({
      ok: true,
      count: 2 * PER_PROCESS,
      checkpointed: 2 * PER_PROCESS,
    })
    await verifier.close()
    const log = await PostgresAuditLog.open({ database, key })
    const records = await log.list({ limit: 1000 })
    expect(records.map((record) => record.sequence)).toEqual(
      Array.from({ length: 2 * PER_PROCESS }, (_, index) => index + 1),
    )
    // Both wrote all of theirs, and their appends interleaved (they really raced).
    const byWriter = (name: string) => records.filter((record) => record.actor === `writer-${name}`)
    expect(byWriter('a')).toHaveLength(PER_PROCESS)
    expect(byWriter('b')).toHaveLength(PER_PROCESS)
    const switches = records.filter(
      (record, index) => index > 0 && record.actor !== records[index - 1]?.actor,
    ).length
    expect(switches).toBeGreaterThan(1)
    for (const [index, record] of records.entries())
      if (index > 0) expect(record.previousHash).toBe(records[index - 1]?.hash)
  })

  it('without the lock the chain would fork: a second head at the same sequence is refused', async () => {
    const database = await server.fresh('fork')
    const log = await PostgresAuditLog.open({ database })
    await log.append({ actor: 'a', action: 'x', detail: {} })
    // A writer that skipped the lock and read the same head would insert the same sequence.
    await expect(
      server.query(
        database.schema,
        "INSERT INTO audit_records (sequence, at, actor, action, detail, previous_hash, hash) VALUES (1, 'now', 'b', 'x', '{}', 'p', 'h')",
      ),
    ).rejects.toThrow(/duplicate key/)
  })
})
