import { z } from 'zod'
import type { PendingQuestion, ReplyView, Session, SessionSummary } from './session.ts'

/**
 * A session's changing part as one JSON document, and the mapping of a `chat_sessions` row to a
 * session or its summary, shared by the SQLite and PostgreSQL session stores (each keeps only
 * its SQL): what is written, and the schema it is read back through.
 * @module
 */

/** What changes from turn to turn, stored as one JSON document. */
export const stateSchema = z.object({
  history: z.array(
    z.object({
      role: z.enum(['user', 'assistant']),
      text: z.string(),
      at: z.string(),
      approvalId: z.string().optional(),
      jobId: z.string().optional(),
      // Written by the core from a TurnResult and only ever shown again: kept as stored.
      view: z.custom<ReplyView>((value) => typeof value === 'object' && value !== null).optional(),
    }),
  ),
  known: z.record(z.string(), z.string()),
  queue: z.array(z.string()),
  pending: z
    .object({
      taskType: z.string(),
      parameter: z.string(),
      helped: z.boolean().optional(),
      reminded: z.boolean().optional(),
      only: z.array(z.string()).optional(),
    })
    .optional(),
  lastTasks: z.array(z.string()).optional(),
  skipped: z.array(z.string()).optional(),
})

export function stateOf(session: Session): z.infer<typeof stateSchema> {
  return {
    history: session.history,
    known: session.known,
    queue: session.queue,
    ...(session.pending ? { pending: session.pending } : {}),
    ...(session.lastTasks ? { lastTasks: session.lastTasks } : {}),
    ...(session.skipped ? { skipped: session.skipped } : {}),
  }
}

export function pendingOf(
  stored: NonNullable<z.infer<typeof stateSchema>['pending']>,
): PendingQuestion {
  return {
    taskType: stored.taskType,
    parameter: stored.parameter,
    ...(stored.helped ? { helped: true } : {}),
    ...(stored.reminded ? { reminded: true } : {}),
    ...(stored.only ? { only: stored.only } : {}),
  }
}

/** One row of `chat_sessions`, as both databases return it. */
export interface SessionRow {
  id: string
  owner: string | null
  requester: string | null
  created_at: string
  updated_at: string
  first_message: string | null
  state: string
}

export function sessionFromRow(row: SessionRow): Session {
  const state = stateSchema.parse(JSON.parse(row.state))
  return {
    id: row.id,
    ...(row.requester !== null ? { requester: row.requester } : {}),
    ...(row.owner !== null ? { owner: row.owner } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    history: state.history,
    known: state.known,
    queue: state.queue,
    ...(state.pending ? { pending: pendingOf(state.pending) } : {}),
    ...(state.lastTasks ? { lastTasks: state.lastTasks } : {}),
    ...(state.skipped ? { skipped: state.skipped } : {}),
  }
}

export function summaryFromRow(
  row: Pick<SessionRow, 'id' | 'requester' | 'created_at' | 'updated_at' | 'first_message'>,
): SessionSummary {
  return {
    id: row.id,
    ...(row.requester !== null ? { requester: row.requester } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.first_message !== null ? { firstMessage: row.first_message } : {}),
  }
}
