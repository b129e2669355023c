import type { StructuredToolInterface } from '@langchain/core/tools'
import { ChatOpenAI } from '@langchain/openai'
import { AIMessage, createAgent, HumanMessage, tool } from 'langchain'
import { z } from 'zod'
import {
  HELPDESK_SYSTEM_PROMPT,
  HELPDESK_TOOLS,
  PROPOSE_SCRIPT_TOOL,
} from '../../models/helpdesk-tools.ts'
import type { ModelEndpoint } from '../../models/model-endpoint.ts'
import type { AgentToolbox } from '../agent-toolbox.ts'
import type { TurnInput } from '../core/helpdesk-core.ts'
import { eventStream } from '../event-stream.ts'
import type { AgentEvent } from '../helpdesk-agent.ts'
import { rethrowModelFailure } from '../model-failure.ts'
import { PROPOSAL_SCHEMA, type ProposalInput } from '../proposal-schema.ts'
import type { TurnRun } from '../turn-run.ts'
import { ToolboxAgent } from './toolbox-agent.ts'

/**
 * LangChain v1: `createAgent` with the helpdesk tools and a ChatOpenAI model pointed at the
 * configured chat-completions endpoint (the offline model by default). The model's tool calls
 * drive the core's phases through a per-turn `TurnRun`.
 */
export class LangChainAgent extends ToolboxAgent {
  readonly framework = 'langchain'
  private readonly agent

  constructor(toolbox: AgentToolbox, endpoint: ModelEndpoint) {
    super(toolbox)
    const model = new ChatOpenAI({
      model: endpoint.model,
      apiKey: endpoint.apiKey,
      timeout: endpoint.clientTimeoutMs,
      maxRetries: 0,
      configuration: {
        baseURL: endpoint.baseURL,
        fetch: endpoint.fetch,
      },
    })
    const tools = HELPDESK_TOOLS.map((spec) =>
      tool(
        async (_input: Record<string, never>, config) => {
          const run = config?.configurable?.turnRun as TurnRun | undefined
          if (!run) throw new Error('helpdesk tool called outside a turn')
          return JSON.stringify(await run.call(spec.name))
        },
        { name: spec.name, description: spec.description, schema: z.object({}) },
      ),
    )
    const propose = tool(
      async (input: ProposalInput, config) => {
        const run = config?.configurable?.turnRun as TurnRun | undefined
        if (!run) throw new Error('helpdesk tool called outside a turn')
        return JSON.stringify(await run.proposeScript(input))
      },
      {
        name: PROPOSE_SCRIPT_TOOL.name,
        description: PROPOSE_SCRIPT_TOOL.description,
        schema: PROPOSAL_SCHEMA,
      },
    )
    this.agent = createAgent({
      model,
      tools: [...tools, propose] as StructuredToolInterface[],
      systemPrompt: HELPDESK_SYSTEM_PROMPT,
    })
  }

  /** The helpdesk tools the model called in the last turn, in order. */
  lastToolCalls: string[] = []

  handleTurn(input: TurnInput): AsyncIterable<AgentEvent> {
    return eventStream(async (emit) => {
      const run = await this.startTurnRun(input, emit)
      await rethrowModelFailure(() =>
        this.agent.invoke(
          {
            messages: run
              .conversation()
              .map((entry) =>
                entry.role === 'user'
                  ? new HumanMessage(entry.content)
                  : new AIMessage(entry.content),
              ),
          },
          { configurable: { turnRun: run }, recursionLimit: 25 },
        ),
      )
      this.lastToolCalls = run.calls
      await run.finish()
    })
  }
}
