import { randomUUID } from 'node:crypto'
import {
  type ConversationArchive,
  newSession,
  type Session,
  type SessionStore,
  type SessionSummary,
} from './session.ts'

/** Sessions in process memory, oldest evicted past `capacity`. Lost on restart. */
export class MemorySessionStore implements SessionStore, ConversationArchive {
  private readonly sessions = new Map<string, Session>()
  /** Kept apart from the history, which the core trims, so a summary's first message stays put. */
  private readonly firstMessages = new Map<string, string>()
  private readonly capacity: number
  private readonly now: () => Date

  constructor(options: { capacity?: number; now?: () => Date } = {}) {
    this.capacity = options.capacity ?? 10_000
    this.now = options.now ?? (() => new Date())
  }

  async create(requester?: string, options: { owner?: string } = {}): Promise<Session> {
    const at = this.now().toISOString()
    const session = newSession(randomUUID(), at, requester, options.owner)
    this.store(session)
    return structuredClone(session)
  }

  async get(id: string): Promise<Session | undefined> {
    const session = this.sessions.get(id)
    return session ? structuredClone(session) : undefined
  }

  async save(session: Session): Promise<void> {
    const stored = this.sessions.get(session.id)
    const copy = structuredClone({ ...session, updatedAt: this.now().toISOString() })
    if (stored) {
      // Who a session is for and whose it is are fixed at creation.
      delete copy.requester
      delete copy.owner
      if (stored.requester) copy.requester = stored.requester
      if (stored.owner) copy.owner = stored.owner
      copy.createdAt = stored.createdAt
    }
    this.store(copy)
  }

  async listFor(owner: string, options: { limit?: number } = {}): Promise<SessionSummary[]> {
    const mine = [...this.sessions.values()].filter((session) => session.owner === owner)
    // The map is in order of saving, so the newest activity is last.
    return mine
      .reverse()
      .slice(0, options.limit ?? 50)
      .map((session) => ({
        id: session.id,
        ...(session.requester ? { requester: session.requester } : {}),
        createdAt: session.createdAt,
        updatedAt: session.updatedAt,
        ...(this.firstMessages.has(session.id)
          ? { firstMessage: this.firstMessages.get(session.id) }
          : {}),
      }))
  }

  async listActive(range: { from: string; to: string; limit: number }): Promise<Session[]> {
    return [...this.sessions.values()]
      .filter((session) => session.updatedAt >= range.from && session.createdAt < range.to)
      .sort((one, other) =>
        one.updatedAt < other.updatedAt ? -1 : one.updatedAt > other.updatedAt ? 1 : 0,
      )
      .slice(0, range.limit)
      .map((session) => structuredClone(session))
  }

  private store(session: Session): void {
    this.sessions.delete(session.id)
    this.sessions.set(session.id, session)
    const first = session.history.find((entry) => entry.role === 'user')
    if (first && !this.firstMessages.has(session.id)) this.firstMessages.set(session.id, first.text)
    while (this.sessions.size > this.capacity) {
      const oldest = this.sessions.keys().next().value
      if (oldest === undefined) break
      this.sessions.delete(oldest)
      this.firstMessages.delete(oldest)
    }
  }
}
