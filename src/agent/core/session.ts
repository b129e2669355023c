import type { TurnResult } from './turn.ts'

/**
 * What an assistant turn showed beside its text (plan cards, step results, the question's quick
 * replies, the approval requests it opened, a hand-off or an answer's sources), so a reload shows
 * the conversation as it was, not as text only.
 */
export type ReplyView = Partial<
  Pick<
    TurnResult,
    'tasks' | 'plan' | 'results' | 'missing' | 'approvals' | 'outOfScope' | 'handoff' | 'answer'
  >
>

/** One line of a conversation. */
export interface ConversationEntry {
  role: 'user' | 'assistant'
  text: string
  at: string
  /** Set on the assistant's note of how an approval request of this conversation ended. */
  approvalId?: string
  /** Set on the note that an approved operation is running: the job the chat page can follow. */
  jobId?: string
  /** An assistant turn's plans, results and question, for showing it again. */
  view?: ReplyView
}

/** The question the agent is waiting on: which parameter of which task. */
export interface PendingQuestion {
  taskType: string
  parameter: string
  /** Set once the person said they don't know it and got help: a second time hands off. */
  helped?: boolean
  /** Set once small talk re-asked it: it is not repeated under every remark. */
  reminded?: boolean
  /**
   * A follow-up asked after the task was planned (an optional value that enables more steps):
   * the ids of the steps its answer plans. The rest of the task was planned already.
   */
  only?: string[]
  /**
   * The requester's own machine (and its system), inferred from how the task was reported ("my
   * print jobs are stuck"): still meant when the answer to this question names no machine.
   */
  implied?: Record<string, string>
}

/** A conversation: what was said, what is known, and what is still to be done. */
export interface Session {
  id: string
  /** Whose requests these are: fills the `username` slot. Fixed for the session. */
  requester?: string
  /**
   * The signed-in user the conversation belongs to: only they (and admins) may see or continue
   * it. Differs from `requester` when a technician acts for someone. Absent without sign-in.
   */
  owner?: string
  createdAt: string
  updatedAt: string
  history: ConversationEntry[]
  /** Parameter values people gave in this conversation, by parameter name. */
  known: Record<string, string>
  /** Task types still waiting for parameters, in the order they were asked for. */
  queue: string[]
  pending?: PendingQuestion
  /** The task types last planned, for "same for maria.garcia". */
  lastTasks?: string[]
  /**
   * Optional parameters the person did not know ("taskType:parameter"): their task is planned
   * without the steps that need them.
   */
  skipped?: string[]
}

/** A line of a user's list of conversations. */
export interface SessionSummary {
  id: string
  requester?: string
  createdAt: string
  updatedAt: string
  /** The first thing the user wrote, or undefined while nothing was said. */
  firstMessage?: string
}

/**
 * Where conversations live between turns. `MemorySessionStore` keeps them in process memory (lost
 * on restart); `SqliteSessionStore` keeps them in the project store. The core does not know which.
 *
 * Contract (checked by `session-store-contract.case.test.ts` for every implementation):
 * - `create` returns a new session with a unique id, empty history, known values and queue.
 * - `get` returns a copy: changing it changes nothing until `save`; an unknown id is undefined.
 * - `save` stores the whole session (history, known values, queue, pending question) and sets
 *   `updatedAt` to the time of saving; `requester`, `owner` and `createdAt` never change.
 * - `listFor(owner)` returns only that owner's sessions, most recently updated first.
 * - A persistent store keeps all of it across closing and reopening.
 */
export interface SessionStore {
  create(requester?: string, options?: { owner?: string }): Promise<Session>
  /** @returns undefined for an unknown id. */
  get(id: string): Promise<Session | undefined>
  save(session: Session): Promise<void>
  /** The owner's sessions, newest activity first, at most `limit` (default 50). */
  listFor(owner: string, options?: { limit?: number }): Promise<SessionSummary[]>
}

/**
 * Reading conversations across owners, for the technicians' analytics: every session active in a
 * time range (created before its end, updated at or after its start), oldest activity first.
 * Implemented by the persistent stores and the memory store; the chat never calls it.
 */
export interface ConversationArchive {
  /** @param range ISO 8601 instants, `from` inclusive, `to` exclusive; at most `limit` sessions. */
  listActive(range: { from: string; to: string; limit: number }): Promise<Session[]>
}

/** A new, empty conversation: what every session store's `create` starts from. */
export function newSession(id: string, at: string, requester?: string, owner?: string): Session {
  return {
    id,
    ...(requester ? { requester } : {}),
    ...(owner ? { owner } : {}),
    createdAt: at,
    updatedAt: at,
    history: [],
    known: {},
    queue: [],
  }
}
