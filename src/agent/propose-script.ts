import { randomUUID } from 'node:crypto'
import type { ApprovalService } from '../approvals/approval-service.ts'
import { pendingApprovalOf } from '../approvals/pending-approval.ts'
import { HelpdeskError } from '../errors/index.ts'
import type { ParameterSpec } from '../knowledge/instructions/instruction-schema.ts'
import { validateParameter } from './core/parameter-validation.ts'
import type { ProposeScript } from './turn-run.ts'

const TARGET_SPEC: ParameterSpec = {
  name: 'target',
  kind: 'hostname',
  description: 'the machine a proposed script runs on',
  question: 'Which machine?',
  required: true,
  defaultFromRequester: false,
}

/**
 * The `propose_script` path, the one way a script nobody wrote into a runbook or the operations
 * catalog reaches approvals: the target must be a host name, the language Bash or PowerShell, and
 * the approval service checks the script and asks a technician to approve it in full (level 3).
 * A framework's `propose_script` tool call and a model's script for fleet work
 * (src/operations/script-proposal.ts) both come through here.
 * @throws {HelpdeskError} NOT_CONFIGURED without approvals; INVALID_INPUT for a bad target,
 * language or a script the checker refuses.
 */
export function scriptProposer(approvals: ApprovalService | undefined): ProposeScript {
  return async (input, context) => {
    if (!approvals)
      throw new HelpdeskError({ code: 'NOT_CONFIGURED', message: 'approvals are not configured' })
    const target = validateParameter(TARGET_SPEC, input.target)
    if (!target.ok) throw new HelpdeskError({ code: 'INVALID_INPUT', message: target.reason })
    if (input.language !== 'bash' && input.language !== 'powershell') {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: 'language: expected bash or powershell',
      })
    }
    const request = await approvals.requestProposal({
      proposal: {
        id: randomUUID().slice(0, 8),
        language: input.language,
        script: input.script,
        target: target.value,
        reason: input.reason,
      },
      requester: context.requester,
      sessionId: context.sessionId,
    })
    return pendingApprovalOf(request)
  }
}
