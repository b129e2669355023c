import type { TurnInput } from '../core/helpdesk-core.ts'
import { eventStream } from '../event-stream.ts'
import type { AgentEvent } from '../helpdesk-agent.ts'
import { ToolboxAgent } from './toolbox-agent.ts'

/** The framework-free reference: the core's phases in plain sequence. The baseline for benchmarks. */
export class CoreAgent extends ToolboxAgent {
  readonly framework = 'core'

  handleTurn(input: TurnInput): AsyncIterable<AgentEvent> {
    return eventStream(async (emit) => {
      await this.toolbox.core.handleTurn(input, emit)
    })
  }
}
