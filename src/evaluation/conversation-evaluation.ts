/**
 * Plays conversation scripts against agent adapters and reports, per adapter, how many
 * conversations pass (every expectation of every turn holds) and which turns failed and why.
 * Each conversation gets a fresh session, created the way the chat route creates one for a
 * signed-in person (they are its requester and owner), and every turn carries them as its actor.
 * @module
 */
import type { TurnInput } from '../agent/core/core-types.ts'
import type { SessionStore } from '../agent/core/session.ts'
import { lastReply } from '../agent/event-stream.ts'
import type { AgentEvent } from '../agent/helpdesk-agent.ts'
import type { Conversation } from './conversation-script.ts'
import { checkTurn, type EvaluatedTurn, type Mismatch } from './turn-expectations.ts'

/** What the runner needs of an adapter: its name and a turn (the `HelpdeskAgent` interface). */
export interface ConversationAgent {
  readonly framework: string
  handleTurn(input: TurnInput): AsyncIterable<AgentEvent>
}

export interface TurnOutcome {
  /** 1-based, as people count turns. */
  turn: number
  message: string
  mismatches: Mismatch[]
  /** The reply the person read; undefined when the turn threw or was not played. */
  reply?: string
  /** Why the turn has no result: it threw, or an earlier turn threw and it was not played. */
  error?: string
}

export interface ConversationOutcome {
  id: string
  /** What the conversation checks, from its script. */
  note?: string
  framework: string
  passed: boolean
  turns: TurnOutcome[]
}

/** One failing turn, for `--errors`. */
export interface FailedTurn {
  conversation: string
  note?: string
  turn: number
  message: string
  mismatches: Mismatch[]
  reply?: string
  error?: string
}

export interface AdapterReport {
  framework: string
  conversations: number
  passed: number
  /** passed / conversations, rounded to three decimals. */
  passRate: number
  turns: number
  turnsPassed: number
  turnPassRate: number
  failures: FailedTurn[]
}

export interface ConversationReport {
  conversations: number
  adapters: AdapterReport[]
}

/**
 * Plays one conversation in a fresh session. A turn that throws fails with the error, and the
 * turns after it are not played (the session is in an unknown state) and fail too.
 */
export async function playConversation(
  conversation: Conversation,
  agent: ConversationAgent,
  sessions: Pick<SessionStore, 'create'>,
): Promise<ConversationOutcome> {
  const person = conversation.as
  const session = await sessions.create(person.username, { owner: person.username })
  const turns: TurnOutcome[] = []
  let broken: string | undefined
  for (const [index, turn] of conversation.turns.entries()) {
    const base = { turn: index + 1, message: turn.message }
    if (broken !== undefined) {
      turns.push({ ...base, mismatches: [], error: `not played: turn ${broken}` })
      continue
    }
    try {
      const result: EvaluatedTurn = await lastReply(
        agent.handleTurn({
          sessionId: session.id,
          message: turn.message,
          actor: { username: person.username, role: person.role },
        }),
      )
      turns.push({ ...base, mismatches: checkTurn(turn.expect, result), reply: result.reply })
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      broken = `${index + 1} failed`
      turns.push({ ...base, mismatches: [], error: `the turn threw: ${reason}` })
    }
  }
  return {
    id: conversation.id,
    ...(conversation.note !== undefined ? { note: conversation.note } : {}),
    framework: agent.framework,
    passed: turns.every(turnPassed),
    turns,
  }
}

/** Plays every conversation on every adapter, in order, and summarises per adapter. */
export async function evaluateConversations(
  conversations: readonly Conversation[],
  agents: readonly ConversationAgent[],
  sessions: Pick<SessionStore, 'create'>,
): Promise<ConversationReport> {
  const outcomes: ConversationOutcome[] = []
  for (const agent of agents) {
    for (const conversation of conversations)
      outcomes.push(await playConversation(conversation, agent, sessions))
  }
  return summariseConversations(outcomes)
}

/** Per adapter, in the order adapters first appear: pass rates and the failing turns. */
export function summariseConversations(
  outcomes: readonly ConversationOutcome[],
): ConversationReport {
  const byFramework = new Map<string, ConversationOutcome[]>()
  for (const outcome of outcomes)
    byFramework.set(outcome.framework, [...(byFramework.get(outcome.framework) ?? []), outcome])
  const adapters = [...byFramework].map(([framework, played]): AdapterReport => {
    const turns = played.flatMap((each) => each.turns)
    const passed = played.filter((each) => each.passed).length
    const turnsPassed = turns.filter(turnPassed).length
    return {
      framework,
      conversations: played.length,
      passed,
      passRate: ratio(passed, played.length),
      turns: turns.length,
      turnsPassed,
      turnPassRate: ratio(turnsPassed, turns.length),
      failures: played.flatMap((conversation) =>
        conversation.turns
          .filter((turn) => !turnPassed(turn))
          .map((turn) => ({
            conversation: conversation.id,
            ...(conversation.note !== undefined ? { note: conversation.note } : {}),
            ...turn,
          })),
      ),
    }
  })
  const ids = new Set(outcomes.map((each) => each.id))
  return { conversations: ids.size, adapters }
}

function turnPassed(turn: TurnOutcome): boolean {
  return turn.error === undefined && turn.mismatches.length === 0
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 1000) / 1000
}

/** The report as lines for a person: one line per adapter, then (with `errors`) each failing turn. */
export function formatConversationReport(
  report: ConversationReport,
  options: { errors?: boolean } = {},
): string {
  const lines = [`conversations: ${report.conversations}`]
  for (const adapter of report.adapters) {
    lines.push(
      `${adapter.framework}: ${adapter.passed}/${adapter.conversations} conversations passed (${percent(adapter.passRate)}); turns ${adapter.turnsPassed}/${adapter.turns} (${percent(adapter.turnPassRate)})`,
    )
  }
  if (options.errors) {
    for (const adapter of report.adapters) {
      for (const failure of adapter.failures) {
        lines.push(
          `  ${adapter.framework} ${failure.conversation} turn ${failure.turn}: ${JSON.stringify(failure.message)}`,
        )
        if (failure.note !== undefined) lines.push(`    note: ${failure.note}`)
        if (failure.error !== undefined) lines.push(`    ${failure.error}`)
        for (const mismatch of failure.mismatches) {
          lines.push(
            `    ${mismatch.expectation}: expected ${JSON.stringify(mismatch.expected)}, got ${JSON.stringify(mismatch.got)}`,
          )
        }
        if (failure.reply !== undefined) lines.push(`    reply: ${JSON.stringify(failure.reply)}`)
      }
    }
  }
  return `${lines.join('\n')}\n`
}

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`
}
