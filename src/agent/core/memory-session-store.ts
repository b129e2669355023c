import { randomUUID } from 'node:crypto'
import type { Session, SessionStore } from './session.ts'

/** Sessions in process memory, oldest evicted past `capacity`. Lost on restart. */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Session>()
  private readonly capacity: number
  private readonly now: () => Date

  constructor(options: { capacity?: number; now?: () => Date } = {}) {
    this.capacity = options.capacity ?? 10_000
    this.now = options.now ?? (() => new Date())
  }

  async create(requester?: string): Promise<Session> {
    const at = this.now().toISOString()
    const session: Session = {
      id: randomUUID(),
      ...(requester ? { requester } : {}),
      createdAt: at,
      updatedAt: at,
      history: [],
      known: {},
      queue: [],
    }
    await this.save(session)
    return session
  }

  async get(id: string): Promise<Session | undefined> {
    const session = this.sessions.get(id)
    return session ? structuredClone(session) : undefined
  }

  async save(session: Session): Promise<void> {
    this.sessions.delete(session.id)
    this.sessions.set(
      session.id,
      structuredClone({ ...session, updatedAt: this.now().toISOString() }),
    )
    while (this.sessions.size > this.capacity) {
      const oldest = this.sessions.keys().next().value
      if (oldest === undefined) break
      this.sessions.delete(oldest)
    }
  }
}
