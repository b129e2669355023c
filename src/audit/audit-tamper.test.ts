import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { beforeEach, describe, expect, it } from 'vitest'
import type { AuditEntry } from './audit-log.ts'
import { type AuditSettings, auditSettings, verifyAuditDatabase } from './audit-settings.ts'
import { SqliteAuditLog } from './sqlite-audit-log.ts'
import {
  type AuditConfig,
  attack as attackFile,
  decisions,
  NO_AUDIT_CONFIG,
  rechain as rechainFile,
  writeRecords as writeRecordsTo,
} from './testing/audit-attacker.ts'

/**
 * Every tamper an attacker with write access to the database file can do, done the way they
 * would: with node:sqlite straight on the file, recomputing plain SHA-256 hashes where that
 * helps them. Each must fail `verify` with a problem and a message that names what is wrong.
 */

let directory: string
let file: string
let settings: AuditSettings

const writeRecords = (entries?: AuditEntry[]) => writeRecordsTo(file, entries)
const attack = (statements: string) => attackFile(file, statements)
const rechain = (from: number, format: number) => rechainFile(file, from, format)

/** Verifies as `helpdesk audit verify` does, with the default settings or these overrides. */
const verify = (overrides?: Partial<AuditConfig>) =>
  verifyAuditDatabase(
    file,
    overrides ? auditSettings({ ...NO_AUDIT_CONFIG, ...overrides }, file) : settings,
  )

beforeEach(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'audit-tamper-'))
  file = path.join(directory, 'helpdesk.sqlite')
  settings = auditSettings(NO_AUDIT_CONFIG, file)
})

