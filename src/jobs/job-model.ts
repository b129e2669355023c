/**
 * What a background job is made of, shared by the engine, its store, the HTTP routes and the page:
 * a workflow's steps x its targets, one cell per pair with its state, and the numbered events
 * that tell its progress (the SSE stream replays them by number).
 * @module
 */

import type { Workflow } from '../operations/workflow.ts'
import type { ApprovalRecord } from '../policy/approval-record.ts'

/**
 * A cell's state. `unknown`: it started and the server stopped before its result was recorded
 * (never re-run); `skipped` always carries a reason (condition not met, an earlier step failed
 * there, the workflow stopped on failure); `rolled-back`: it succeeded and was undone because a
 * later step failed on the same target.
 */
export type JobCellState =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'unknown'
  | 'cancelled'
  | 'rolled-back'

export const FINAL_CELL_STATES: ReadonlySet<JobCellState> = new Set([
  'succeeded',
  'failed',
  'skipped',
  'unknown',
  'cancelled',
  'rolled-back',
])

/**
 * What ran last in a cell: the condition, the backup, a copy's upload (`transfer`), the change,
 * its verification, its rollback.
 */
export type JobPhase = 'condition' | 'backup' | 'transfer' | 'run' | 'verify' | 'rollback'

export interface JobCell {
  stepIndex: number
  target: string
  state: JobCellState
  phase?: JobPhase
  /** Why it was skipped or cancelled, or what failed, in plain words. */
  reason?: string
  errorCode?: string
  exitCode?: number | null
  startedAt?: string
  endedAt?: string
  /** The rollback of this cell failed: the target is left changed. */
  rollbackError?: string
}

/**
 * `running` also covers a job waiting for its engine after a restart; `cancelling`: a cancel was
 * asked for and running commands are being stopped.
 */
export type JobStatus = 'running' | 'cancelling' | 'succeeded' | 'failed' | 'cancelled'

export interface JobRecord {
  id: string
  workflow: Workflow
  /** Who the job is for (sees it and may cancel it). */
  requester: string
  /** Who started it (a technician, after approval). */
  actor: string
  approval?: ApprovalRecord
  /** The chat session it came from, when it came from one. */
  sessionId?: string
  /** Targets run at once. */
  concurrency: number
  status: JobStatus
  createdAt: string
  updatedAt: string
  endedAt?: string
}

/** Counts and where the job is, as carried by `progress` events and the job view. */
export interface JobProgress {
  /** Targets whose every step is final. */
  done: number
  /** Targets where a step failed or ended unknown. */
  failed: number
  /** Targets the cancel stopped or never reached (and not failed). */
  cancelled: number
  /** Targets not finished yet. */
  pending: number
  total: number
  /** Targets being worked on now. */
  current: string[]
  /** Steps whose every target is final; the page shows "step X of Y" from it. */
  stepsEnded: number
  steps: number
  /** Estimated milliseconds to the end, when there is enough to estimate from. */
  etaMs: number | null
}

/** The events of a job, in order; `id` is the job's own sequence number (the SSE event id). */
export type JobEventBody =
  | { type: 'job-started'; steps: Array<{ id: string; title: string }>; targets: number }
  | { type: 'job-resumed'; unknown: number }
  | { type: 'step-started'; stepIndex: number; stepId: string; title: string }
  | {
      type: 'step-ended'
      stepIndex: number
      stepId: string
      succeeded: number
      failed: number
      skipped: number
    }
  | { type: 'target-started'; target: string }
  | { type: 'target-succeeded'; target: string }
  | { type: 'target-failed'; target: string; stepId: string; error: string }
  | { type: 'cell'; stepIndex: number; stepId: string; target: string; cell: JobCell }
  | {
      type: 'log'
      target: string
      stepId: string
      phase: JobPhase
      stream: 'stdout' | 'stderr'
      lines: string[]
    }
  | ({ type: 'progress' } & JobProgress)
  | { type: 'cancel-requested'; by: string }
  | { type: 'job-ended'; status: JobStatus; durationMs: number }

export type JobEvent = JobEventBody & { id: number; at: string }

/** A job as `GET /api/jobs/:id` answers it: the record (without scripts), every cell, the counts. */
export interface JobView {
  id: string
  kind: 'workflow'
  requester: string
  actor: string
  status: JobStatus
  createdAt: string
  updatedAt: string
  endedAt?: string
  steps: Array<{ id: string; title: string; operation: string; risk: string; changes: boolean }>
  targets: string[]
  cells: JobCell[]
  progress: JobProgress
  /** The last event's id: a client opens the stream after it. */
  lastEventId: number
}

/**
 * What the jobs list filters by (every field optional, all given ones must hold). Names are
 * compared without case, as usernames and inventory names are everywhere.
 */
export interface JobListFilter {
  status?: JobStatus
  requester?: string
  /** A catalog operation one of the job's steps runs (`service.restart`). */
  operation?: string
  /** A machine among the job's targets. */
  target?: string
  /** Created at or after this ISO 8601 instant. */
  from?: string
  /** Created before this ISO 8601 instant. */
  to?: string
  /** Newest first, at most this many (default 50). */
  limit?: number
}

/** One line of the jobs list: the record without its scripts, and its targets counted. */
export interface JobSummary {
  id: string
  kind: 'workflow'
  requester: string
  actor: string
  status: JobStatus
  createdAt: string
  updatedAt: string
  endedAt?: string
  steps: Array<{ title: string; operation: string }>
  targets: number
  /** The first few target names, for the list line. */
  someTargets: string[]
}

/** The list line of a job record (no script leaves the server in it). */
export function summarizeJob(record: JobRecord): JobSummary {
  return {
    id: record.id,
    kind: 'workflow',
    requester: record.requester,
    actor: record.actor,
    status: record.status,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(record.endedAt ? { endedAt: record.endedAt } : {}),
    steps: record.workflow.steps.map((step) => ({ title: step.title, operation: step.operation })),
    targets: record.workflow.targets.length,
    someTargets: record.workflow.targets.slice(0, 5),
  }
}
