/**
 * The technicians' analytics: reads the conversations, the audit trail and the reply ratings of
 * a time range through the store interfaces (so SQLite and PostgreSQL alike) and puts every
 * figure in a table: the page draws its charts from the tables and shows them as text, and the
 * CSV export is the same tables.
 * @module
 */
import type { ConversationArchive } from '../agent/core/session.ts'
import type { AuditLog, AuditRecord } from '../audit/audit-log.ts'
import type { AnalyticsRange, AnalyticsSection } from './analytics-range.ts'
import { auditFigures } from './audit-figures.ts'
import { conversationFigures } from './conversation-figures.ts'
import type { ReplyFeedbackStore } from './feedback/reply-feedback.ts'
import { minutesFor, NO_TIME_SAVED, type TimeSavedSettings } from './time-saved-settings.ts'

export type Cell = string | number | null

export interface AnalyticsTable {
  title: string
  columns: string[]
  rows: Cell[][]
}

export interface AnalyticsReport {
  range: { from: string; to: string }
  totals: {
    conversations: number
    requests: number
    resolvedWithoutTechnician: number
    /** 0..1, or null with no conversations. */
    resolvedShare: number | null
    handedOff: number
    handedOffShare: number | null
    approvalsRequested: number
    approvalP50Minutes: number | null
    approvalP90Minutes: number | null
    minutesSaved: number
    thumbsUp: number
    thumbsDown: number
  }
  tables: Record<AnalyticsSection, AnalyticsTable>
  /** Set when a store held more than is read for one report: the figures cover a part. */
  truncated?: string
}

/** More conversations than this in one range are not read (the report says so). */
const MOST_CONVERSATIONS = 50_000
/** Audit records read per page, and at most in all, from the newest back to the range. */
const AUDIT_PAGE = 1000
const MOST_AUDIT_RECORDS = 500_000

export interface AnalyticsSources {
  conversations: ConversationArchive
  audit?: AuditLog
  feedback?: ReplyFeedbackStore
  timeSaved?: TimeSavedSettings
}

function share(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 1000
}

function byCount(map: Map<string, number>): Array<[string, number]> {
  return [...map].sort((one, other) => other[1] - one[1] || one[0].localeCompare(other[0], 'en'))
}

export class AnalyticsService {
  private readonly sources: AnalyticsSources

  constructor(sources: AnalyticsSources) {
    this.sources = sources
  }

