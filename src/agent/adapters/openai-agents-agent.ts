import {
  Agent,
  assistant,
  OpenAIChatCompletionsModel,
  run,
  setTracingDisabled,
  tool,
  user,
} from '@openai/agents'
import OpenAI from 'openai'
import { z } from 'zod'
import { CATEGORIES } from '../../knowledge/instructions/instruction-schema.ts'
import {
  HELPDESK_SYSTEM_PROMPT,
  HELPDESK_TOOLS,
  type HelpdeskToolName,
  PROPOSE_SCRIPT_TOOL,
} from '../../models/helpdesk-tools.ts'
import type { ModelEndpoint } from '../../models/model-endpoint.ts'
import type { AgentToolbox } from '../agent-toolbox.ts'
import type { TurnInput } from '../core/helpdesk-core.ts'
import { eventStream } from '../event-stream.ts'
import type { AgentEvent } from '../helpdesk-agent.ts'
import { rethrowModelFailure } from '../model-failure.ts'
import { PROPOSAL_SCHEMA } from '../proposal-schema.ts'
import type { TurnRun } from '../turn-run.ts'
import { ToolboxAgent } from './toolbox-agent.ts'

// Traces would go to OpenAI's servers; a helpdesk keeps its conversations to itself.
setTracingDisabled(true)

interface RunContext {
  turnRun: TurnRun
}

/**
 * OpenAI Agents SDK (the AutoGen-like role): a triage agent routes the request and hands off to
 * the specialist of its category (access, applications, hardware, network, system, email),
 * which plans, executes and replies. The model is the configured chat-completions endpoint
 * (never the Responses API), the offline model by default.
 */
export class OpenAiAgentsAgent extends ToolboxAgent {
  readonly framework = 'openai-agents'
  private readonly triage: Agent<RunContext>

  constructor(toolbox: AgentToolbox, endpoint: ModelEndpoint) {
    super(toolbox)
    const client = new OpenAI({
      baseURL: endpoint.baseURL,
      apiKey: endpoint.apiKey,
      timeout: endpoint.clientTimeoutMs,
      maxRetries: 0,
      fetch: endpoint.fetch,
    })
    const model = new OpenAIChatCompletionsModel(client, endpoint.model)
    const helpdeskTool = (name: HelpdeskToolName) => {
      const spec = HELPDESK_TOOLS.find((each) => each.name === name)
      return tool<z.ZodObject<Record<string, never>>, RunContext>({
        name,
        description: spec?.description ?? name,
        parameters: z.object({}),
        execute: async (_input, context) => {
          const turnRun = context?.context.turnRun
          if (!turnRun) throw new Error('helpdesk tool called outside a turn')
          return JSON.stringify(await turnRun.call(name))
        },
      })
    }
    // For requests no runbook covers: triage may propose a script for a technician to approve.
    const proposeTool = tool<typeof PROPOSAL_SCHEMA, RunContext>({
      name: PROPOSE_SCRIPT_TOOL.name,
      description: PROPOSE_SCRIPT_TOOL.description,
      parameters: PROPOSAL_SCHEMA,
      execute: async (input, context) => {
        const turnRun = context?.context.turnRun
        if (!turnRun) throw new Error('helpdesk tool called outside a turn')
        return JSON.stringify(await turnRun.proposeScript(input))
      },
    })
    const specialists = CATEGORIES.map(
      (category) =>
        new Agent<RunContext>({
          name: `${category}_specialist`,
          handoffDescription: `Plans and carries out ${category} requests from the runbooks.`,
          instructions: HELPDESK_SYSTEM_PROMPT,
          model,
          tools: [
            helpdeskTool('plan_tasks'),
            helpdeskTool('execute_steps'),
            helpdeskTool('write_reply'),
          ],
        }),
    )
    this.triage = new Agent<RunContext>({
      name: 'triage',
      instructions: `${HELPDESK_SYSTEM_PROMPT} You are the triage agent: route the request, then hand off to the specialist of its category; reply yourself only when it is out of scope.`,
      model,
      tools: [helpdeskTool('route_request'), helpdeskTool('write_reply'), proposeTool],
      handoffs: specialists,
    })
  }

  /** The agent that ended the last turn, for tests of the hand-off. */
  lastAgentName: string | undefined

  /** The helpdesk tools the model called in the last turn, in order. */
  lastToolCalls: string[] = []

  handleTurn(input: TurnInput): AsyncIterable<AgentEvent> {
    return eventStream(async (emit) => {
      const turnRun = await this.startTurnRun(input, emit)
      const result = await rethrowModelFailure(() =>
        run(
          this.triage,
          turnRun
            .conversation()
            .map((entry) =>
              entry.role === 'user' ? user(entry.content) : assistant(entry.content),
            ),
          { context: { turnRun }, maxTurns: 12 },
        ),
      )
      this.lastAgentName = result.lastAgent?.name
      this.lastToolCalls = turnRun.calls
      await turnRun.finish()
    })
  }
}
