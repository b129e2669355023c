/**
 * Where jobs, their cells and their events are kept: the only storage the engine touches, so the
 * embedded SQLite store (`sqlite-job-store.ts`) can become a shared database behind a queue.
 * Asynchronous for that reason, though the embedded one answers at once.
 * @module
 */
import type {
  JobCell,
  JobEvent,
  JobEventBody,
  JobListFilter,
  JobRecord,
  JobStatus,
} from './job-model.ts'

export type CellChange = Omit<JobCell, 'stepIndex' | 'target'>

export interface JobStore {
  /** Stores a new job with every cell pending; refuses an id that exists. */
  create(job: JobRecord): Promise<void>
  get(id: string): Promise<JobRecord | undefined>
  /** Jobs that match every given filter, newest (by creation) first, at most `limit` (default 50). */
  list(filter: JobListFilter): Promise<JobRecord[]>
  cells(id: string): Promise<JobCell[]>
  /** Replaces the cell's state fields (committed when it returns). */
  updateCell(id: string, stepIndex: number, target: string, change: CellChange): Promise<void>
  setStatus(id: string, status: JobStatus, at: string): Promise<void>
  /** Appends the event with the next number of that job and returns it as stored. */
  append(id: string, body: JobEventBody): Promise<JobEvent>
  /** Events numbered above `afterId`, oldest first, at most `limit`. */
  eventsAfter(id: string, afterId: number, limit: number): Promise<JobEvent[]>
  lastEventId(id: string): Promise<number>
  /** Jobs not ended (running or cancelling), oldest first. */
  unfinished(): Promise<string[]>
  close(): Promise<void>
}
