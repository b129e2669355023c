import { AsyncLocalStorage } from 'node:async_hooks'
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import { Agent } from '@mastra/core/agent'
import { createTool } from '@mastra/core/tools'
import { z } from 'zod'
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

type MastraModel = ConstructorParameters<typeof Agent>[0]['model']

/**
 * The crew: each member a role with only the tools of its part of the work, and when that part
 * is done: the member then hands over at once, without a closing message nobody reads (a
 * model round trip saved per member).
 */
const CREW: ReadonlyArray<{
  name: string
  role: string
  tools: readonly HelpdeskToolName[]
  done: (run: TurnRun) => boolean
}> = [
  {
    name: 'dispatcher',
    role: 'You are the dispatcher: find which runbooks the request needs.',
    tools: ['route_request'],
    // Out of scope, the dispatcher may still propose a script; in scope, routing is all.
    done: (run) => run.routeOutcome === 'continue' || run.calls.includes(PROPOSE_SCRIPT_TOOL.name),
  },
  {
    name: 'technician',
    role: 'You are the technician: plan the routed runbooks and carry out their steps.',
    tools: ['plan_tasks', 'execute_steps'],
    done: (run) => run.calls.includes('execute_steps'),
  },
  {
    name: 'writer',
    role: 'You are the writer: write the reply to the employee.',
    tools: ['write_reply'],
    done: (run) => run.calls.includes('write_reply'),
  },
]

/**
 * Mastra (the CrewAI-like role): a crew of role-based agents working one request in sequence,
 * dispatcher -> technician -> writer (out of scope skips the technician), each a Mastra `Agent`
 * whose model is the configured chat-completions endpoint through the AI SDK's OpenAI-compatible
 * provider (the offline model by default).
 */
export class MastraAgent extends ToolboxAgent {
  readonly framework = 'mastra'
  private readonly endpoint: ModelEndpoint
  private readonly crew: Array<{ name: string; agent: Agent; done: (run: TurnRun) => boolean }>
  /** The turn a tool call belongs to: turns run concurrently on one crew. */
  private readonly currentRun = new AsyncLocalStorage<TurnRun>()

  constructor(toolbox: AgentToolbox, endpoint: ModelEndpoint) {
    super(toolbox)
    this.endpoint = endpoint
    this.crew = this.assemble()
  }

  /** Crew members that worked on the last turn, in order. */
  lastCrew: string[] = []
  /** The helpdesk tools the models called in the last turn, in order. */
  lastToolCalls: string[] = []

  handleTurn(input: TurnInput): AsyncIterable<AgentEvent> {
    return eventStream(async (emit) => {
      const run = await this.startTurnRun(input, emit)
      this.lastCrew = []
      await this.currentRun.run(run, async () => {
        for (const member of this.crew) {
          const outOfScope =
            member.name === 'technician' &&
            (await run.call('route_request')).route === 'out_of_scope'
          if (outOfScope) continue
          this.lastCrew.push(member.name)
          await rethrowModelFailure(() =>
            member.agent.generate(
              run
                .conversation()
                .map((entry) =>
                  entry.role === 'user'
                    ? { role: 'user' as const, content: entry.content }
                    : { role: 'assistant' as const, content: entry.content },
                ),
              {
                maxSteps: 6,
                stopWhen: () => member.done(run),
                modelSettings: { maxRetries: 0 },
              },
            ),
          )
        }
      })
      this.lastToolCalls = run.calls
      await run.finish()
    })
  }

  private assemble(): Array<{ name: string; agent: Agent; done: (run: TurnRun) => boolean }> {
    const provider = createOpenAICompatible({
      name: 'helpdesk',
      baseURL: this.endpoint.baseURL,
      apiKey: this.endpoint.apiKey,
      fetch: this.endpoint.fetch,
    })
    // Mastra 1.71 runs AI SDK 7 models (LanguageModelV4; the conformance suite proves it) but its
    // declared model types stop at the V3 interface, hence the cast.
    const model = provider.chatModel(this.endpoint.model) as unknown as MastraModel
    return CREW.map((member) => ({
      name: member.name,
      done: member.done,
      agent: new Agent({
        id: member.name,
        name: member.name,
        instructions: `${HELPDESK_SYSTEM_PROMPT} ${member.role}`,
        model,
        tools: {
          ...Object.fromEntries(
            member.tools.map((name) => [
              name,
              createTool({
                id: name,
                description: HELPDESK_TOOLS.find((each) => each.name === name)?.description ?? name,
                inputSchema: z.object({}),
                execute: async () => JSON.stringify(await this.turn().call(name)),
              }),
            ]),
          ),
          // The dispatcher alone may propose a script for what no runbook covers.
          ...(member.name === 'dispatcher'
            ? {
                [PROPOSE_SCRIPT_TOOL.name]: createTool({
                  id: PROPOSE_SCRIPT_TOOL.name,
                  description: PROPOSE_SCRIPT_TOOL.description,
                  inputSchema: PROPOSAL_SCHEMA,
                  execute: async (input) => JSON.stringify(await this.turn().proposeScript(input)),
                }),
              }
            : {}),
        },
      }),
    }))
  }

  private turn(): TurnRun {
    const run = this.currentRun.getStore()
    if (!run) throw new Error('helpdesk tool called outside a turn')
    return run
  }
}
