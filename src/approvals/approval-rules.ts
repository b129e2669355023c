/**
 * Who may decide an approval request, and what a decision covers. Pure functions: the service
 * applies them to the stored request, the execution service checks the resulting record again.
 * @module
 */
import { HelpdeskError } from '../errors/index.ts'
import { checkRole, type Role, samePerson } from '../identity/user.ts'
import { isTechnician } from '../policy/access-policy.ts'
import { APPROVAL_LEVEL_NAMES } from '../policy/approval-policy.ts'
import type { ApprovalRecord } from '../policy/approval-record.ts'
import type { ApprovalDecision, ApprovalRequest, ApprovalStepEntry } from './approval-store.ts'

/** The person deciding, as the caller authenticated them. */
export interface Approver {
  username: string
  role: Role
}

/** Recorded in the audit trail and on every `ApprovalRecord` this module builds. */
export const APPROVAL_VIA = 'approval request'

export { samePerson }

/**
 * The people who caused a request: the person it is for and, when someone else sent the turn
 * (a technician acting for an employee), that person too. Neither may approve it at level 2 or 3.
 */
export function causersOf(request: Pick<ApprovalRequest, 'requester' | 'actor'>): string[] {
  return request.actor === undefined ? [request.requester] : [request.requester, request.actor]
}

/** A technician or admin who is none of the people who caused the request. */
function isIndependentTechnician(
  approver: { username: string; role: Role },
  request: Pick<ApprovalRequest, 'requester' | 'actor'>,
): boolean {
  return (
    isTechnician(approver.role) &&
    !causersOf(request).some((person) => samePerson(person, approver.username))
  )
}

/**
 * Whether an approval covers a step. Level 1: the requester confirms (a technician may too).
 * Level 2: a technician or admin who did not cause the request. Level 3: the same, naming the step.
 */
export function decisionCovers(
  decision: ApprovalDecision,
  step: Pick<ApprovalStepEntry, 'stepId' | 'approvalLevel'>,
  request: Pick<ApprovalRequest, 'requester' | 'actor'>,
): boolean {
  if (decision.outcome !== 'approved') return false
  const independentTechnician = isIndependentTechnician(
    { username: decision.approver, role: decision.role },
    request,
  )
  switch (step.approvalLevel) {
    case 0:
      return true
    case 1:
      return samePerson(decision.approver, request.requester) || isTechnician(decision.role)
    case 2:
      return independentTechnician
    case 3:
      return independentTechnician && (decision.stepIds ?? []).includes(step.stepId)
  }
}

/** Steps above level 0 that no approval covers yet. */
export function stepsAwaitingApproval(
  request: Pick<ApprovalRequest, 'steps' | 'requester' | 'actor'>,
  decisions: readonly ApprovalDecision[],
): ApprovalStepEntry[] {
  return request.steps.filter(
    (step) =>
      step.approvalLevel > 0 &&
      !decisions.some((decision) => decisionCovers(decision, step, request)),
  )
}

/**
 * Checks that this person may approve this request (and, at level 3, these steps).
 * @returns the step ids the approval names (level 3 only), deduplicated.
 * @throws {HelpdeskError} FORBIDDEN when the person may not approve; INVALID_INPUT for step ids
 *   that do not fit the request.
 */
