/**
 * A project store seeded with known conversations, audit records and ratings for 1-3 March 2026,
 * whose analytics are worked out by hand in analytics-service.test.ts (and shown by the browser
 * test's screenshots). One SQLite file holds all three, as on a server.
 * @module
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { ConversationEntry, ReplyView } from '../../agent/core/session.ts'
import { SqliteSessionStore } from '../../agent/core/sqlite-session-store.ts'
import type { AuditEntry } from '../../audit/audit-log.ts'
import { SqliteAuditLog } from '../../audit/sqlite-audit-log.ts'
import type { StepResult } from '../../executors/executor.ts'
import { SqliteReplyFeedbackStore } from '../feedback/sqlite-reply-feedback-store.ts'

type Turn = { at: string; user: string; reply: ReplyView }

function result(stepId: string, status: StepResult['status']): StepResult {
  return { stepId, status } as StepResult
}

/** Who wrote what when, and what each reply showed. Times are UTC. */
export const SEEDED_CONVERSATIONS: Array<{ owner: string; turns: Turn[] }> = [
  // Resolved: the password was reset.
  {
    owner: 'alice',
    turns: [
      {
        at: '2026-03-01T09:00:00.000Z',
        user: 'reset my password',
        reply: { tasks: ['password_reset'], results: [result('reset', 'succeeded')] },
      },
    ],
  },
  // Handed off after a failed step.
  {
    owner: 'bob',
    turns: [
      {
        at: '2026-03-01T10:00:00.000Z',
        user: 'vpn is down',
        reply: { tasks: ['vpn_not_connecting'], results: [result('restart_vpn', 'failed')] },
      },
      {
        at: '2026-03-01T10:05:00.000Z',
        user: 'a person please',
        reply: { tasks: [], handoff: { reason: 'requested' } },
      },
    ],
  },
  // Two requests, one waiting for approval: neither resolved nor handed off.
  {
    owner: 'carol',
    turns: [
      {
        at: '2026-03-02T08:00:00.000Z',
        user: 'printer jammed and password expired',
        reply: {
          tasks: ['printer_not_working', 'password_reset'],
          approvals: [
            {
              id: 'r3',
              level: 1,
              needs: 'a technician',
              stepIds: ['clear_queue'],
            } as unknown as NonNullable<ReplyView['approvals']>[number],
          ],
        },
      },
    ],
  },
  // A how-to question answered from the runbooks: resolved, no request.
  {
    owner: 'dave',
    turns: [
      {
        at: '2026-03-02T12:00:00.000Z',
        user: 'how do I map a shared drive?',
        reply: { tasks: [], answer: { text: 'Open Explorer...', sources: [] } },
      },
    ],
  },
  // Only a dry run: not resolved.
  {
    owner: 'erin',
    turns: [
      {
        at: '2026-03-03T09:00:00.000Z',
        user: 'reset my password',
        reply: { tasks: ['password_reset'], results: [result('reset', 'dry_run')] },
      },
    ],
  },
  // Before the range: not counted.
  {
    owner: 'frank',
    turns: [
      {
        at: '2026-02-20T09:00:00.000Z',
        user: 'wifi',
        reply: { tasks: ['wifi_not_working'], results: [result('renew', 'succeeded')] },
      },
    ],
  },
  // Begun before the range, continued in it: the conversation counts (and resolved), its request
  // (first replied to on 28 February) does not.
  {
    owner: 'gina',
    turns: [
      {
        at: '2026-02-28T16:00:00.000Z',
        user: 'wifi drops',
        reply: { tasks: ['wifi_not_working'] },
      },
      {
        at: '2026-03-01T11:00:00.000Z',
        user: 'still',
        reply: { tasks: ['wifi_not_working'], results: [result('renew', 'succeeded')] },
      },
    ],
  },
]

