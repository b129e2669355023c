import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import { chatCompletion, replyText } from '../../models/chat-completion.ts'
import type { ModelEndpoint } from '../../models/model-endpoint.ts'
import type { TurnResult } from '../core/turn.ts'
import { checkGrounded, type ReplyFacts } from './reply-grounding.ts'

/**
 * Words a finished turn's reply for the employee. The turn's result (its plans, results,
 * questions and approvals) is unchanged whatever the wording; only `reply` may differ.
 */
export interface ReplyWriter {
  /** The reply in the writer's words, or undefined to keep the deterministic one. */
  write(result: TurnResult, message: string): Promise<string | undefined>
}

const SYSTEM_PROMPT = [
  "Rewrite an IT helpdesk's reply to an employee in plain, friendly words.",
  'Say only what the given reply says: the same tasks, values, results and what happens next.',
  'Add no commands, names, numbers, steps or promises. Keep the question and any approval id word',
  'for word. Answer with the reply text only.',
].join(' ')

/**
 * The configured LLM writes the reply, grounded in the plan: its text is used only when
 * `checkGrounded` finds nothing in it beyond the plan; otherwise (or when the model cannot be
 * asked) the deterministic reply stands and the log says why.
 */
export class ModelReplyWriter implements ReplyWriter {
  private readonly endpoint: ModelEndpoint
  private readonly instructions: ReadonlyMap<string, Instruction>
  private readonly log: (line: string) => void

  constructor(options: {
    endpoint: ModelEndpoint
    instructions: ReadonlyMap<string, Instruction>
    log: (line: string) => void
  }) {
    this.endpoint = options.endpoint
    this.instructions = options.instructions
    this.log = options.log
  }

  async write(result: TurnResult, message: string): Promise<string | undefined> {
    // Hand-offs and refusals are fixed texts; nothing to word.
    if (result.outOfScope || result.refused) return undefined
    const facts = this.factsOf(result, message)
    let written: string
    try {
      written = await this.ask(facts)
    } catch (error) {
      this.log(
        `reply writing: the model could not be asked, the plan's reply stands: ${(error as Error).message}`,
      )
      return undefined
    }
    const grounded = checkGrounded(written, facts)
    if (!grounded.ok) {
      this.log(`reply writing rejected, the plan's reply stands: ${grounded.reason}`)
      return undefined
    }
    return written.trim()
  }

  private factsOf(result: TurnResult, message: string): ReplyFacts {
    const question = result.missing[0]?.question
    return {
      reply: result.reply,
      message,
      planned: result.plan.map((plan) => ({
        id: plan.taskType,
        title: plan.title,
        values: Object.values(plan.parameters),
      })),
      runbooks: [...this.instructions.values()].map(({ id, title }) => ({ id, title })),
      verbatim: [
        ...(question ? [question] : []),
        ...(result.approvals ?? []).map((approval) => approval.id),
      ],
    }
  }

  private async ask(facts: ReplyFacts): Promise<string> {
    return replyText(
      await chatCompletion(this.endpoint, {
        system: SYSTEM_PROMPT,
        user: JSON.stringify({
          message: facts.message,
          reply: facts.reply,
          keepWordForWord: facts.verbatim,
        }),
      }),
    )
  }
}
