/**
 * Phase 4 of a turn: runs each planned step through the step runner (a dry run, or the execution
 * service) and opens an approval request for the steps it holds. Split from helpdesk-core.ts.
 * @module
 */
import { randomUUID } from 'node:crypto'
import type { HelpdeskCoreOptions } from './core-types.ts'
import type { TurnEvent, TurnState } from './turn.ts'

/** Phase 4: performs each planned step through the step runner (dry run or execution service). */
export async function executePlanned(
  turn: TurnState,
  options: Pick<HelpdeskCoreOptions, 'runStep' | 'requestApproval'>,
  onEvent: (event: TurnEvent) => void = () => {},
): Promise<void> {
  for (const planned of turn.planned) {
    if (planned.results.length > 0) continue
    const requestId = randomUUID()
    for (const step of planned.plan.steps) {
      onEvent({
        type: 'step-start',
        stepId: step.id,
        ...(step.target ? { target: step.target } : {}),
      })
      const result = await options.runStep(planned.plan, step, {
        requester: turn.session.requester ?? 'anonymous',
        requestId,
        ...(turn.actor ? { actor: turn.actor.username } : {}),
      })
      planned.results.push(result)
      onEvent({ type: 'step-end', result })
    }
    const held = planned.results.some((result) => result.status === 'awaiting_approval')
    if (held && options.requestApproval) {
      const approval = await options.requestApproval({
        plan: planned.plan,
        results: planned.results,
        requester: turn.session.requester ?? 'anonymous',
        ...(turn.actor ? { actor: turn.actor } : {}),
        sessionId: turn.session.id,
        requestId,
        message: turn.message,
      })
      if (approval) {
        turn.approvals = [...(turn.approvals ?? []), approval]
        onEvent({ type: 'approval-request', approval })
      }
    }
  }
}
