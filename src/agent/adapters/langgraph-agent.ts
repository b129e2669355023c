import { randomUUID } from 'node:crypto'
import type { RunnableConfig } from '@langchain/core/runnables'
import {
  Annotation,
  type BaseCheckpointSaver,
  Command,
  END,
  interrupt,
  MemorySaver,
  START,
  StateGraph,
} from '@langchain/langgraph'
import type { ApprovalRun } from '../../approvals/approval-service.ts'
import type { AgentToolbox } from '../agent-toolbox.ts'
import type { TurnInput } from '../core/helpdesk-core.ts'
import type { TurnEvent, TurnResult, TurnState } from '../core/turn.ts'
import { eventStream } from '../event-stream.ts'
import type { AgentEvent, ApprovalDecision } from '../helpdesk-agent.ts'
import { DeferredCheckpoints } from '../langgraph/deferred-checkpoints.ts'
import { MemoryPausedRunStore } from '../paused/memory-paused-run-store.ts'
import type { PausedRunStore } from '../paused/paused-run-store.ts'
import { ToolboxAgent } from './toolbox-agent.ts'

const GraphState = Annotation.Root({
  turn: Annotation<TurnState>(),
  route: Annotation<'continue' | 'out_of_scope'>(),
  result: Annotation<TurnResult>(),
  /** Approval requests of this turn still waiting for a decision. */
  waiting: Annotation<string[]>(),
  decision: Annotation<ApprovalDecision & { approvalId: string }>(),
  runs: Annotation<Record<string, ApprovalRun>>(),
})

/**
 * When the graph's state is written: only when a run stops (at an approval's `interrupt`, or at
 * the end), not after every node. Nothing ever reads a thread part-way through a node sequence:
 * a turn that ends is deleted, a turn that waits is resumed from its interrupt, and a run killed
 * in between is recovered from the step ledger and the approval's state, not from checkpoints.
 * Writing after every node cost about 60 PostgreSQL statements a turn (11 transactions) that the
 * turn's end then deleted, most of a chat turn's database time on PostgreSQL. A new turn's one
 * checkpoint is then kept in memory and written only if the turn paused (DeferredCheckpoints).
 */
const DURABILITY = 'exit'

type Emit = (event: TurnEvent) => void
const emitOf = (config: RunnableConfig): Emit =>
  (config.configurable?.emit as Emit | undefined) ?? (() => {})

/**
 * LangGraph: each turn is a StateGraph run, route_request -> plan_tasks -> execute_steps ->
 * write_reply (out of scope goes straight to write_reply), checkpointed when the run stops (see
 * DURABILITY) on a durable checkpointer (the project's SQLite file by default, PostgreSQL with
 * DATABASE_URL), one thread per turn. When the
 * turn held steps for approval, the thread goes on to await_approval, which `interrupt`s: the
 * run stops there, checkpointed, until a technician decides (even after a restart); the decision
 * resumes the thread into run_approved, which carries the approved plan out through the approval
 * service (exactly once), then waits for the turn's next pending approval, if any. The nodes
 * call the core's phases; the graph decides only their order. The graph has no model of its
 * own: a configured LLM serves only the toolbox's understanding (in route_request) and reply
 * wording (in write_reply), as in every model-driven adapter.
 */
export class LangGraphAgent extends ToolboxAgent {
  readonly framework = 'langgraph'
  private readonly threads: PausedRunStore
  private readonly checkpointer: BaseCheckpointSaver
  /** A new turn's thread stays in memory unless it pauses (see DeferredCheckpoints). */
  private readonly turnCheckpoints: DeferredCheckpoints
  private readonly graph

