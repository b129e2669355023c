import type { ApprovalRun, ApprovalService } from '../approvals/approval-service.ts'
import type { ApprovalDecision } from './helpdesk-agent.ts'

/**
 * The decision a paused run is resumed with, handed to its `await_approval` tool through the
 * run's configuration; the tool leaves the outcome here for the caller of `resumeApproval`.
 */
export interface ApprovalResume {
  approvalId: string
  decision: ApprovalDecision
  run?: ApprovalRun
}

/**
 * What `await_approval` does once the framework lets it run (the human approved): carries out
 * the request the decision names, through the approval service (so each step runs once,
 * audited), and answers the model with what ran and which of the run's requests still wait.
 * It never runs a request the model named but nobody decided.
 */
export async function runApprovedRequest(
  approvals: ApprovalService | undefined,
  requested: string,
  resume: ApprovalResume | undefined,
  stillWaiting: () => Promise<string[]>,
): Promise<Record<string, unknown>> {
  if (!approvals) return { refused: 'approvals are not configured' }
  if (!resume || resume.approvalId !== requested || resume.decision.outcome !== 'approved')
    return { refused: `no approval decision for "${requested.slice(0, 40)}"` }
  const run = await approvals.executeApproved(requested, { actor: resume.decision.actor })
  resume.run = run
  const results = run.results.map((result) => ({ step: result.stepId, status: result.status }))
  return {
    outcome: 'approved',
    results,
    summary: `Approved by ${resume.decision.actor}: ${results.map((each) => `${each.step} ${each.status}`).join(', ') || 'nothing left to run'}.`,
    waiting: await stillWaiting(),
  }
}

/** What the model is told when the request it waited on was denied or expired. */
export async function deniedAnswer(
  resume: ApprovalResume,
  stillWaiting: () => Promise<string[]>,
): Promise<string> {
  const expired = resume.decision.outcome === 'expired'
  return JSON.stringify({
    outcome: expired ? 'expired' : 'denied',
    summary: expired
      ? `Nobody decided on ${resume.approvalId} in time: it expired and nothing of it ran.`
      : `Denied by ${resume.decision.actor}: nothing of ${resume.approvalId} ran.`,
    waiting: await stillWaiting(),
  })
}

/** Of these requests, the ones still pending (not decided, not expired). */
export async function pendingOf(
  approvals: ApprovalService | undefined,
  ids: readonly string[],
): Promise<string[]> {
  if (!approvals) return []
  const pending: string[] = []
  for (const id of ids) {
    const request = await approvals.get(id).catch(() => undefined)
    if (request?.status === 'pending') pending.push(id)
  }
  return pending
}
