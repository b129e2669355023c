import type { AuditLog, AuditValue } from '../audit/audit-log.ts'
import { APPROVAL_LEVEL_NAMES } from '../policy/approval-policy.ts'
import { describeSteps } from './approval-request-builder.ts'
import type { ApprovalRequest } from './approval-store.ts'

/**
 * How an approval event (a request, a decision, an expiry, a run's start) is written to the
 * audit chain: one record naming the request, who asked, who caused it and which runbook, its
 * targets in `target`, and the event's own detail.
 * @module
 */
export async function recordApprovalEvent(
  audit: AuditLog,
  actor: string,
  action: string,
  request: ApprovalRequest,
  detail: { [key: string]: AuditValue },
): Promise<void> {
  const targets = [...new Set(request.steps.flatMap((step) => (step.target ? [step.target] : [])))]
  await audit.append({
    actor,
    action,
    ...(targets.length > 0 ? { target: targets.join(',') } : {}),
    requestId: request.id,
    detail: {
      approvalId: request.id,
      requester: request.requester,
      ...(request.actor !== undefined ? { causedBy: request.actor } : {}),
      taskType: request.taskType,
      runbook: request.runbook.title,
      ...detail,
    },
  })
}

/**
 * The `approval-request` record of a new request: its level, what that needs, when it expires
 * and the steps that wait (those above level 0 unless `steps` says which), plus `extra`.
 */
export async function recordApprovalRequested(
  audit: AuditLog,
  request: ApprovalRequest,
  extra: { [key: string]: AuditValue } = {},
  steps: ApprovalRequest['steps'] = request.steps.filter((step) => step.approvalLevel > 0),
): Promise<void> {
  await recordApprovalEvent(
    audit,
    request.actor ?? request.requester,
    'approval-request',
    request,
    {
      ...extra,
      level: request.level,
      needs: APPROVAL_LEVEL_NAMES[request.level],
      expiresAt: request.expiresAt,
      steps: describeSteps(steps),
    },
  )
}
