import { samePerson } from '../identity/user.ts'
import type { ApprovalLevel } from './approval-policy.ts'

/**
 * Proof that a person allowed a step (or a whole plan) to run. How approvals are asked for and
 * stored is the approvals module's business; the execution service only checks that one is there
 * and fits the step. `helpdesk run --yes` makes one for the technician running the command.
 */
export interface ApprovalRecord {
  /** Stable id, recorded in the audit trail. */
  id: string
  /** Who approved: a technician's username, or the requester confirming a level-1 step. */
  approver: string
  approvedAt: string
  /** The highest level this approval covers. */
  level: ApprovalLevel
  /** `plan` covers every step of the plan up to `level`; `step` covers the named steps only. */
  scope: 'plan' | 'step'
  stepIds?: readonly string[]
  /** How it was given: `cli --yes`, `chat confirm`, `api`... */
  via: string
}

/**
 * Whether an approval allows this step for this requester (and whoever caused it, when someone
 * else did); the reason says why not. Names compare without case.
 */
export function approvalCovers(
  approval: ApprovalRecord | undefined,
  step: { id: string; approvalLevel: ApprovalLevel },
  requester: string,
  causedBy?: string,
): { ok: true } | { ok: false; reason: string } {
  if (step.approvalLevel === 0) return { ok: true }
  if (!approval) return { ok: false, reason: 'no approval has been given' }
  if (approval.level < step.approvalLevel) {
    return {
      ok: false,
      reason: `the approval covers level ${approval.level}, the step needs ${step.approvalLevel}`,
    }
  }
  if (approval.scope === 'step' && !approval.stepIds?.includes(step.id)) {
    return { ok: false, reason: 'the approval names other steps' }
  }
  const causers = causedBy === undefined ? [requester] : [requester, causedBy]
  if (step.approvalLevel >= 2 && causers.some((person) => samePerson(person, approval.approver))) {
    return {
      ok: false,
      reason:
        'a technician other than the requester and whoever asked for it must approve this step',
    }
  }
  if (step.approvalLevel === 3 && approval.scope !== 'step') {
    return { ok: false, reason: 'this step needs its own approval, not a plan approval' }
  }
  return { ok: true }
}
