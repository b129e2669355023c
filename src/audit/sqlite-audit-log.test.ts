import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { runAuditLogContract } from './audit-log-contract.case.test.ts'
import { SqliteAuditLog } from './sqlite-audit-log.ts'

runAuditLogContract({
  name: 'sqlite',
  create: async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'audit-')), 'audit.sqlite')
    return {
      log: new SqliteAuditLog({ file }),
      reopen: async () => new SqliteAuditLog({ file }),
      tamper: async (statements) => {
        const raw = new DatabaseSync(file)
        try {
          raw.exec(statements)
        } finally {
          raw.close()
        }
      },
    }
  },
})

describe('the SQLite audit log under many appends at once', () => {
  const step = (index: number) => ({
    actor: 'tom',
    action: 'workflow_step',
    target: `WEB-${String(index).padStart(3, '0')}`,
    detail: { index },
  })

  it('commits the appends of one loop turn together: one disk flush, not one per record', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'audit-')), 'audit.sqlite')
    const log = new SqliteAuditLog({ file })
    const before = statSync(`${file}-wal`).size
    await Promise.all(Array.from({ length: 50 }, (_, index) => log.append(step(index))))
    // Each commit adds at least the records page and the head page to the WAL (4 KB + a
    // 24-byte header each): 50 commits would add 100 frames or more, one commit a handful.
    const frames = (statSync(`${file}-wal`).size - before) / (4096 + 24)
    expect(frames).toBeLessThan(10)
    expect(await log.verify()).toMatchObject({ ok: true, count: 50 })
    await log.close()
  })

  it('refuses a record it cannot build alone, without a gap in the chain', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'audit-')), 'audit.sqlite')
    const log = new SqliteAuditLog({ file })
    // A BigInt cannot be written as JSON: the type forbids it, a caller's bug could still send it.
    const broken = { ...step(1), detail: { size: 10n } as unknown as { size: number } }
    const results = await Promise.allSettled([
      log.append(step(0)),
      log.append(broken),
      log.append(step(2)),
    ])
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(results[1]).toMatchObject({ reason: { code: 'AUDIT_FAILED' } })
    const records = await log.list()
    expect(records.map((record) => [record.sequence, record.target])).toEqual([
      [1, 'WEB-000'],
      [2, 'WEB-002'],
    ])
    expect(await log.verify()).toMatchObject({ ok: true, count: 2 })
    await log.close()
  })

  it('writes what is still pending when closed', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'audit-')), 'audit.sqlite')
    const log = new SqliteAuditLog({ file })
    const pending = log.append(step(0))
    await log.close()
    await expect(pending).resolves.toMatchObject({ sequence: 1 })
    const reopened = new SqliteAuditLog({ file })
    expect(await reopened.verify()).toMatchObject({ ok: true, count: 1 })
    await reopened.close()
  })
})
