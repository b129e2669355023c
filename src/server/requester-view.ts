import { redactForRequester } from '../agent/core/employee-reply.ts'
import type { ReplyView } from '../agent/core/session.ts'
import type { TurnResult } from '../agent/core/turn.ts'
import type { AgentEvent } from '../agent/helpdesk-agent.ts'
import type { StepResult } from '../executors/executor.ts'

/**
 * What a requester receives of a turn: step outputs and error messages with internal addresses,
 * ports, error codes and ids taken out (the reply is written for them already). Technicians and
 * admins get everything.
 */
export function resultForRequester(result: TurnResult): TurnResult {
  return { ...result, results: result.results.map(stepForRequester) }
}

/** The same for the events a streaming client sees while the turn runs. */
export function eventForRequester(event: AgentEvent): AgentEvent {
  switch (event.type) {
    case 'step-end':
      return { ...event, result: stepForRequester(event.result) }
    case 'step-output':
      return { ...event, text: redactForRequester(event.text) }
    case 'reply-end':
      return { ...event, result: resultForRequester(event.result) }
    default:
      return event
  }
}

/** A stored reply's view (its step results) as a requester may read it again. */
export function viewForRequester(view: ReplyView): ReplyView {
  return view.results ? { ...view, results: view.results.map(stepForRequester) } : view
}

function stepForRequester(step: StepResult): StepResult {
  return {
    ...step,
    stdout: redactForRequester(step.stdout),
    stderr: redactForRequester(step.stderr),
    ...(step.errorMessage !== undefined
      ? { errorMessage: redactForRequester(step.errorMessage) }
      : {}),
  }
}