export function checkApprover(
  request: ApprovalRequest,
  approver: Approver,
  stepIds: readonly string[] | undefined,
): string[] | undefined {
  const needs = `level ${request.level}: ${APPROVAL_LEVEL_NAMES[request.level]}`
  const causer = causersOf(request).find((person) => samePerson(person, approver.username))
  if (request.level >= 2 && causer !== undefined) {
    // Someone who asked for themselves "asked for" it; the employee a technician acted for is
    // "who it is for".
    const how =
      request.actor !== undefined && !samePerson(causer, request.actor)
        ? 'is who this plan is for'
        : 'asked for this plan'
    throw forbidden(
      `${approver.username} ${how} and cannot approve it; a technician other than the requester and whoever asked for it must (${needs})`,
    )
  }
  if (request.level >= 2 && !isTechnician(approver.role)) {
    throw forbidden(`approving this plan needs a technician or an admin (${needs})`)
  }
  if (
    request.level === 1 &&
    !samePerson(approver.username, request.requester) &&
    !isTechnician(approver.role)
  ) {
    throw forbidden(`only ${request.requester}, who asked, or a technician can confirm this plan`)
  }
  const named = [...new Set(stepIds ?? [])]
  if (request.level < 3) {
    if (named.length > 0) {
      throw invalid(`this plan is approved as a whole (${needs}); leave out stepIds`)
    }
    return undefined
  }
  const waiting = stepsAwaitingApproval(request, request.decisions).filter(
    (step) => step.approvalLevel === 3,
  )
  if (named.length === 0) {
    throw invalid(
      `each step of this plan needs its own approval (${needs}); name them in stepIds: ${waiting.map((step) => step.stepId).join(', ')}`,
    )
  }
  for (const stepId of named) {
    const step = request.steps.find((each) => each.stepId === stepId)
    if (step?.approvalLevel !== 3) {
      throw invalid(
        `"${stepId.slice(0, 80)}" is not a step that needs its own approval here; those waiting: ${waiting.map((each) => each.stepId).join(', ') || 'none'}`,
      )
    }
    if (!waiting.includes(step)) throw invalid(`${stepId} is approved already`)
  }
  return named
}

/**
 * Who may deny: the requester (withdrawing their request) or a technician or admin.
 * @throws {HelpdeskError} FORBIDDEN for anyone else.
 */
export function checkDenier(request: ApprovalRequest, approver: Approver): void {
  if (samePerson(approver.username, request.requester) || isTechnician(approver.role)) return
  throw forbidden(`only ${request.requester}, who asked, or a technician can deny this plan`)
}

/**
 * The proof the execution service needs for one step of an approved request, built from the
 * first decision that covers it; undefined for a step that needs none (level 0).
 */
export function approvalRecordFor(
  request: ApprovalRequest,
  step: ApprovalStepEntry,
): ApprovalRecord | undefined {
  if (step.approvalLevel === 0) return undefined
  const decision = request.decisions.find((each) => decisionCovers(each, step, request))
  if (!decision) return undefined
  const base = { id: request.id, approver: decision.approver, approvedAt: decision.at }
  if (step.approvalLevel === 3) {
    return { ...base, level: 3, scope: 'step', stepIds: decision.stepIds ?? [], via: APPROVAL_VIA }
  }
  const independentTechnician = isIndependentTechnician(
    { username: decision.approver, role: decision.role },
    request,
  )
  return { ...base, level: independentTechnician ? 2 : 1, scope: 'plan', via: APPROVAL_VIA }
}

const REASON_LIMIT = 1000

/** @throws {HelpdeskError} INVALID_INPUT for a missing username or an unknown role. */
export function checkPerson(approver: Approver): Approver {
  const username = approver.username.trim()
  if (!username) throw invalid('the approver needs a username')
  return { username, role: checkRole(approver.role) }
}

/** @throws {HelpdeskError} INVALID_INPUT for a missing (when required) or overlong reason. */
export function checkReason(reason: string, required: boolean): string | undefined {
  const trimmed = reason.trim()
  if (required && !trimmed) throw invalid('a denial needs a reason')
  if (trimmed.length > REASON_LIMIT)
    throw invalid(`the reason is longer than ${REASON_LIMIT} characters`)
  return trimmed || undefined
}

function forbidden(message: string): HelpdeskError {
  return new HelpdeskError({ code: 'FORBIDDEN', message })
}

function invalid(message: string): HelpdeskError {
  return new HelpdeskError({ code: 'INVALID_INPUT', message })
}
