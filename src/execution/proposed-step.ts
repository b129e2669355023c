import type { PlanStep } from '../planning/plan.ts'
import type { ScriptLanguage } from '../policy/proposed-script-policy.ts'
import { renderBash, renderPowerShell } from '../rendering/script-renderer.ts'

/**
 * A proposed script as a plan step: critical, level 3, on its target. It takes no parameters:
 * the text is exactly what the technician reads and approves.
 */
export function proposedStep(proposal: {
  id: string
  language: ScriptLanguage
  script: string
  target: string
}): PlanStep {
  return {
    id: `proposed.${proposal.id}`,
    actionId: 'proposed',
    title: 'A script proposed for this request (no runbook covers it)',
    executor: proposal.language,
    risk: 'critical',
    readOnly: false,
    approvalLevel: 3,
    target: proposal.target,
    invocation: {
      type: 'script',
      language: proposal.language,
      ...(proposal.language === 'bash'
        ? renderBash(proposal.script, [])
        : renderPowerShell(proposal.script, [])),
    },
  }
}