describe('audit verify against an attacker who can write the database', () => {
  it('passes the intact log, every record checkpointed, files 0600', async () => {
    const records = await writeRecords()
    expect(await verify()).toEqual({
      ok: true,
      count: 5,
      headHash: records[4]?.hash,
      legacy: 0,
      checkpointed: 5,
    })
    for (const name of ['helpdesk.sqlite', 'audit.key', 'audit-checkpoints.jsonl'])
      expect((statSync(path.join(directory, name)).mode & 0o777).toString(8)).toBe('600')
    expect(
      readFileSync(path.join(directory, 'audit-checkpoints.jsonl'), 'utf8').split('\n'),
    ).toHaveLength(6)
  })

  it("names a record whose actor was changed (tom's approval to tina), hashes recomputed", async () => {
    await writeRecords()
    attack("UPDATE audit_records SET actor = 'tina' WHERE sequence = 3")
    rechain(3, 2)
    expect(await verify()).toMatchObject({
      ok: false,
      problem: 'changed',
      sequence: 3,
      reason: expect.stringMatching(/record 3: its content was changed/),
    })
  })

  it('names a changed record rewritten in the unkeyed format', async () => {
    await writeRecords()
    attack("UPDATE audit_records SET actor = 'tina' WHERE sequence = 3")
    rechain(3, 1)
    expect(await verify()).toMatchObject({
      ok: false,
      problem: 'downgraded',
      sequence: 3,
      reason: expect.stringMatching(/record 3 is in the unkeyed legacy format/),
    })
  })

  it('names the first record when the whole log is rewritten unkeyed: the checkpoints disagree', async () => {
    await writeRecords()
    attack("UPDATE audit_records SET actor = 'tina' WHERE sequence = 3")
    rechain(1, 1)
    expect(await verify()).toMatchObject({
      ok: false,
      problem: 'checkpoint-mismatch',
      sequence: 1,
      reason: expect.stringMatching(/record 1 differs from checkpoint line 1/),
    })
  })

  it('names a record inserted in the middle', async () => {
    await writeRecords()
    attack(`UPDATE audit_records SET sequence = -sequence WHERE sequence >= 3;
      UPDATE audit_records SET sequence = 1 - sequence WHERE sequence < 0;
      INSERT INTO audit_records (sequence, at, actor, action, target, detail, previous_hash, hash, format, key_id)
        SELECT 3, at, 'tom', 'approval-grant', 'DC-03', '{}', hash, hash, format, key_id FROM audit_records WHERE sequence = 2;
      UPDATE audit_head SET count = 6`)
    expect(await verify()).toMatchObject({
      ok: false,
      problem: 'changed',
      sequence: 3,
      reason: expect.stringMatching(/record 3: .*inserted/),
    })
  })

  it('names a record inserted after the head', async () => {
    await writeRecords()
    attack(`INSERT INTO audit_records (sequence, at, actor, action, detail, previous_hash, hash, format, key_id)
      SELECT 6, at, 'tom', 'approval-grant', '{}', hash, hash, format, key_id FROM audit_records WHERE sequence = 5`)
    expect(await verify()).toMatchObject({
      ok: false,
      sequence: 6,
      reason: expect.stringMatching(/inserted/),
    })
  })

  it('names a record deleted in the middle', async () => {
    await writeRecords()
    attack('DELETE FROM audit_records WHERE sequence = 3')
    expect(await verify()).toMatchObject({
      ok: false,
      problem: 'missing',
      sequence: 3,
      reason: expect.stringMatching(/record 3 is missing/),
    })
  })

  it('detects the last records deleted and the head rewound', async () => {
    const records = await writeRecords()
    attack(
      `DELETE FROM audit_records WHERE sequence >= 4; UPDATE audit_head SET count = 3, hash = '${records[2]?.hash}'`,
    )
    expect(await verify()).toMatchObject({
      ok: false,
      problem: 'behind-checkpoint',
      sequence: 4,
      reason: expect.stringMatching(
        /ends at record 3 but .*audit-checkpoints.jsonl line 5 .* says 5 records were written/,
      ),
    })
  })

  it('detects a wiped log, with or without its head', async () => {
    await writeRecords()
    attack('DELETE FROM audit_records')
    expect(await verify()).toMatchObject({
      ok: false,
      problem: 'wiped',
      reason: expect.stringMatching(/empty but its head says 5/),
    })
    attack('DELETE FROM audit_head')
    expect(await verify()).toMatchObject({
      ok: false,
      problem: 'wiped',
      reason: expect.stringMatching(/empty but .*line 5 .* says 5 records were written/),
    })
  })

  it('detects dropped tables and does not recreate them', async () => {
    await writeRecords()
    attack('DROP TABLE audit_records; DROP TABLE audit_head')
    expect(await verify()).toMatchObject({
      ok: false,
      problem: 'no-tables',
      reason: expect.stringMatching(/audit tables are missing \(audit_records, audit_head\)/),
    })
    const raw = new DatabaseSync(file)
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'audit_%'").all()).toEqual(
      [],
    )
    raw.close()
  })

  it('detects dropped tables that a restarted server recreated and wrote to', async () => {
    await writeRecords()
    attack('DROP TABLE audit_records; DROP TABLE audit_head')
    await writeRecords(decisions.slice(0, 1))
    expect(await verify()).toMatchObject({
      ok: false,
      problem: 'checkpoint-mismatch',
      sequence: 1,
    })
  })

  it('detects a database restored from an older copy', async () => {
    await writeRecords(decisions.slice(0, 3))
    copyFileSync(file, path.join(directory, 'older.sqlite'))
    await writeRecords(decisions.slice(3))
    copyFileSync(path.join(directory, 'older.sqlite'), file)
    const warnings: string[] = []
    await new SqliteAuditLog({ file, log: (line) => warnings.push(line) }).close()
    expect(warnings).toEqual([
      expect.stringMatching(
        /WARNING: the audit log ends at record 3 but its last checkpoint .* says 5 records were written: the database was restored from an older copy/,
      ),
    ])
    expect(await verify()).toMatchObject({
      ok: false,
      problem: 'behind-checkpoint',
      reason: expect.stringMatching(
        /ends at record 3 .* says 5 records were written: the database was restored from an older copy/,
      ),
    })
  })

  it('names a missing key, and never creates one while verifying', async () => {
    await writeRecords()
    rmSync(path.join(directory, 'audit.key'))
    expect(await verify()).toMatchObject({
      ok: false,
      problem: 'no-key',
      reason: expect.stringMatching(
        /audit key is missing: HELPDESK_AUDIT_KEY is not set, .*audit\.key does not exist/,
      ),
    })
    expect(() => statSync(path.join(directory, 'audit.key'))).toThrow(/ENOENT/)
    expect(
      await verify({ HELPDESK_AUDIT_KEY_FILE: path.join(directory, 'elsewhere.key') }),
    ).toMatchObject({
      problem: 'no-key',
      reason: expect.stringMatching(/HELPDESK_AUDIT_KEY_FILE .*elsewhere\.key does not exist/),
    })
  })

  it('refuses to start a new key over records signed by a lost one', async () => {
    await writeRecords()
    rmSync(path.join(directory, 'audit.key'))
    expect(() => new SqliteAuditLog({ file })).toThrow(
      /audit key is missing.*records signed by key [0-9a-f]{16}: restore that key/,
    )
  })

  it('names a wrong key', async () => {
    await writeRecords()
    expect(await verify({ HELPDESK_AUDIT_KEY: 'ab'.repeat(32) })).toMatchObject({
      ok: false,
      problem: 'wrong-key',
      reason: expect.stringMatching(
        /line 1 was signed by audit key [0-9a-f]{16}, but the key given is [0-9a-f]{16}: wrong audit key/,
      ),
    })
  })

  it('names a wrong key from the records when there are no checkpoints to tell', async () => {
    await writeRecords()
    rmSync(path.join(directory, 'audit-checkpoints.jsonl'))
    expect(await verify({ HELPDESK_AUDIT_KEY: 'ab'.repeat(32) })).toMatchObject({
      ok: false,
      problem: 'wrong-key',
      sequence: 1,
      reason: expect.stringMatching(
        /record 1 was signed by audit key [0-9a-f]{16}, but the key given is [0-9a-f]{16}: wrong audit key/,
      ),
    })
  })

  it('names an edited checkpoint line, and a deleted checkpoint file', async () => {
    const records = await writeRecords()
    const checkpoints = path.join(directory, 'audit-checkpoints.jsonl')
    const lines = readFileSync(checkpoints, 'utf8').split('\n')
    lines[2] = (lines[2] as string).replace(records[2]?.hash as string, records[1]?.hash as string)
    writeFileSync(checkpoints, lines.join('\n'))
    expect(await verify()).toMatchObject({
      ok: false,
      problem: 'checkpoint-tampered',
      reason: expect.stringMatching(/line 3 does not match its signature: the line was changed/),
    })
    lines[2] = 'not a checkpoint'
    writeFileSync(checkpoints, lines.join('\n'))
    expect(await verify()).toMatchObject({
      problem: 'checkpoint-tampered',
      reason: expect.stringMatching(/line 3 is not a checkpoint/),
    })
    rmSync(checkpoints)
    expect(await verify()).toMatchObject({
      ok: false,
      problem: 'no-checkpoints',
      reason: expect.stringMatching(
        /5 keyed records but no checkpoint in .*audit-checkpoints\.jsonl \(no such file\)/,
      ),
    })
  })

  it('rejects a key that is too short or not hex/base64, naming the variable', async () => {
    await writeRecords()
    await expect(verify({ HELPDESK_AUDIT_KEY: 'abcd' })).rejects.toThrow(
      /HELPDESK_AUDIT_KEY: expected an audit key of at least 32 bytes/,
    )
    await expect(verify({ HELPDESK_AUDIT_KEY: 'not a key!' })).rejects.toThrow(
      /HELPDESK_AUDIT_KEY: expected/,
    )
  })
})
