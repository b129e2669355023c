import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { beforeEach, describe, expect, it } from 'vitest'
import { auditSettings, verifyAuditDatabase } from './audit-settings.ts'
import { SqliteAuditLog } from './sqlite-audit-log.ts'
import {
  attack,
  decisions,
  NO_AUDIT_CONFIG,
  rechain,
  writeLegacyDatabase,
  writeRecords,
} from './testing/audit-attacker.ts'

let file: string
const verify = () => verifyAuditDatabase(file, auditSettings(NO_AUDIT_CONFIG, file))

beforeEach(() => {
  file = path.join(mkdtempSync(path.join(tmpdir(), 'audit-legacy-')), 'helpdesk.sqlite')
})

describe('a database written before the audit key (legacy unkeyed records)', () => {
  it('verify reads a database no keyed version has opened yet, changing nothing', async () => {
    writeLegacyDatabase(file, 3)
    const key = path.join(path.dirname(file), 'audit.key')
    writeFileSync(key, randomBytes(32).toString('base64'))
    expect(await verify()).toMatchObject({ ok: true, count: 3, legacy: 3, checkpointed: 0 })
    const raw = new DatabaseSync(file)
    const columns = raw.prepare('PRAGMA table_info(audit_records)').all() as Array<{ name: string }>
    raw.close()
    expect(columns.map((column) => column.name)).not.toContain('format')
  })

  it('are reported as legacy, checkpointed when the keyed log opens, and chained into by keyed records', async () => {
    writeLegacyDatabase(file, 3)
    await writeRecords(file, [])
    expect(await verify()).toMatchObject({ ok: true, count: 3, legacy: 3, checkpointed: 3 })
    await writeRecords(file, decisions.slice(0, 2))
    expect(await verify()).toMatchObject({ ok: true, count: 5, legacy: 3, checkpointed: 5 })
  })

  it('cannot be rewritten after the upgrade: the first keyed record signs their head', async () => {
    writeLegacyDatabase(file, 3)
    await writeRecords(file, decisions.slice(0, 1))
    attack(file, "UPDATE audit_records SET actor = 'tina' WHERE sequence = 2")
    rechain(file, 2, 1)
    // Record 2 has no checkpoint of its own; record 3, the legacy head, was checkpointed at the upgrade.
    expect(await verify()).toMatchObject({
      ok: false,
      sequence: 3,
      problem: 'checkpoint-mismatch',
      reason: expect.stringMatching(/record 3 differs from checkpoint line 1/),
    })
  })
})

describe('an audit log opened only to read', () => {
  it('refuses appends, and export names a database without audit tables', async () => {
    await writeRecords(file, decisions.slice(0, 1))
    const reader = SqliteAuditLog.openExisting({ file })
    await expect(reader.append(decisions[0] as (typeof decisions)[0])).rejects.toThrow(
      /opened only to be read/,
    )
    expect([...reader.recordsSince(new Date(0))]).toHaveLength(1)
    expect(await reader.verify()).toMatchObject({ ok: false, problem: 'no-key' })
    await reader.close()
    attack(file, 'DROP TABLE audit_records; DROP TABLE audit_head')
    const dropped = SqliteAuditLog.openExisting({ file })
    expect(() => [...dropped.recordsSince(new Date(0))]).toThrow(/no audit_records table/)
    await dropped.close()
  })
})
