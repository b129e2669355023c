import type { AuditLog, AuditRecord } from '../audit/audit-log.ts'
import { samePerson } from '../identity/user.ts'

/** How one step of a job ended, as the audit trail tells it. */
export interface JobStep {
  stepId: string
  target?: string
  /**
   * `held`: waiting for an approval (`denied` or `expired` when it never came); `refused`:
   * stopped by validation or policy; `unknown`: started, and no result was ever recorded (the
   * server stopped while it ran); `interrupted`: approved, not started, and waiting for a
   * technician to resume the run the server's stop interrupted.
   */
  status:
    | 'running'
    | 'succeeded'
    | 'failed'
    | 'held'
    | 'denied'
    | 'expired'
    | 'refused'
    | 'skipped'
    | 'unknown'
    | 'interrupted'
  at: string
  actor: string
  errorCode?: string
}

/**
 * A job: one run of a plan through the execution service (a chat turn's steps, a
 * `helpdesk run`), told by its audit records, which are the system of record. Steps held for
 * approval carry on in the same job when the approval runs them (or end denied or expired).
 */
export interface Job {
  id: string
  requester: string
  taskType: string
  startedAt: string
  updatedAt: string
  /** `interrupted`: the server stopped while it ran; a technician checks and resumes it. */
  status:
    | 'running'
    | 'succeeded'
    | 'failed'
    | 'awaiting_approval'
    | 'denied'
    | 'refused'
    | 'interrupted'
  /** The approval requests its held steps went to, in order. */
  approvals: string[]
  steps: JobStep[]
}

/** What `list` filters by; every given field must hold. */
export interface JobHistoryFilter {
  requester?: string
  status?: Job['status']
  /** The job's task type (`unlock_account`). */
  taskType?: string
  /** Leaves out the jobs of this task type. */
  exceptTaskType?: string
  /** A machine or account one of its steps acted on (compared without case). */
  target?: string
  /** Started at or after this ISO 8601 instant (as `toISOString` writes it). */
  from?: string
  /** Started before this ISO 8601 instant. */
  to?: string
  limit?: number
}

function matches(job: Job, filter: JobHistoryFilter): boolean {
  const target = filter.target
  return (
    (filter.status === undefined || job.status === filter.status) &&
    (filter.taskType === undefined || job.taskType === filter.taskType) &&
    (filter.exceptTaskType === undefined || job.taskType !== filter.exceptTaskType) &&
    (target === undefined ||
      job.steps.some((step) => step.target !== undefined && samePerson(step.target, target))) &&
    (filter.from === undefined || job.startedAt >= filter.from) &&
    (filter.to === undefined || job.startedAt < filter.to)
  )
}

const STEP_ACTIONS = new Set(['step-execute', 'step-result', 'step-hold', 'step-refuse'])
const ENDINGS: Readonly<Record<string, JobStep['status']>> = {
  'approval-deny': 'denied',
  'approval-expire': 'expired',
}

/**
 * Jobs from the audit trail, newest first: `GET /api/jobs` lists a requester's own, and a
 * technician's or admin's everyone's. Reads the newest records only (`window`), so the cost
 * stays flat however long the trail grows; older jobs are in the audit log itself.
 */
export class JobHistory {
  private readonly audit: AuditLog
  private readonly window: number

  constructor(audit: AuditLog, options: { window?: number } = {}) {
    this.audit = audit
    this.window = options.window ?? 5000
  }

