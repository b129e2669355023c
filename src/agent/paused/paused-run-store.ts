/**
 * Which paused framework run waits on which approval request, so a decision taken in the API
 * (after a restart, or on another replica) resumes the right run: a LangGraph or LangChain
 * thread, or an OpenAI Agents run whose serialized state is kept here too. One store per
 * framework (their run ids never meet).
 *
 * Implementations: `SqlitePausedRunStore` (the project's SQLite file), `PostgresPausedRunStore`
 * (`DATABASE_URL`: every replica sees every paused run) and `MemoryPausedRunStore` (no project
 * store: nothing survives a restart), all held to `paused-run-store-contract.case.test.ts`.
 *
 * Contract:
 * - `remember` records that a run waits on these requests (again: the run replaces an earlier
 *   record of the same request), with its serialized state when given (replacing the last one).
 * - `find` names the run waiting on a request; `approvalsOf` lists the requests a run still
 *   waits on, in the order they were remembered.
 * - `forget` drops a decided request; a run left waiting on nothing loses its state too.
 * - Everything is visible at once through every other store on the same data.
 * @module
 */

export type PausedRunFramework = 'langgraph' | 'langchain' | 'openai_agents'

export interface PausedRunStore {
  remember(threadId: string, approvalIds: readonly string[], state?: string): Promise<void>
  find(approvalId: string): Promise<string | undefined>
  /** The serialized state of a paused run, for frameworks that resume from one. */
  stateOf(threadId: string): Promise<string | undefined>
  /** The requests a run still waits on (those not yet forgotten). */
  approvalsOf(threadId: string): Promise<string[]>
  /** The request is decided; a run left waiting on nothing loses its state too. */
  forget(approvalId: string): Promise<void>
}
