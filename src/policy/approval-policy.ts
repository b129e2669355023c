import type { RiskLevel } from '../knowledge/instructions/instruction-schema.ts'

/**
 * 0: read-only, runs at once. 1: the requester confirms. 2: a technician approves the plan.
 * 3: a technician approves each step.
 */
export type ApprovalLevel = 0 | 1 | 2 | 3

export const APPROVAL_LEVEL_NAMES: Readonly<Record<ApprovalLevel, string>> = {
  0: 'runs at once (read-only)',
  1: 'you confirm',
  2: 'a technician approves the plan',
  3: 'a technician approves each step',
}

const BY_RISK: Readonly<Record<RiskLevel, ApprovalLevel>> = {
  low: 1,
  medium: 1,
  high: 2,
  critical: 3,
}

/** The approval a step needs. Read-only steps and guidance change nothing, so they need none. */
export function approvalLevelFor(step: {
  risk: RiskLevel
  readOnly: boolean
  executor: string
}): ApprovalLevel {
  if (step.readOnly || step.executor === 'guidance') return 0
  return BY_RISK[step.risk]
}
