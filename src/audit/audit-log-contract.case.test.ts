import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditLog } from './audit-log.ts'

/** Run by every AuditLog implementation. `tamper` runs raw statements on the backing store. */
export interface AuditLogContractInitializer {
  name: string
  create(): Promise<{
    log: AuditLog
    tamper: (statements: string) => Promise<void>
    reopen: () => Promise<AuditLog>
  }>
}

const step = (index: number) => ({
  actor: 'jdoe',
  action: 'step-execute',
  target: `LT-04${index}`,
  requestId: `request-${index}`,
  detail: {
    script: `Restart-Service -Name Spooler # ${index}`,
    exitCode: 0,
    parameters: { printer: 'PRN-3F-EAST' },
  },
})

export function runAuditLogContract(initializer: AuditLogContractInitializer): void {
  describe(`AuditLog contract: ${initializer.name}`, () => {
    let subject: Awaited<ReturnType<AuditLogContractInitializer['create']>>
    beforeEach(async () => {
      subject = await initializer.create()
    })
    afterEach(async () => {
      await subject.log.close()
    })

    it('chains consecutive records and verifies them', async () => {
      const records = []
      for (let index = 1; index <= 5; index += 1)
        records.push(await subject.log.append(step(index)))
      expect(records.map((record) => record.sequence)).toEqual([1, 2, 3, 4, 5])
      expect(records[1]?.previousHash).toBe(records[0]?.hash)
      expect(await subject.log.verify()).toMatchObject({
        ok: true,
        count: 5,
        headHash: records[4]?.hash,
      })
      expect((await subject.log.list({ after: 3 })).map((record) => record.target)).toEqual([
        'LT-044',
        'LT-045',
      ])
      const newest = await subject.log.list({ newest: true, limit: 2 })
      expect(newest.map((record) => record.sequence)).toEqual([5, 4])
      const page = await subject.log.list({ newest: true, before: 4, limit: 10 })
      expect(page.map((record) => record.sequence)).toEqual([3, 2, 1])
    })

    it('keeps one chain under concurrent appends', async () => {
      await Promise.all(Array.from({ length: 20 }, (_, index) => subject.log.append(step(index))))
      const verification = await subject.log.verify()
      expect(verification).toMatchObject({ ok: true, count: 20 })
    })

    it('masks secrets at any depth', async () => {
      const record = await subject.log.append({
        actor: 'system',
        action: 'step-execute',
        detail: {
          password: 'Hunter2!',
          nested: { apiKey: 'sk-123', ok: 'kept' },
          list: [{ token: 't' }],
        },
      })
      expect(JSON.stringify(record)).not.toMatch(/Hunter2|sk-123|"t"/)
      expect(record.detail).toEqual({
        password: '[redacted]',
        nested: { apiKey: '[redacted]', ok: 'kept' },
        list: [{ token: '[redacted]' }],
      })
    })

    it('survives a reopen', async () => {
      await subject.log.append(step(1))
      const reopened = await subject.reopen()
      await reopened.append(step(2))
      expect(await reopened.verify()).toMatchObject({ ok: true, count: 2 })
      await reopened.close()
    })

    it('refuses updates and deletes through its own store', async () => {
      await subject.log.append(step(1))
      await expect(subject.tamper("UPDATE audit_records SET actor = 'mallory'")).rejects.toThrow(
        /append-only/,
      )
      await expect(subject.tamper('DELETE FROM audit_records')).rejects.toThrow(/append-only/)
    })

    it('refuses to move its head back or delete it through its own store', async () => {
      await subject.log.append(step(1))
      await subject.log.append(step(2))
      await expect(subject.tamper('UPDATE audit_head SET count = 1')).rejects.toThrow(
        /only moves forward/,
      )
      await expect(subject.tamper('DELETE FROM audit_head')).rejects.toThrow(/only moves forward/)
    })

    it('detects its end cut off and its head rewound to match, from its checkpoints', async () => {
      for (let index = 1; index <= 4; index += 1) await subject.log.append(step(index))
      await subject.tamper(
        'DROP TRIGGER audit_records_no_delete; DROP TRIGGER audit_head_forward; DELETE FROM audit_records WHERE sequence = 4; UPDATE audit_head SET count = 3, hash = (SELECT hash FROM audit_records WHERE sequence = 3)',
      )
      expect(await subject.log.verify()).toMatchObject({
        ok: false,
        problem: 'behind-checkpoint',
        sequence: 4,
        reason: expect.stringMatching(/ends at record 3 but .* says 4 records were written/),
      })
    })

    it('detects a wiped log, head and all, from its checkpoints', async () => {
      for (let index = 1; index <= 3; index += 1) await subject.log.append(step(index))
      await subject.tamper(
        'DROP TRIGGER audit_records_no_delete; DROP TRIGGER audit_head_no_delete; DELETE FROM audit_records; DELETE FROM audit_head',
      )
      expect(await subject.log.verify()).toMatchObject({
        ok: false,
        problem: 'wiped',
        reason: expect.stringMatching(/empty but .* says 3 records were written/),
      })
    })

    it('detects a changed record, naming it', async () => {
      for (let index = 1; index <= 4; index += 1) await subject.log.append(step(index))
      await subject.tamper(
        "DROP TRIGGER audit_records_no_update; UPDATE audit_records SET detail = replace(detail, 'Spooler', 'Everything') WHERE sequence = 3",
      )
      expect(await subject.log.verify()).toMatchObject({
        ok: false,
        sequence: 3,
        reason: expect.stringMatching(/changed/),
      })
    })

    it('detects a record deleted in the middle and at the end', async () => {
      for (let index = 1; index <= 4; index += 1) await subject.log.append(step(index))
      await subject.tamper(
        'DROP TRIGGER audit_records_no_delete; DELETE FROM audit_records WHERE sequence = 2',
      )
      expect(await subject.log.verify()).toMatchObject({
        ok: false,
        sequence: 2,
        reason: expect.stringMatching(/missing/),
      })
      const fresh = await initializer.create()
      for (let index = 1; index <= 4; index += 1) await fresh.log.append(step(index))
      await fresh.tamper(
        'DROP TRIGGER audit_records_no_delete; DELETE FROM audit_records WHERE sequence = 4',
      )
      expect(await fresh.log.verify()).toMatchObject({
        ok: false,
        sequence: 4,
        reason: expect.stringMatching(/removed from the end/),
      })
      await fresh.log.close()
    })
  })
}
