import type { AgentToolbox } from '../agent-toolbox.ts'
import type { TurnInput } from '../core/helpdesk-core.ts'
import type { TurnEvent } from '../core/turn.ts'
import type { AgentEvent, AgentFramework, HelpdeskAgent } from '../helpdesk-agent.ts'
import { TurnRun } from '../turn-run.ts'

/**
 * What every adapter shares: the four tool methods are the toolbox's, whatever the framework;
 * an adapter supplies only how a turn is orchestrated.
 */
export abstract class ToolboxAgent implements HelpdeskAgent {
  readonly specificationVersion = 'helpdesk-agent-v1'
  abstract readonly framework: AgentFramework
  protected readonly toolbox: AgentToolbox

  constructor(toolbox: AgentToolbox) {
    this.toolbox = toolbox
  }

  retrieveInstructions: HelpdeskAgent['retrieveInstructions'] = (query) =>
    this.toolbox.retrieveInstructions(query)
  decomposeTask: HelpdeskAgent['decomposeTask'] = (message) => this.toolbox.decomposeTask(message)
  planTask: HelpdeskAgent['planTask'] = (taskType, parameters) =>
    this.toolbox.planTask(taskType, parameters)
  executeTask: HelpdeskAgent['executeTask'] = (plan, context) =>
    this.toolbox.executeTask(plan, context)

  abstract handleTurn(input: TurnInput): AsyncIterable<AgentEvent>

  async close(): Promise<void> {}

  /** A turn for a model-driven adapter: started in the core, with its tools bound to it. */
  protected async startTurnRun(
    input: TurnInput,
    emit: (event: TurnEvent) => void,
  ): Promise<TurnRun> {
    const toolbox = this.toolbox
    return new TurnRun(toolbox.core, await toolbox.core.startTurn(input), emit, {
      categoryOf: (task) => toolbox.categoryOf(task),
      ...(toolbox.approvals ? { propose: toolbox.proposeScript } : {}),
      ...(toolbox.understanding ? { understanding: toolbox.understanding } : {}),
      finishTurn: (turn, emitEvent) => toolbox.finishTurn(turn, emitEvent),
    })
  }
}
