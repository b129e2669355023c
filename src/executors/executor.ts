import type { AuditValue } from '../audit/audit-log.ts'
import type { PlanStep } from '../planning/plan.ts'

/**
 * The executor contract, version 1. An executor performs one plan step against one backend
 * (Active Directory, AWS IAM, a machine over SSH or WinRM) or, for the dry-run executor, reports
 * exactly what would be performed and touches nothing.
 *
 * Rules every implementation keeps (checked by the contract suite in
 * `executor-contract.case.test.ts`):
 * - `doExecute` is called only by the execution layer, after validation, approval and audit;
 *   the `do` prefix is there so nothing else calls it by accident.
 * - It never throws for a failure of the step itself: it returns `status: 'failed'` with an
 *   `errorCode` and a message a technician understands. It throws only for programming errors.
 * - `wouldRun` always holds the exact script or operation, so the audit and the person see the
 *   same thing.
 * - Output is capped (`OUTPUT_LIMIT` characters per stream) and never contains a secret.
 */
export interface Executor {
  readonly specificationVersion: 'executor-v1'
  /** Registry id, e.g. `dry-run`, `active_directory`, `bash`. */
  readonly id: string
  /** Which step executors this implementation can perform. */
  readonly handles: readonly PlanStep['executor'][]
  doExecute(step: PlanStep, context: ExecutionContext): Promise<StepResult>
}

export interface ExecutionContext {
  /** Who asked for the work (the requester's username). */
  requester: string
  /** Correlates a step's result with its request and audit record. */
  requestId: string
  signal?: AbortSignal
}

export type StepStatus = 'dry_run' | 'succeeded' | 'failed' | 'skipped' | 'awaiting_approval'

export interface StepResult {
  stepId: string
  status: StepStatus
  /** The exact script text or `operation(arguments)` that ran or would run. */
  wouldRun: string
  target?: string
  stdout: string
  stderr: string
  exitCode: number | null
  durationMs: number
  /** Whether the step changed anything. A dry run never does. */
  changed: boolean
  /**
   * Upper snake case, namespaced by backend: `LDAP_INVALID_CREDENTIALS`, `SSH_HOST_KEY_MISMATCH`,
   * `IAM_NO_SUCH_ENTITY`, `TIMEOUT`, `AWAITING_APPROVAL`, `VERIFICATION_FAILED`...
   */
  errorCode?: string
  errorMessage?: string
  /** Structured facts a read step found (account flags, group members, key ids); JSON, no secrets. */
  data?: { [key: string]: AuditValue }
}

export const OUTPUT_LIMIT = 64 * 1024