/** [time, record]: approvals r1-r5 requested in the range (r0 before it), failed steps. */
export const SEEDED_AUDIT: Array<[string, AuditEntry]> = [
  ['2026-02-27T09:00:00.000Z', approval('approval-request', 'r0')],
  ['2026-02-28T10:00:00.000Z', failure('unlock', 'account_locked', 'LT-9')],
  ['2026-03-01T09:00:00.000Z', approval('approval-grant', 'r0')],
  ['2026-03-01T09:30:00.000Z', approval('approval-request', 'r1')],
  ['2026-03-01T09:40:00.000Z', approval('approval-grant', 'r1')],
  ['2026-03-01T10:00:00.000Z', approval('approval-request', 'r2')],
  ['2026-03-01T10:30:00.000Z', failure('unlock', 'account_locked', 'LT-1')],
  [
    '2026-03-01T10:31:00.000Z',
    {
      actor: 'system',
      action: 'step-result',
      target: 'LT-1',
      detail: { stepId: 'unlock', taskType: 'account_locked', status: 'succeeded' },
    },
  ],
  ['2026-03-01T11:00:00.000Z', approval('approval-deny', 'r2')],
  ['2026-03-02T08:00:00.000Z', approval('approval-request', 'r3')],
  ['2026-03-02T08:05:00.000Z', approval('approval-grant', 'r3')],
  ['2026-03-02T08:06:00.000Z', approval('approval-grant', 'r3')],
  ['2026-03-02T09:00:00.000Z', approval('approval-request', 'r4')],
  ['2026-03-02T09:10:00.000Z', failure('unlock', 'account_locked', 'LT-2')],
  ['2026-03-02T09:20:00.000Z', failure('restart_spooler', 'printer_not_working', 'PRN-1')],
  ['2026-03-03T15:00:00.000Z', approval('approval-request', 'r5')],
  ['2026-03-04T09:00:00.000Z', approval('approval-grant', 'r4')],
  ['2026-03-04T10:00:00.000Z', failure('unlock', 'account_locked', 'LT-3')],
]

function approval(action: string, id: string): AuditEntry {
  return { actor: 'tom', action, requestId: id, detail: { approvalId: id } }
}

function failure(stepId: string, taskType: string, target: string): AuditEntry {
  return {
    actor: 'system',
    action: 'step-result',
    target,
    detail: { stepId, taskType, status: 'failed' },
  }
}

/** [owner index in SEEDED_CONVERSATIONS, reply index in its history, rating, time]. */
export const SEEDED_RATINGS: Array<[number, number, 'up' | 'down', string]> = [
  [0, 1, 'up', '2026-03-01T09:01:00.000Z'],
  [1, 1, 'down', '2026-03-01T10:01:00.000Z'],
  [1, 3, 'down', '2026-03-01T10:06:00.000Z'],
  [2, 1, 'up', '2026-03-02T08:01:00.000Z'],
  [5, 1, 'up', '2026-02-20T09:01:00.000Z'],
]

export interface SeededStore {
  file: string
  sessions: SqliteSessionStore
  audit: SqliteAuditLog
  feedback: SqliteReplyFeedbackStore
  /** Session ids in the order of SEEDED_CONVERSATIONS. */
  ids: string[]
  close(): Promise<void>
}

/** Seeds `file` (default: a new temporary one) and returns its stores, open. */
export async function seedAnalyticsStore(
  file = path.join(mkdtempSync(path.join(tmpdir(), 'analytics-')), 'helpdesk.sqlite'),
): Promise<SeededStore> {
  let clock = new Date(0)
  const now = () => clock
  const sessions = new SqliteSessionStore({ file, now })
  const audit = new SqliteAuditLog({ file, now })
  const feedback = new SqliteReplyFeedbackStore({ file })
  const ids: string[] = []
  for (const conversation of SEEDED_CONVERSATIONS) {
    clock = new Date(conversation.turns[0]?.at ?? 0)
    const session = await sessions.create(conversation.owner, { owner: conversation.owner })
    ids.push(session.id)
    for (const turn of conversation.turns) {
      clock = new Date(turn.at)
      const replied = new Date(Date.parse(turn.at) + 5000).toISOString()
      const entries: ConversationEntry[] = [
        { role: 'user', text: turn.user, at: turn.at },
        { role: 'assistant', text: 'reply', at: replied, view: turn.reply },
      ]
      session.history.push(...entries)
      await sessions.save(session)
    }
  }
  for (const [at, entry] of SEEDED_AUDIT) {
    clock = new Date(at)
    await audit.append(entry)
  }
  for (const [index, reply, rating, at] of SEEDED_RATINGS) {
    const conversation = SEEDED_CONVERSATIONS[index]
    const turn = conversation?.turns[(reply - 1) / 2]
    await feedback.rate({
      sessionId: ids[index] ?? '',
      reply,
      owner: conversation?.owner ?? '',
      rating,
      taskTypes: [...(turn?.reply.tasks ?? [])],
      at,
    })
  }
  return {
    file,
    sessions,
    audit,
    feedback,
    ids,
    close: async () => {
      await feedback.close()
      await audit.close()
      await sessions.close()
    },
  }
}
