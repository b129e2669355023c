import type { StepResult } from '../../executors/executor.ts'
import type { Plan } from '../../planning/plan.ts'
import type { RankedTask } from '../../retrieval/request-router.ts'
import type { MissingParameter } from './slot-filling.ts'

/** What one chat turn produced. The HTTP API returns it as JSON. */
export interface TurnResult {
  sessionId: string
  reply: string
  /** Task types this turn is about (empty when out of scope or only a question was answered). */
  tasks: string[]
  plan: Plan[]
  /** Dry-run (later: real) results of the plan's steps, in plan order. */
  results: StepResult[]
  /** Parameters still needed, first one asked in `reply`. */
  missing: MissingParameter[]
  ranked: RankedTask[]
  outOfScope?: { topic?: string; handoff: string }
}

/** Events a turn emits while it runs, for streaming clients. Names are noun-verb. */
export type TurnEvent =
  | { type: 'route-end'; tasks: string[]; ranked: RankedTask[] }
  | { type: 'question'; missing: MissingParameter }
  | { type: 'plan-end'; plan: Plan }
  | { type: 'step-end'; result: StepResult }
  | { type: 'reply-end'; result: TurnResult }
