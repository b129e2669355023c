/**
 * What a configured LLM adds to routing: it reads the message in context and chooses among the
 * retrieved candidate runbooks (or none), proposes the parameter values it read, and says how a
 * compound request splits. It chooses; the core decides: a choice outside the candidates is
 * rejected, and every value goes through the same typed validation as the rules' values.
 * @module
 */
import type { RouteDecision } from '../../retrieval/request-router.ts'
import type { TurnState } from '../core/turn.ts'

/**
 * Refines the router's decision for one turn.
 *
 * Contract:
 * - Returns `routed` unchanged when there is nothing to choose from (no candidates), when the
 *   model cannot be asked, or when its answer is rejected (a runbook outside the candidates, a
 *   malformed answer); the reason is logged, never guessed around.
 * - Otherwise `tasks` holds only candidate task types (maybe none: out of scope) and `ranked`
 *   is the router's, unchanged.
 * - May put the values it read into `turn.session.known` under their parameter names. A value
 *   that fails validation is put there as given, so the core refuses it with its reason and asks
 *   for it (never falling back to the requester or a default in its place); it is dropped again
 *   at the next turn that routes.
 */
export interface RequestUnderstanding {
  understand(turn: TurnState, routed: RouteDecision): Promise<RouteDecision>
}
