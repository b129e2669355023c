import type { SessionStore } from '../agent/core/session.ts'
import type { ApprovalRequest } from './approval-store.ts'
import type { ApprovedStepResult } from './approved-plan-runner.ts'

/** How an approval request ended, for the conversation it came from. */
export type ApprovalEnding =
  | { kind: 'executed'; approver: string; results: readonly ApprovedStepResult[] }
  | { kind: 'denied'; approver: string; reason: string }
  /** An operation's workflow, approved and running as a background job. */
  | { kind: 'job-started'; approver: string; jobId: string }
  | { kind: 'expired' }
  /** A restart found its run unfinished (the request says which steps, `interruption`). */
  | { kind: 'interrupted' }

/** The assistant's note in the conversation, in the words the chat uses. */
export function describeEnding(request: ApprovalRequest, ending: ApprovalEnding): string {
  const head = `Update on "${request.runbook.title}" (approval ${request.id.slice(0, 8)}):`
  if (ending.kind === 'denied')
    return `${head} ${ending.approver} did not approve it ("${ending.reason}"), so nothing of it was changed.`
  if (ending.kind === 'expired')
    return `${head} nobody approved it in time, so it expired and nothing of it was changed. Ask again if it is still needed.`
  if (ending.kind === 'interrupted') return describeInterruption(request, head)
  if (ending.kind === 'job-started')
    return `${head} approved by ${ending.approver}; it is running now as job ${ending.jobId} (open /#job=${ending.jobId} to follow it live).`
  const held = new Set(request.steps.filter((step) => step.approvalLevel > 0).map((s) => s.stepId))
  const lines = ending.results
    .filter((result) => held.has(result.stepId))
    .map((result) => {
      const step = request.steps.find((each) => each.stepId === result.stepId)
      const where = step?.target ? ` on ${step.target}` : ''
      const detail =
        result.status === 'failed' && result.errorMessage ? `: ${result.errorMessage}` : ''
      return `- ${step?.title ?? result.stepId}${where}: ${result.status.replaceAll('_', ' ')}${detail}`
    })
  const failed = ending.results.some(
    (result) => result.status === 'failed' || result.status === 'unknown',
  )
  return [
    `${head} approved by ${ending.approver} and carried out${failed ? ', not all of it successfully' : ''}.`,
    ...lines,
  ].join('\n')
}

function describeInterruption(request: ApprovalRequest, head: string): string {
  const interruption = request.interruption
  const line = (stepId: string, what: string) => {
    const step = request.steps.find((each) => each.stepId === stepId)
    return `- ${step?.title ?? stepId}${step?.target ? ` on ${step.target}` : ''}: ${what}`
  }
  return [
    `${head} the helpdesk server stopped while it was carrying this out, so it is on hold.`,
    ...(interruption?.unknownSteps ?? []).map((stepId) =>
      line(
        stepId,
        'was under way; it is not known whether it finished. It will not be repeated on its own.',
      ),
    ),
    ...(interruption?.waitingSteps ?? [])
      .filter((stepId) =>
        request.steps.some((step) => step.stepId === stepId && step.approvalLevel > 0),
      )
      .map((stepId) => line(stepId, 'not started yet')),
    'A technician will check what was done and then continue or stop it; you will read the outcome here.',
  ].join('\n')
}

/**
 * Adds how the request ended to the conversation it came from, so the employee reads the outcome
 * where they asked. A request without a conversation (the CLI), or whose conversation is gone,
 * is left alone.
 */
export async function reportToConversation(
  sessions: SessionStore,
  request: ApprovalRequest,
  ending: ApprovalEnding,
): Promise<void> {
  if (!request.sessionId) return
  const session = await sessions.get(request.sessionId)
  if (!session) return
  session.history.push({
    role: 'assistant',
    text: describeEnding(request, ending),
    at: new Date().toISOString(),
    approvalId: request.id,
    ...(ending.kind === 'job-started' ? { jobId: ending.jobId } : {}),
  })
  await sessions.save(session)
}
