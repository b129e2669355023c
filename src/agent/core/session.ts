/** One line of a conversation. */
export interface ConversationEntry {
  role: 'user' | 'assistant'
  text: string
  at: string
}

/** The question the agent is waiting on: which parameter of which task. */
export interface PendingQuestion {
  taskType: string
  parameter: string
}

/** A conversation: what was said, what is known, and what is still to be done. */
export interface Session {
  id: string
  requester?: string
  createdAt: string
  updatedAt: string
  history: ConversationEntry[]
  /** Parameter values people gave in this conversation, by parameter name. */
  known: Record<string, string>
  /** Task types still waiting for parameters, in the order they were asked for. */
  queue: string[]
  pending?: PendingQuestion
}

/**
 * Where conversations live between turns. `MemorySessionStore` is the default; a persistent
 * store replaces it without touching the core.
 */
export interface SessionStore {
  create(requester?: string): Promise<Session>
  /** @returns undefined for an unknown id. */
  get(id: string): Promise<Session | undefined>
  save(session: Session): Promise<void>
}
