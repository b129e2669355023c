import type { ApprovalRequester } from '../agent/core/helpdesk-core.ts'
import type { PendingApproval } from '../agent/core/turn.ts'
import { failedPrecondition } from './approval-preconditions.ts'
import type { ApprovalService } from './approval-service.ts'
import type { ApprovalRequest } from './approval-store.ts'

/** What a chat turn shows of a request: its held steps, exactly what they would run, who acts. */
export function pendingApprovalOf(request: ApprovalRequest): PendingApproval {
  const held = request.steps.filter((step) => step.approvalLevel > 0)
  const targets = [...new Set(held.flatMap((step) => (step.target ? [step.target] : [])))]
  return {
    id: request.id,
    taskType: request.taskType,
    level: request.level,
    requester: request.requester,
    ...(request.actor ? { actor: request.actor } : {}),
    stepIds: held.map((step) => step.stepId),
    wouldRun: held.map((step) => step.wouldRun),
    expiresAt: request.expiresAt,
    ...(targets.length === 1 && targets[0] ? { target: targets[0] } : {}),
  }
}

/**
 * The core's hook: a plan with held steps opens a request in the approval service, unless a
 * read-only check of the same turn could not connect to the machine the changes are for (then
 * nobody is asked: the reply says the machine could not be reached, see `reply-writer.ts`).
 */
export function approvalRequester(service: ApprovalService): ApprovalRequester {
  return async ({ plan, results, requester, actor, sessionId, requestId, message }) => {
    if (failedPrecondition(plan, results)) return undefined
    return pendingApprovalOf(
      await service.requestApproval({
        plan,
        requester,
        ...(actor ? { actor: actor.username } : {}),
        dryRunResults: results,
        sessionId,
        ...(message !== undefined ? { requestText: message } : {}),
        ...(requestId ? { jobId: requestId } : {}),
      }),
    )
  }
}
