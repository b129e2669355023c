/**
 * Routing: which runbooks (task types) a request is about.
 * @module
 */

/** A task type and how well the request matches it, in [0, 1]. */
export interface RankedTask {
  taskType: string
  score: number
}

/** One part of a compound request and where it was routed. */
export interface RoutedPart {
  text: string
  /** A task type, or undefined when this part is out of scope. */
  taskType: string | undefined
  score: number
}

export interface RouteDecision {
  /**
   * The decision: one task type for a single request, several (in the order they were asked) for
   * a compound request, none when the request is out of scope.
   */
  tasks: string[]
  /** Up to five task types for the whole text, best first. */
  ranked: RankedTask[]
  /** Set when the request is out of scope: the closest known out-of-scope topic, if any. */
  outOfScopeTopic?: string
  /** The parts of a compound request (absent for a single request). */
  parts?: RoutedPart[]
}

/**
 * Decides which runbooks a request is about.
 *
 * Contract:
 * - Never guesses: below its confidence threshold, or nearer to a known out-of-scope request than
 *   to any runbook, a request gets `tasks: []`.
 * - `ranked` is always filled (best first, at most five) so callers can show alternatives.
 * - A compound request yields each distinct task once, in the order the person asked.
 * @throws {HelpdeskError} KNOWLEDGE_STORE_UNAVAILABLE when the vector store cannot be queried.
 */
export interface RequestRouter {
  route(text: string): Promise<RouteDecision>
}