  async report(range: AnalyticsRange): Promise<AnalyticsReport> {
    const limits: string[] = []
    const sessions = await this.sources.conversations.listActive({
      from: range.start,
      to: range.end,
      limit: MOST_CONVERSATIONS,
    })
    if (sessions.length >= MOST_CONVERSATIONS)
      limits.push(`only the first ${MOST_CONVERSATIONS} conversations were read`)
    const records = await this.auditFrom(range.start, limits)
    const ratings =
      (await this.sources.feedback?.listBetween({
        from: range.start,
        to: range.end,
      })) ?? []
    const talk = conversationFigures(sessions, range)
    const audit = auditFigures(records, range)
    const settings = this.sources.timeSaved ?? NO_TIME_SAVED

    const saved = byCount(talk.resolvedByType).map(([taskType, resolved]) => {
      const each = minutesFor(settings, taskType)
      return [taskType, resolved, each, Math.round(resolved * each * 10) / 10] as Cell[]
    })
    const minutesSaved = Math.round(saved.reduce((sum, row) => sum + Number(row[3]), 0) * 10) / 10
    const feedbackByType = new Map<string, { up: number; down: number }>()
    for (const rating of ratings)
      for (const taskType of rating.taskTypes.length > 0 ? rating.taskTypes : ['(no task)']) {
        const counts = feedbackByType.get(taskType) ?? { up: 0, down: 0 }
        counts[rating.rating] += 1
        feedbackByType.set(taskType, counts)
      }
    const thumbsUp = ratings.filter((rating) => rating.rating === 'up').length
    const thumbsDown = ratings.length - thumbsUp
    const requests = [...talk.requestsByType.values()].reduce((sum, count) => sum + count, 0)

    const report: AnalyticsReport = {
      range: { from: range.from, to: range.to },
      totals: {
        conversations: talk.conversations,
        requests,
        resolvedWithoutTechnician: talk.resolvedWithoutTechnician,
        resolvedShare: share(talk.resolvedWithoutTechnician, talk.conversations),
        handedOff: talk.handedOff,
        handedOffShare: share(talk.handedOff, talk.conversations),
        approvalsRequested: audit.approvals.requested,
        approvalP50Minutes: audit.approvals.p50Minutes,
        approvalP90Minutes: audit.approvals.p90Minutes,
        minutesSaved,
        thumbsUp,
        thumbsDown,
      },
      tables: {
        'requests-by-type': {
          title: 'Requests by task type',
          columns: ['task type', 'requests'],
          rows: byCount(talk.requestsByType),
        },
        'requests-by-day': {
          title: 'Requests and conversations by day (UTC)',
          columns: ['day', 'requests', 'conversations'],
          rows: range.days.map((day) => [
            day,
            talk.requestsByDay.get(day) ?? 0,
            talk.conversationsByDay.get(day) ?? 0,
          ]),
        },
        outcomes: {
          title: 'How conversations ended',
          columns: ['outcome', 'conversations', 'share'],
          rows: [
            [
              'resolved with no technician',
              talk.resolvedWithoutTechnician,
              share(talk.resolvedWithoutTechnician, talk.conversations),
            ],
            ['handed off', talk.handedOff, share(talk.handedOff, talk.conversations)],
            [
              'other (approval, open question, failed or dry run)',
              talk.conversations - talk.resolvedWithoutTechnician - talk.handedOff,
              share(
                talk.conversations - talk.resolvedWithoutTechnician - talk.handedOff,
                talk.conversations,
              ),
            ],
          ],
        },
        'approval-turnaround': {
          title: 'Approval turnaround',
          columns: ['requested', 'decided', 'p50 minutes', 'p90 minutes'],
          rows: [
            [
              audit.approvals.requested,
              audit.approvals.decided,
              audit.approvals.p50Minutes,
              audit.approvals.p90Minutes,
            ],
          ],
        },
        'time-saved': {
          title: 'Time saved',
          columns: ['task type', 'resolved requests', 'minutes each', 'minutes saved'],
          rows: saved,
        },
        'failing-steps': {
          title: 'Most failing steps',
          columns: ['step', 'task type', 'failures'],
          rows: audit.failingSteps.map((step) => [step.stepId, step.taskType, step.failures]),
        },
        'failing-machines': {
          title: 'Most failing machines',
          columns: ['machine', 'failures'],
          rows: audit.failingMachines.map((machine) => [machine.machine, machine.failures]),
        },
        feedback: {
          title: 'Employee feedback on replies',
          columns: ['task type', 'thumbs up', 'thumbs down'],
          rows: [...feedbackByType]
            .sort(
              (one, other) =>
                other[1].up + other[1].down - (one[1].up + one[1].down) ||
                one[0].localeCompare(other[0], 'en'),
            )
            .map(([taskType, counts]) => [taskType, counts.up, counts.down]),
        },
      },
    }
    if (limits.length > 0) report.truncated = limits.join('; ')
    return report
  }

  /** Every audit record from `start` on, read from the newest back (the audit has no time index). */
  private async auditFrom(start: string, limits: string[]): Promise<AuditRecord[]> {
    const audit = this.sources.audit
    if (!audit) return []
    const records: AuditRecord[] = []
    let before: number | undefined
    while (records.length < MOST_AUDIT_RECORDS) {
      const page = await audit.list({
        newest: true,
        limit: AUDIT_PAGE,
        ...(before !== undefined ? { before } : {}),
      })
      for (const record of page) if (record.at >= start) records.push(record)
      const oldest = page.at(-1)
      if (page.length < AUDIT_PAGE || !oldest || oldest.at < start) return records
      before = oldest.sequence
    }
    limits.push(`only the newest ${MOST_AUDIT_RECORDS} audit records were read`)
    return records
  }
}
