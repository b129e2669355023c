import type { ApprovalRequester } from '../agent/core/helpdesk-core.ts'
import type { PendingApproval } from '../agent/core/turn.ts'
import type { ApprovalService } from './approval-service.ts'
import type { ApprovalRequest } from './approval-store.ts'

/** What a chat turn shows of a request: its held steps and exactly what they would run. */
export function pendingApprovalOf(request: ApprovalRequest): PendingApproval {
  const held = request.steps.filter((step) => step.approvalLevel > 0)
  const targets = [...new Set(held.flatMap((step) => (step.target ? [step.target] : [])))]
  return {
    id: request.id,
    taskType: request.taskType,
    stepIds: held.map((step) => step.stepId),
    wouldRun: held.map((step) => step.wouldRun),
    expiresAt: request.expiresAt,
    ...(targets.length === 1 && targets[0] ? { target: targets[0] } : {}),
  }
}

/** The core's hook: a plan with held steps opens a request in the approval service. */
export function approvalRequester(service: ApprovalService): ApprovalRequester {
  return async ({ plan, results, requester, actor, sessionId, requestId }) =>
    pendingApprovalOf(
      await service.requestApproval({
        plan,
        requester,
        ...(actor ? { actor: actor.username } : {}),
        dryRunResults: results,
        sessionId,
        ...(requestId ? { jobId: requestId } : {}),
      }),
    )
}
