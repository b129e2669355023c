import type { AgentToolbox } from '../agent-toolbox.ts'
import type { TurnInput } from '../core/helpdesk-core.ts'
import { eventStream } from '../event-stream.ts'
import type { AgentEvent, HelpdeskAgent } from '../helpdesk-agent.ts'

/** The framework-free reference: the core's phases in plain sequence. The baseline for benchmarks. */
export class CoreAgent implements HelpdeskAgent {
  readonly specificationVersion = 'helpdesk-agent-v1'
  readonly framework = 'core'
  private readonly toolbox: AgentToolbox

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

  handleTurn(input: TurnInput): AsyncIterable<AgentEvent> {
    return eventStream(async (emit) => {
      await this.toolbox.core.handleTurn(input, emit)
    })
  }

  async close(): Promise<void> {}
}
