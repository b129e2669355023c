/**
 * PostgreSQL LISTEN for the distributed job engine, on one connection of its own: every event a
 * job store appends (`NOTIFY helpdesk_job_events` from `postgres-job-store.ts`, delivered at
 * commit) wakes this process's followers of that job, so a page connected to any API replica
 * sees a worker's progress at once; a cancel (`helpdesk_job_cancels`) reaches the worker running
 * the job. Notifications of another schema (another deployment or test on the same server) are
 * ignored. A dropped connection is reopened; the followers' poll covers the gap.
 * @module
 */
import pg from 'pg'
import type { PostgresDatabase } from '../store/postgres/postgres-database.ts'
import { JOB_EVENTS_CHANNEL } from './postgres-job-store.ts'

export const JOB_CANCELS_CHANNEL = 'helpdesk_job_cancels'
const RECONNECT_MS = 1000

export interface JobNotificationHandlers {
  /** An event of job `jobId` was stored. */
  event?(jobId: string): void
  /** Someone asked to cancel job `jobId`. */
  cancel?(jobId: string): void
}

export class JobNotifications {
  private client: pg.Client | undefined
  private closed = false
  private reconnectTimer: NodeJS.Timeout | undefined

  private readonly database: PostgresDatabase
  private readonly handlers: JobNotificationHandlers
  private readonly log: (line: string) => void

  private constructor(
    database: PostgresDatabase,
    handlers: JobNotificationHandlers,
    log: (line: string) => void,
  ) {
    this.database = database
    this.handlers = handlers
    this.log = log
  }

  /** Listens before it returns, so nothing committed after that is missed. */
  static async listen(
    database: PostgresDatabase,
    handlers: JobNotificationHandlers,
    log: (line: string) => void,
  ): Promise<JobNotifications> {
    const notifications = new JobNotifications(database, handlers, log)
    await notifications.connect()
    return notifications
  }

  /** Tells every listening process that job `jobId` is to be cancelled (sent at commit). */
  static async sendCancel(database: PostgresDatabase, jobId: string): Promise<void> {
    await database.pool.query(`SELECT pg_notify($1, current_schema() || ' ' || $2)`, [
      JOB_CANCELS_CHANNEL,
      jobId,
    ])
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.reconnectTimer)
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => undefined)
  }

  private async connect(): Promise<void> {
    // A client of the pool's own settings: same server, same credentials, never logged.
    const client = new pg.Client(this.database.pool.options)
    client.on('notification', (message) => this.dispatch(message.channel, message.payload ?? ''))
    client.on('error', (error) => {
      this.log(
        `job notifications: the LISTEN connection failed (${this.database.scrub(error.message)}); reconnecting`,
      )
      this.scheduleReconnect(client)
    })
    client.on('end', () => this.scheduleReconnect(client))
    await client.connect()
    await client.query(`LISTEN ${JOB_EVENTS_CHANNEL}`)
    await client.query(`LISTEN ${JOB_CANCELS_CHANNEL}`)
    this.client = client
  }

  private scheduleReconnect(client: pg.Client): void {
    if (this.closed || this.client !== client) return
    this.client = undefined
    client.end().catch(() => undefined)
    this.reconnectTimer = setTimeout(() => void this.retry(), RECONNECT_MS)
    this.reconnectTimer.unref()
  }

  private async retry(): Promise<void> {
    if (this.closed) return
    try {
      await this.connect()
    } catch (error) {
      this.log(
        `job notifications: reconnecting failed (${this.database.scrub(error instanceof Error ? error.message : String(error))})`,
      )
      this.reconnectTimer = setTimeout(() => void this.retry(), RECONNECT_MS)
      this.reconnectTimer.unref()
    }
  }

  private dispatch(channel: string, payload: string): void {
    const [schema, jobId] = payload.split(' ')
    if (schema !== this.database.schema || !jobId) return
    if (channel === JOB_EVENTS_CHANNEL) this.handlers.event?.(jobId)
    else if (channel === JOB_CANCELS_CHANNEL) this.handlers.cancel?.(jobId)
  }
}
