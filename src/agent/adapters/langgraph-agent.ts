import { randomUUID } from 'node:crypto'
import type { RunnableConfig } from '@langchain/core/runnables'
import {
  Annotation,
  type BaseCheckpointSaver,
  END,
  MemorySaver,
  START,
  StateGraph,
} from '@langchain/langgraph'
import type { AgentToolbox } from '../agent-toolbox.ts'
import type { TurnInput } from '../core/helpdesk-core.ts'
import type { TurnEvent, TurnResult, TurnState } from '../core/turn.ts'
import { eventStream } from '../event-stream.ts'
import type { AgentEvent, HelpdeskAgent } from '../helpdesk-agent.ts'

const GraphState = Annotation.Root({
  turn: Annotation<TurnState>(),
  route: Annotation<'continue' | 'out_of_scope'>(),
  result: Annotation<TurnResult>(),
})

type Emit = (event: TurnEvent) => void
const emitOf = (config: RunnableConfig): Emit =>
  (config.configurable?.emit as Emit | undefined) ?? (() => {})

/**
 * LangGraph: each turn is a StateGraph run, route_request -> plan_tasks -> execute_steps ->
 * write_reply (out of scope goes straight to write_reply), checkpointed after every node on a
 * durable checkpointer (the project's SQLite file by default), one thread per turn. The nodes
 * call the core's phases; the graph decides only their order.
 */
export class LangGraphAgent implements HelpdeskAgent {
  readonly specificationVersion = 'helpdesk-agent-v1'
  readonly framework = 'langgraph'
  private readonly toolbox: AgentToolbox
  private readonly graph

  constructor(toolbox: AgentToolbox, checkpointer: BaseCheckpointSaver = new MemorySaver()) {
    this.toolbox = toolbox
    const core = toolbox.core
    // Node names must differ from state keys (LangGraph keeps them in one namespace).
    this.graph = new StateGraph(GraphState)
      .addNode('route_request', async (state, config) => ({
        route: await core.routeTurn(state.turn, emitOf(config)),
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
        result: await core.finishTurn(state.turn, emitOf(config)),
      }))
      .addEdge(START, 'route_request')
      .addConditionalEdges(
        'route_request',
        (state) => (state.route === 'out_of_scope' ? 'write_reply' : 'plan_tasks'),
        ['write_reply', 'plan_tasks'],
      )
      .addEdge('plan_tasks', 'execute_steps')
      .addEdge('execute_steps', 'write_reply')
      .addEdge('write_reply', END)
      .compile({ checkpointer })
  }

  retrieveInstructions: HelpdeskAgent['retrieveInstructions'] = (query) =>
    this.toolbox.retrieveInstructions(query)
  decomposeTask: HelpdeskAgent['decomposeTask'] = (message) => this.toolbox.decomposeTask(message)
  planTask: HelpdeskAgent['planTask'] = (taskType, parameters) =>
    this.toolbox.planTask(taskType, parameters)
  executeTask: HelpdeskAgent['executeTask'] = (plan, context) =>
    this.toolbox.executeTask(plan, context)

  handleTurn(input: TurnInput): AsyncIterable<AgentEvent> {
    return eventStream(async (emit) => {
      const turn = await this.toolbox.core.startTurn(input)
      await this.graph.invoke(
        { turn },
        { configurable: { thread_id: `turn-${turn.session.id}-${randomUUID()}`, emit } },
      )
    })
  }

  async close(): Promise<void> {}
}
