import type { TurnResult } from '../../agent/core/turn.ts'
import type { AgentEvent } from '../../agent/helpdesk-agent.ts'
import type { Plan } from '../../planning/plan.ts'

/** The values of `/chat`'s outputs, in order: reply, session id, plan. */
export type ChatOutputs = [reply: string, sessionId: string, plan: Plan[]]

/** One output's edit in a streamed update: `[action, path, value]` (gradio-protocol.md §5.4). */
export type OutputEdit = ['append' | 'replace', [], unknown]

/** The outputs of a finished turn. */
export function finalOutputs(result: TurnResult): ChatOutputs {
  return [result.reply, result.sessionId, result.plan]
}

/**
 * What a turn has done so far, as `/chat` outputs: while it runs, the reply output says what
 * happened, one line per step of the turn (routed, asked, planned, each step started and ended),
 * and the plan output grows as plans are made. Step output (stdout/stderr) is left out: it can be
 * long and the final plan results carry it.
 */
export class TurnProgress {
  readonly #sessionId: string
  readonly #lines: string[] = []
  readonly #plans: Plan[] = []

  constructor(sessionId: string) {
    this.#sessionId = sessionId
  }

  /** Takes one event; true when the outputs changed (an update is worth sending). */
  take(event: AgentEvent): boolean {
    const line = describe(event)
    if (event.type === 'plan-end') this.#plans.push(event.plan)
    if (line === undefined) return false
    this.#lines.push(line)
    return true
  }

  outputs(): ChatOutputs {
    return [this.#lines.join('\n'), this.#sessionId, [...this.#plans]]
  }
}

function describe(event: AgentEvent): string | undefined {
  switch (event.type) {
    case 'route-end':
      return event.tasks.length > 0
        ? `Understood as: ${event.tasks.join(', ')}`
        : 'Understood as: no task the helpdesk plans for'
    case 'question':
      return `Needs: ${event.missing.parameter} (${event.missing.taskType})`
    case 'plan-end':
      return `Planned: ${event.plan.title} (${event.plan.steps.length} steps)`
    case 'step-start':
      return `Step ${event.stepId} started${event.target ? ` on ${event.target}` : ''}`
    case 'step-end':
      return `Step ${event.result.stepId}: ${event.result.status}`
    case 'approval-request':
      return `Approval needed for ${event.approval.taskType} (request ${event.approval.id})`
    case 'step-output':
    case 'reply-end':
      // The reply itself is the completed message's, never a streamed partial.
      return undefined
  }
}

/**
 * The client applies the second and later streamed updates of an event as edits to the values it
 * already has (sse_v3); full values there crash its event handling. Per output: nothing when
 * unchanged, an `append` when the text only grew, else a `replace` of the whole value (never a
 * nested edit, which the client applies in place to objects it already handed out).
 */
export function outputEdits(previous: ChatOutputs, current: ChatOutputs): OutputEdit[][] {
  return current.map((value, index): OutputEdit[] => {
    const before = previous[index]
    if (JSON.stringify(before) === JSON.stringify(value)) return []
    if (typeof before === 'string' && typeof value === 'string' && value.startsWith(before)) {
      return [['append', [], value.slice(before.length)]]
    }
    return [['replace', [], value]]
  })
}
