import type { ApprovalLevel } from '../policy/approval-policy.ts'
import type {
  ApprovalDecision,
  ApprovalExecution,
  ApprovalInterruption,
  ApprovalRequest,
  ApprovalStatus,
  NewApprovalRequest,
} from './approval-store.ts'

/**
 * The one mapping between an `ApprovalRequest` and its `approval_requests` row, for every
 * ApprovalStore implementation: each keeps only its SQL. The plan and its context travel as one
 * JSON `body`; decisions, execution and interruption are JSON columns, which SQLite returns as
 * text and PostgreSQL (jsonb) already parsed.
 * @module
 */

/** A JSON column: text from SQLite, the parsed value from PostgreSQL's jsonb. */
type Json<T> = string | T

export interface ApprovalRequestRow {
  id: string
  requester: string
  task_type: string
  level: number
  status: string
  created_at: string
  expires_at: string
  version: number
  body: string
  decisions: Json<ApprovalDecision[]>
  execution: Json<ApprovalExecution> | null
  interruption: Json<ApprovalInterruption> | null
}

type Body = Pick<
  ApprovalRequest,
  'runbook' | 'plan' | 'steps' | 'sessionId' | 'actor' | 'requestText' | 'machines' | 'workflow'
>

/** The `body` column of a new request: everything that never changes after it is made. */
export function bodyOf(request: NewApprovalRequest): string {
  const body: Body = {
    runbook: request.runbook,
    plan: request.plan,
    steps: request.steps,
    ...(request.sessionId !== undefined ? { sessionId: request.sessionId } : {}),
    ...(request.actor !== undefined ? { actor: request.actor } : {}),
    ...(request.requestText !== undefined ? { requestText: request.requestText } : {}),
    ...(request.machines !== undefined ? { machines: request.machines } : {}),
    ...(request.workflow !== undefined ? { workflow: request.workflow } : {}),
  }
  return JSON.stringify(body)
}

function parsed<T>(value: Json<T>): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value
}

export function requestFromRow(row: ApprovalRequestRow): ApprovalRequest {
  const body = JSON.parse(row.body) as Body
  return {
    id: row.id,
    requester: row.requester,
    ...(body.actor !== undefined ? { actor: body.actor } : {}),
    taskType: row.task_type,
    runbook: body.runbook,
    level: row.level as ApprovalLevel,
    plan: body.plan,
    steps: body.steps,
    ...(body.sessionId !== undefined ? { sessionId: body.sessionId } : {}),
    ...(body.requestText !== undefined ? { requestText: body.requestText } : {}),
    ...(body.machines !== undefined ? { machines: body.machines } : {}),
    ...(body.workflow !== undefined ? { workflow: body.workflow } : {}),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    status: row.status as ApprovalStatus,
    decisions: parsed(row.decisions),
    version: Number(row.version),
    ...(row.execution !== null ? { execution: parsed(row.execution) } : {}),
    ...(row.interruption !== null ? { interruption: parsed(row.interruption) } : {}),
  }
}