  constructor(
    toolbox: AgentToolbox,
    checkpointer: BaseCheckpointSaver = new MemorySaver(),
    pausedRuns: PausedRunStore = new MemoryPausedRunStore(),
  ) {
    super(toolbox)
    this.checkpointer = checkpointer
    this.turnCheckpoints = new DeferredCheckpoints(checkpointer)
    this.threads = pausedRuns
    const core = toolbox.core
    // Node names must differ from state keys (LangGraph keeps them in one namespace).
    this.graph = new StateGraph(GraphState)
      .addNode('route_request', async (state, config) => ({
        route: await core.routeTurn(
          state.turn,
          emitOf(config),
          toolbox.understanding ? { understanding: toolbox.understanding } : {},
        ),
        turn: state.turn,
      }))
      .addNode('plan_tasks', (state, config) => {
        core.planTurn(state.turn, emitOf(config))
        return { turn: state.turn }
      })
      .addNode('execute_steps', async (state, config) => {
        await core.executeTurn(state.turn, emitOf(config))
        return { turn: state.turn }
      })
      .addNode('write_reply', async (state, config) => ({
        result: await toolbox.finishTurn(state.turn, emitOf(config)),
        waiting: (state.turn.approvals ?? []).map((approval) => approval.id),
      }))
      // Runs again from the top on resume; `interrupt` then returns the decision.
      .addNode('await_approval', (state) => ({
        decision: interrupt<{ waiting: string[] }, ApprovalDecision & { approvalId: string }>({
          waiting: state.waiting,
        }),
      }))
      .addNode('run_approved', async (state) => {
        const { approvalId, outcome, actor } = state.decision
        const runs = { ...(state.runs ?? {}) }
        if (outcome === 'approved' && toolbox.approvals) {
          runs[approvalId] = await toolbox.approvals.executeApproved(approvalId, { actor })
        }
        return { runs, waiting: state.waiting.filter((id) => id !== approvalId) }
      })
      .addEdge(START, 'route_request')
      .addConditionalEdges(
        'route_request',
        (state) => (state.route === 'out_of_scope' ? 'write_reply' : 'plan_tasks'),
        ['write_reply', 'plan_tasks'],
      )
      .addEdge('plan_tasks', 'execute_steps')
      .addEdge('execute_steps', 'write_reply')
      .addConditionalEdges(
        'write_reply',
        (state) => (state.waiting.length ? 'await_approval' : END),
        ['await_approval', END],
      )
      .addEdge('await_approval', 'run_approved')
      .addConditionalEdges(
        'run_approved',
        (state) => (state.waiting.length ? 'await_approval' : END),
        ['await_approval', END],
      )
      .compile({ checkpointer: this.turnCheckpoints })
  }

  handleTurn(input: TurnInput): AsyncIterable<AgentEvent> {
    return eventStream(async (emit) => {
      const turn = await this.toolbox.core.startTurn(input)
      const threadId = `turn-${turn.session.id}-${randomUUID()}`
      this.turnCheckpoints.hold(threadId)
      try {
        const state = await this.graph.invoke(
          { turn, waiting: [] },
          { configurable: { thread_id: threadId, emit }, durability: DURABILITY },
        )
        const waiting = (state.waiting as string[] | undefined) ?? []
        // Only a paused thread is read again (on the approval's decision, maybe by another
        // replica): it goes to the durable store before anyone can decide. A finished one was
        // never written there.
        if (waiting.length) {
          await this.turnCheckpoints.commit(threadId)
          await this.threads.remember(threadId, waiting)
        }
      } finally {
        await this.turnCheckpoints.discard(threadId)
      }
    })
  }

  /** Resumes the interrupted thread that waits on this approval; undefined when none does. */
  async resumeApproval(
    approvalId: string,
    decision: ApprovalDecision,
  ): Promise<ApprovalRun | undefined> {
    const threadId = await this.threads.find(approvalId)
    if (!threadId) return undefined
    const config = { configurable: { thread_id: threadId } }
    const waiting = (await this.graph.getState(config)).values.waiting as string[] | undefined
    if (!waiting?.includes(approvalId)) return undefined
    const state = await this.graph.invoke(new Command({ resume: { ...decision, approvalId } }), {
      ...config,
      durability: DURABILITY,
    })
    await this.threads.forget(approvalId)
    if (!(state.waiting as string[] | undefined)?.length)
      await this.checkpointer.deleteThread(threadId)
    return (state.runs as Record<string, ApprovalRun> | undefined)?.[approvalId]
  }
}
