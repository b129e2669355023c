/**
 * The job engine: runs a workflow (steps x targets) in the background, durably, and tells its
 * progress as numbered events. One interface, so the embedded engine here (a worker pool in the
 * server process, state in the project store: `embedded-job-engine.ts`) can be swapped for a
 * distributed one on a queue with separate workers (the hosting issue) without touching the
 * routes, the page or the chat turn that starts jobs.
 *
 * Contract, for every implementation:
 * - `start` validates and stores the whole job (every cell `pending`) before it returns its id;
 *   a job refused there changes nothing. Steps that change anything need an approval.
 * - Per target, per step in order: the condition script first (non-zero: `skipped`, reason
 *   "condition not met"), the backup, the change, the verification (non-zero fails the step).
 *   A failed step skips the target's later steps and rolls back its completed steps that have a
 *   rollback, newest first (`rolled-back`). Other targets go on when `continueOnFailure`;
 *   otherwise targets not yet started are skipped.
 * - A cell is marked `running` in the store before its command leaves, so after a crash a
 *   restart (`recover`) turns it `unknown`, never runs it again, skips that target's later
 *   steps, and runs every other pending cell.
 * - `cancel` stops the commands running on the machines (the channel's signal) and records the
 *   running and pending cells `cancelled`.
 * - Every event is stored with its number before listeners hear of it: `follow` from any number
 *   replays what came after it and then the live events, so a client that reconnects misses
 *   nothing.
 * - Every script run is audited (who, where, the exact script, the outcome), as executors are.
 * @module
 */
import type { Workflow } from '../operations/workflow.ts'
import type { ApprovalRecord } from '../policy/approval-record.ts'
import type { JobEvent, JobListFilter, JobRecord, JobSummary, JobView } from './job-model.ts'

export interface StartJobOptions {
  /** Who the job is for: sees it and may cancel it. */
  requester: string
  /** Who starts it (the approving technician, the chat turn's caller); default the requester. */
  actor?: string
  /** Covers the workflow's changing steps; required when any step changes something. */
  approval?: ApprovalRecord
  sessionId?: string
  /** Targets at once (default the engine's). */
  concurrency?: number
}

export interface JobEngine {
  /**
   * Stores the job and starts it in the background.
   * @returns the job id, at once (the chat reply carries it)
   * @throws {HelpdeskError} INVALID_INPUT naming what is wrong (no steps, unknown target, a step
   *   with no script for a target's system...), AWAITING_APPROVAL when changing steps lack one
   */
  start(workflow: Workflow, options: StartJobOptions): Promise<string>
  /** The job's record, or undefined when there is none. */
  record(id: string): Promise<JobRecord | undefined>
  /** Jobs matching the filter, newest first, as list lines (no scripts). */
  list(filter: JobListFilter): Promise<JobSummary[]>
  /** The job's steps x targets view, or undefined. */
  view(id: string): Promise<JobView | undefined>
  /**
   * Events after `afterId` (0: from the start), then live ones until the job has ended and all
   * were delivered, or `signal` aborts.
   */
  follow(id: string, afterId: number, signal?: AbortSignal): AsyncIterable<JobEvent>
  /**
   * Stops the job: running commands are stopped on the machines, the rest recorded cancelled.
   * @returns false when the job had already ended
   */
  cancel(id: string, by: string): Promise<boolean>
  /** After a restart: cells left `running` become `unknown`, unfinished jobs carry on. */
  recover(): Promise<string[]>
  /** Resolves when the job has ended (tests, the benchmark). */
  settled(id: string): Promise<JobRecord | undefined>
  /** Stops taking work; running jobs are left as a crash would leave them. */
  close(): Promise<void>
}
