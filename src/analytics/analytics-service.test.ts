import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAnalyticsQuery } from './analytics-range.ts'
import { AnalyticsService } from './analytics-service.ts'
import { percentile } from './audit-figures.ts'
import { type SeededStore, seedAnalyticsStore } from './testing/seeded-analytics.ts'

let seeded: SeededStore
let service: AnalyticsService
beforeAll(async () => {
  seeded = await seedAnalyticsStore()
  service = new AnalyticsService({
    conversations: seeded.sessions,
    audit: seeded.audit,
    feedback: seeded.feedback,
    timeSaved: { default: 10, minutes: { password_reset: 15 } },
  })
})
afterAll(async () => {
  await seeded.close()
})

function range(from: string, to: string) {
  const query = parseAnalyticsQuery({ from, to })
  if (query.format !== 'json') throw new Error('expected json')
  return query.range
}

describe('analytics of a seeded store (1-3 March 2026, worked out by hand)', () => {
  it('counts conversations, requests by type and by day, and how conversations ended', async () => {
    const report = await service.report(range('2026-03-01', '2026-03-03'))
    expect(report.range).toEqual({ from: '2026-03-01', to: '2026-03-03' })
    // alice, bob, carol, dave, erin, and gina (begun in February, continued on 1 March).
    expect(report.totals).toMatchObject({
      conversations: 6,
      requests: 5,
      resolvedWithoutTechnician: 3,
      resolvedShare: 0.5,
      handedOff: 1,
      handedOffShare: 0.167,
    })
    expect(report.tables['requests-by-type'].rows).toEqual([
      ['password_reset', 3],
      ['printer_not_working', 1],
      ['vpn_not_connecting', 1],
    ])
    expect(report.tables['requests-by-day'].rows).toEqual([
      ['2026-03-01', 2, 3],
      ['2026-03-02', 2, 2],
      ['2026-03-03', 1, 1],
    ])
    expect(report.tables.outcomes.rows).toEqual([
      ['resolved with no technician', 3, 0.5],
      ['handed off', 1, 0.167],
      ['other (approval, open question, failed or dry run)', 2, 0.333],
    ])
  })

  it('measures approval turnaround from request to first decision (p50, p90 by nearest rank)', async () => {
    const report = await service.report(range('2026-03-01', '2026-03-03'))
    // r1 10 min, r2 60, r3 5 (its second grant ignored), r4 2880 (decided after the range),
    // r5 undecided; r0 was requested before the range.
    expect(report.tables['approval-turnaround'].rows).toEqual([[5, 4, 10, 2880]])
    expect(report.totals).toMatchObject({
      approvalsRequested: 5,
      approvalP50Minutes: 10,
      approvalP90Minutes: 2880,
    })
  })

  it('prices resolved requests in minutes saved, per task type', async () => {
    const report = await service.report(range('2026-03-01', '2026-03-03'))
    // Only alice's password reset: gina's wifi request was made in February, dave asked a question.
    expect(report.tables['time-saved'].rows).toEqual([['password_reset', 1, 15, 15]])
    expect(report.totals.minutesSaved).toBe(15)
  })

  it('ranks failing steps and machines within the range', async () => {
    const report = await service.report(range('2026-03-01', '2026-03-03'))
    expect(report.tables['failing-steps'].rows).toEqual([
      ['unlock', 'account_locked', 2],
      ['restart_spooler', 'printer_not_working', 1],
    ])
    expect(report.tables['failing-machines'].rows).toEqual([
      ['LT-1', 1],
      ['LT-2', 1],
      ['PRN-1', 1],
    ])
  })

  it("sums the employees' ratings by the task types of the rated replies", async () => {
    const report = await service.report(range('2026-03-01', '2026-03-03'))
    expect(report.totals).toMatchObject({ thumbsUp: 2, thumbsDown: 2 })
    expect(report.tables.feedback.rows).toEqual([
      ['password_reset', 2, 0],
      ['(no task)', 0, 1],
      ['printer_not_working', 1, 0],
      ['vpn_not_connecting', 0, 1],
    ])
  })

  it('narrows to one day, and answers zeros (not errors) for a range with nothing', async () => {
    const second = await service.report(range('2026-03-02', '2026-03-02'))
    expect(second.totals).toMatchObject({
      conversations: 2,
      requests: 2,
      resolvedWithoutTechnician: 1,
      approvalsRequested: 2,
      approvalP50Minutes: 5,
      approvalP90Minutes: 2880,
    })
    expect(second.tables['failing-machines'].rows).toEqual([
      ['LT-2', 1],
      ['PRN-1', 1],
    ])
    const empty = await service.report(range('2025-01-01', '2025-01-02'))
    expect(empty.totals).toEqual({
      conversations: 0,
      requests: 0,
      resolvedWithoutTechnician: 0,
      resolvedShare: null,
      handedOff: 0,
      handedOffShare: null,
      approvalsRequested: 0,
      approvalP50Minutes: null,
      approvalP90Minutes: null,
      minutesSaved: 0,
      thumbsUp: 0,
      thumbsDown: 0,
    })
    expect(empty.tables['requests-by-day'].rows).toEqual([
      ['2025-01-01', 0, 0],
      ['2025-01-02', 0, 0],
    ])
  })
})

describe('percentile (nearest rank)', () => {
  it('is the smallest value with p% of the values at or below it', () => {
    expect(percentile([], 50)).toBeNull()
    expect(percentile([7], 90)).toBe(7)
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5)
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9)
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10)
  })
})
