import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import { forcedToolArguments } from '../../models/chat-completion.ts'
import type { ModelEndpoint } from '../../models/model-endpoint.ts'
import type { RouteDecision } from '../../retrieval/request-router.ts'
import { validateParameter } from '../core/parameter-validation.ts'
import type { TurnState } from '../core/turn.ts'
import { recentConversation } from './recent-conversation.ts'
import type { RequestUnderstanding } from './request-understanding.ts'
import {
  type CheckedAnswer,
  candidatesOf,
  checkAnswer,
  UNDERSTANDING_SCHEMA,
} from './understanding-answer.ts'

export const UNDERSTAND_TOOL = 'understand_request'

const SYSTEM_PROMPT = [
  'You read IT helpdesk requests. Given the conversation and the candidate runbooks retrieved for',
  "the employee's last message, call understand_request once: list the ids of the candidates the",
  'message asks for, in the order asked ([] when none fits), the parameter values the employee',
  'gave (by the parameter names of the chosen runbooks, exactly as written: never guess, never',
  'fill in a value nobody said), and for several tasks the part of the message for each. Only',
  'candidate ids are accepted; nothing else runs.',
].join(' ')

/**
 * The configured LLM's understanding of a request, asked over chat completions with one forced
 * tool call (`understand_request`, a JSON schema), through the endpoint's guarded fetch (time
 * limit, retries, tool-call checks). Told only the conversation and the candidates' id, title,
 * scope, score and parameter names; never scripts, executors, targets or secrets.
 */
export class ModelUnderstanding implements RequestUnderstanding {
  private readonly endpoint: ModelEndpoint
  private readonly instructions: ReadonlyMap<string, Instruction>
  private readonly log: (line: string) => void

  constructor(options: {
    endpoint: ModelEndpoint
    instructions: ReadonlyMap<string, Instruction>
    /** Where rejected answers are reported (the reason, never the conversation). */
    log: (line: string) => void
  }) {
    this.endpoint = options.endpoint
    this.instructions = options.instructions
    this.log = options.log
  }

  async understand(turn: TurnState, routed: RouteDecision): Promise<RouteDecision> {
    this.forgetRefusedValues(turn)
    const candidates = candidatesOf(routed.ranked, this.instructions)
    if (candidates.length === 0) return routed
    let answer: unknown
    try {
      answer = await this.ask(turn, candidates)
    } catch (error) {
      this.log(
        `understanding: the model could not be asked, the router's decision stands: ${(error as Error).message}`,
      )
      return routed
    }
    const checked = checkAnswer(
      answer,
      candidates.map((each) => each.id),
      this.instructions,
    )
    if (!checked.ok) {
      this.log(`understanding rejected, the router's decision stands: ${checked.reason}`)
      return routed
    }
    this.apply(turn, checked)
    return decisionOf(routed, checked)
  }

  private async ask(
    turn: TurnState,
    candidates: ReturnType<typeof candidatesOf>,
  ): Promise<unknown> {
    const conversation = recentConversation(turn)
    return forcedToolArguments(this.endpoint, {
      system: SYSTEM_PROMPT,
      user: JSON.stringify({
        conversation: conversation.slice(0, -1),
        message: turn.message,
        candidates,
      }),
      tool: {
        name: UNDERSTAND_TOOL,
        description: 'Report which candidate runbooks apply and the values given.',
        parameters: UNDERSTANDING_SCHEMA,
      },
    })
  }

  /**
   * Valid values become known; a refused one is kept as given, so the core asks for it with the
   * reason instead of falling back to the requester or a default ("unlock jdoe;rm" must not
   * unlock the requester).
   */
  private apply(turn: TurnState, checked: Extract<CheckedAnswer, { ok: true }>): void {
    Object.assign(turn.session.known, checked.values)
    for (const [name, { value, reason }] of Object.entries(checked.refused)) {
      turn.session.known[name] = value
      this.log(
        `understanding: the model's value for ${name} was refused and is asked for: ${reason}`,
      )
    }
    if (checked.ignored.length > 0)
      this.log(
        `understanding: values for parameters no chosen runbook has were not used: ${checked.ignored.join(', ')}`,
      )
  }

  /**
   * A refused value was asked about once; at the next routed turn it is gone. Refused means
   * valid for no runbook's parameter of that name: a value one runbook accepts (a system another
   * lists no longer) is a value people gave, and stays as the core keeps it.
   */
  private forgetRefusedValues(turn: TurnState): void {
    const known = turn.session.known
    for (const [name, value] of Object.entries(known)) {
      const specs = [...this.instructions.values()].flatMap((instruction) =>
        instruction.parameters.filter((spec) => spec.name === name),
      )
      if (specs.length > 0 && !specs.some((spec) => validateParameter(spec, value).ok))
        delete known[name]
    }
  }
}

function decisionOf(
  routed: RouteDecision,
  checked: Extract<CheckedAnswer, { ok: true }>,
): RouteDecision {
  const scoreOf = (task: string) => routed.ranked.find((each) => each.taskType === task)?.score ?? 0
  return {
    tasks: checked.tasks,
    ranked: routed.ranked,
    // None chosen: out of scope, with the router's nearest out-of-scope topic for the hand-off.
    ...(checked.tasks.length === 0 && routed.outOfScopeTopic !== undefined
      ? { outOfScopeTopic: routed.outOfScopeTopic }
      : {}),
    ...(checked.parts
      ? {
          parts: checked.parts.map((part) => ({
            text: part.text,
            taskType: part.task,
            score: scoreOf(part.task),
          })),
        }
      : {}),
  }
}
