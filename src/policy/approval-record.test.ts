import { describe, expect, it } from 'vitest'
import { type ApprovalRecord, approvalCovers } from './approval-record.ts'

const approval = (approver: string): ApprovalRecord => ({
  id: 'approval-1',
  approver,
  approvedAt: '2026-12-01T10:00:00.000Z',
  level: 2,
  scope: 'plan',
  via: 'api',
})
const step = { id: 'account_locked.unlock_ad_account', approvalLevel: 2 as const }

describe('approvalCovers', () => {
  it('refuses a level-2 approval by the requester, whatever the case of the name', () => {
    for (const approver of ['jdoe', 'JDoe', 'JDOE']) {
      expect(approvalCovers(approval(approver), step, 'jdoe'), approver).toEqual({
        ok: false,
        reason:
          'a technician other than the requester and whoever asked for it must approve this step',
      })
    }
    expect(approvalCovers(approval('tech.anna'), step, 'jdoe')).toEqual({ ok: true })
  })

  it('refuses a level-2 approval by the technician who caused the request for someone else', () => {
    expect(approvalCovers(approval('Tom'), step, 'carol', 'tom')).toMatchObject({ ok: false })
    expect(approvalCovers(approval('tina'), step, 'carol', 'tom')).toEqual({ ok: true })
  })
})