  async list(options: JobHistoryFilter = {}): Promise<Job[]> {
    const records = await this.audit.list({ newest: true, limit: this.window })
    const jobs = new Map<string, Job>()
    /** Approval request id -> the job whose held steps it covers. */
    const jobOfApproval = new Map<string, string>()
    // Oldest first, so each step's last record decides its status.
    for (const record of records.reverse()) {
      if (!record.requestId) continue
      if (record.action === 'approval-request' && typeof record.detail.jobId === 'string') {
        jobOfApproval.set(record.requestId, record.detail.jobId)
        jobs.get(record.detail.jobId)?.approvals.push(record.requestId)
        continue
      }
      const jobId = jobOfApproval.get(record.requestId) ?? record.requestId
      if (RECOVERY_ACTIONS.has(record.action)) {
        const job = jobs.get(jobId)
        if (job) recover(job, record)
        continue
      }
      const ending = ENDINGS[record.action]
      if (ending) {
        for (const step of jobs.get(jobId)?.steps ?? [])
          if (step.status === 'held') Object.assign(step, { status: ending, at: record.at })
        continue
      }
      if (!STEP_ACTIONS.has(record.action)) continue
      const requester = String(record.detail.requester ?? '')
      if (options.requester !== undefined && !samePerson(requester, options.requester)) continue
      const job = jobs.get(jobId) ?? newJob(jobId, record, requester)
      jobs.set(jobId, job)
      apply(job, record)
    }
    return [...jobs.values()]
      .map(finish)
      .filter((job) => matches(job, options))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      .slice(0, options.limit ?? 50)
  }

  async get(id: string, options: { requester?: string } = {}): Promise<Job | undefined> {
    return (await this.list({ ...options, limit: Number.MAX_SAFE_INTEGER })).find(
      (job) => job.id === id,
    )
  }
}

function newJob(id: string, record: AuditRecord, requester: string): Job {
  return {
    id,
    requester,
    taskType: String(record.detail.taskType ?? ''),
    startedAt: record.at,
    updatedAt: record.at,
    status: 'running',
    approvals: [],
    steps: [],
  }
}

function apply(job: Job, record: AuditRecord): void {
  const stepId = String(record.detail.stepId ?? '')
  const key = `${stepId} ${record.target ?? ''}`
  let step = job.steps.find((each) => `${each.stepId} ${each.target ?? ''}` === key)
  if (!step) {
    step = {
      stepId,
      ...(record.target ? { target: record.target } : {}),
      status: 'running',
      at: record.at,
      actor: record.actor,
    }
    job.steps.push(step)
  }
  step.at = record.at
  step.actor = record.actor
  job.updatedAt = record.at
  if (record.action === 'step-hold') step.status = 'held'
  else if (record.action === 'step-refuse') step.status = 'refused'
  else if (record.action === 'step-execute') step.status = 'running'
  else {
    const status = String(record.detail.status ?? '')
    step.status =
      status === 'succeeded' || status === 'failed' || status === 'skipped' ? status : 'failed'
    if (record.detail.errorCode) step.errorCode = String(record.detail.errorCode)
  }
}

const RECOVERY_ACTIONS = new Set(['approval-interrupt', 'approval-resume', 'approval-execute'])

/**
 * A restart found the job's approved run unfinished (`approval-interrupt`): the step that was
 * running is unknown, the held ones wait. A technician resumed it (`approval-resume`): the
 * unknown steps take what they found, the waiting ones are held until the run reaches them.
 * The run ended (`approval-execute`): what never started is skipped.
 */
function recover(job: Job, record: AuditRecord): void {
  const resolved = record.detail.resolved
  for (const step of job.steps) {
    const before = step.status
    if (record.action === 'approval-interrupt') {
      if (before === 'running') step.status = 'unknown'
      else if (before === 'held') step.status = 'interrupted'
    } else if (record.action === 'approval-resume') {
      if (before === 'interrupted') step.status = 'held'
      else if (before === 'unknown' && isRecord(resolved)) {
        const found = resolved[step.stepId]
        if (found === 'succeeded' || found === 'failed') step.status = found
      }
    } else if (before === 'interrupted') step.status = 'skipped'
    if (step.status !== before) step.at = record.at
  }
  job.updatedAt = record.at
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function finish(job: Job): Job {
  const statuses = new Set(job.steps.map((step) => step.status))
  job.status = statuses.has('failed')
    ? 'failed'
    : statuses.has('unknown') || statuses.has('interrupted')
      ? 'interrupted'
      : statuses.has('running')
        ? 'running'
        : statuses.has('held')
          ? 'awaiting_approval'
          : statuses.has('denied') || statuses.has('expired')
            ? 'denied'
            : statuses.has('refused') && !statuses.has('succeeded')
              ? 'refused'
              : 'succeeded'
  return job
}
