import { HelpdeskError } from '../errors/index.ts'
import { proposedStep } from '../execution/proposed-step.ts'
import { describeInvocation } from '../executors/describe-invocation.ts'
import type { Plan } from '../planning/plan.ts'
import type { ScriptLanguage } from '../policy/proposed-script-policy.ts'
import type { NewApprovalRequest } from './approval-store.ts'

export const PROPOSED_TASK_TYPE = 'proposed_script'

export interface ScriptProposal {
  id: string
  language: ScriptLanguage
  script: string
  target: string
  reason: string
}

/**
 * The request for a script a model proposed: one critical step, level 3, shown in full. The
 * policy has been checked by the caller; the execution service checks it again before running.
 */
export function buildProposalRequest(
  input: { proposal: ScriptProposal; requester: string; sessionId?: string },
  context: { id: string; createdAt: Date; ttlMinutes: number },
): NewApprovalRequest {
  const requester = input.requester.trim()
  if (!requester)
    throw new HelpdeskError({ code: 'INVALID_INPUT', message: 'a requester is required' })
  const step = proposedStep(input.proposal)
  const plan: Plan = {
    taskType: PROPOSED_TASK_TYPE,
    title: 'A script proposed for a request no runbook covers',
    risk: 'critical',
    // The proposal as written: the step holds it rendered (with its preamble), and it is
    // rendered again from this when it runs.
    parameters: {
      reason: input.proposal.reason.slice(0, 500),
      proposalId: input.proposal.id,
      language: input.proposal.language,
      script: input.proposal.script,
    },
    steps: [step],
  }
  return {
    id: context.id,
    requester,
    taskType: PROPOSED_TASK_TYPE,
    runbook: { id: PROPOSED_TASK_TYPE, title: plan.title },
    level: 3,
    plan,
    steps: [
      {
        stepId: step.id,
        title: step.title,
        executor: step.executor,
        risk: step.risk,
        readOnly: false,
        approvalLevel: 3,
        wouldRun: describeInvocation(step.invocation),
        target: input.proposal.target,
      },
    ],
    ...(input.sessionId !== undefined ? { sessionId: input.sessionId } : {}),
    createdAt: context.createdAt.toISOString(),
    expiresAt: new Date(context.createdAt.getTime() + context.ttlMinutes * 60_000).toISOString(),
  }
}

/** The proposal back out of a stored request's plan. */
export function proposalOf(plan: Plan): ScriptProposal | undefined {
  const step = plan.steps[0]
  const { proposalId, language, script, reason } = plan.parameters
  if (plan.taskType !== PROPOSED_TASK_TYPE || !step?.target || !proposalId || !script)
    return undefined
  if (language !== 'bash' && language !== 'powershell') return undefined
  return { id: proposalId, language, script, target: step.target, reason: reason ?? '' }
}
