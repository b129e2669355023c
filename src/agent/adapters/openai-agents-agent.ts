import { randomUUID } from 'node:crypto'
import {
  Agent,
  assistant,
  OpenAIChatCompletionsModel,
  RunContext,
  RunState,
  type RunToolApprovalItem,
  run,
  setTracingDisabled,
  tool,
  user,
} from '@openai/agents'
import OpenAI from 'openai'
import { z } from 'zod'
import type { ApprovalRun } from '../../approvals/approval-service.ts'
import { CATEGORIES } from '../../knowledge/instructions/instruction-schema.ts'
import {
  AWAIT_APPROVAL_PROMPT,
  AWAIT_APPROVAL_TOOL,
  HELPDESK_SYSTEM_PROMPT,
  HELPDESK_TOOLS,
  type HelpdeskToolName,
  PROPOSE_SCRIPT_TOOL,
} from '../../models/helpdesk-tools.ts'
import type { ModelEndpoint } from '../../models/model-endpoint.ts'
import type { AgentToolbox } from '../agent-toolbox.ts'
import {
  type ApprovalResume,
  deniedAnswer,
  pendingOf,
  runApprovedRequest,
} from '../approval-pause.ts'
import type { TurnInput } from '../core/helpdesk-core.ts'
import { eventStream } from '../event-stream.ts'
import type { AgentEvent, ApprovalDecision } from '../helpdesk-agent.ts'
import { rethrowModelFailure } from '../model-failure.ts'
import { MemoryPausedRunStore } from '../paused/memory-paused-run-store.ts'
import type { PausedRunStore } from '../paused/paused-run-store.ts'
import { PROPOSAL_SCHEMA } from '../proposal-schema.ts'
import type { TurnRun } from '../turn-run.ts'
import { ToolboxAgent } from './toolbox-agent.ts'

// Traces would go to OpenAI's servers; a helpdesk keeps its conversations to itself.
setTracingDisabled(true)

/**
 * What the tools of one run reach: the turn (while it runs) or the decision (on resume). The
 * SDK serializes a paused run's context with its state, and must see a plain record; the live
 * objects are not enumerable, so only the run id is kept, and they are given again on resume.
 */
interface HelpdeskRunContext {
  runId: string
  turnRun?: TurnRun
  resume?: ApprovalResume
}

function helpdeskRunContext(
  runId: string,
  parts: { turnRun?: TurnRun; resume?: ApprovalResume },
): HelpdeskRunContext {
  return Object.defineProperties(
    { runId },
    {
      turnRun: { value: parts.turnRun, enumerable: false },
      resume: { value: parts.resume, enumerable: false },
    },
  )
}

/**
 * OpenAI Agents SDK (the AutoGen-like role): a triage agent routes the request and hands off to
 * the specialist of its category (access, applications, hardware, network, system, email),
 * which plans, executes and replies. The model is the configured chat-completions endpoint
 * (never the Responses API), the offline model by default. When the turn left approval requests
 * waiting, the agent calls `await_approval`, a tool that `needsApproval`: the run stops with an
 * interruption, and its serialized `RunState` is kept (in the project store when there is one)
 * until a technician decides, even after a restart; the decision approves or rejects that
 * interruption and the run goes on from its state.
 */
export class OpenAiAgentsAgent extends ToolboxAgent {
  readonly framework = 'openai-agents'
  private readonly triage: Agent<HelpdeskRunContext>
  private readonly paused: PausedRunStore

  constructor(
    toolbox: AgentToolbox,
    endpoint: ModelEndpoint,
    options: { pausedRuns?: PausedRunStore } = {},
  ) {
    super(toolbox)
    this.paused = options.pausedRuns ?? new MemoryPausedRunStore()
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
      return tool<z.ZodObject<Record<string, never>>, HelpdeskRunContext>({
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
    const proposeTool = tool<typeof PROPOSAL_SCHEMA, HelpdeskRunContext>({
      name: PROPOSE_SCRIPT_TOOL.name,
      description: PROPOSE_SCRIPT_TOOL.description,
      parameters: PROPOSAL_SCHEMA,
      execute: async (input, context) => {
        const turnRun = context?.context.turnRun
        if (!turnRun) throw new Error('helpdesk tool called outside a turn')
        return JSON.stringify(await turnRun.proposeScript(input))
      },
    })
    const awaitApproval = tool<z.ZodObject<{ approvalId: z.ZodString }>, HelpdeskRunContext>({
      name: AWAIT_APPROVAL_TOOL.name,
      description: AWAIT_APPROVAL_TOOL.description,
      parameters: z.object({ approvalId: z.string().max(80) }),
      needsApproval: true,
      execute: async (input, context) => {
        const runId = context?.context.runId ?? ''
        return JSON.stringify(
          await runApprovedRequest(
            toolbox.approvals,
            input.approvalId,
            context?.context.resume,
            async () => pendingOf(toolbox.approvals, await this.paused.approvalsOf(runId)),
          ),
        )
      },
    })
    const specialists = CATEGORIES.map(
      (category) =>
        new Agent<HelpdeskRunContext>({
          name: `${category}_specialist`,
          handoffDescription: `Plans and carries out ${category} requests from the runbooks.`,
          instructions: `${HELPDESK_SYSTEM_PROMPT} ${AWAIT_APPROVAL_PROMPT}`,
          model,
          tools: [
            helpdeskTool('plan_tasks'),
            helpdeskTool('execute_steps'),
            helpdeskTool('write_reply'),
            awaitApproval,
          ],
        }),
    )
    this.triage = new Agent<HelpdeskRunContext>({
      name: 'triage',
      instructions: `${HELPDESK_SYSTEM_PROMPT} You are the triage agent: route the request, then hand off to the specialist of its category; reply yourself only when it is out of scope. ${AWAIT_APPROVAL_PROMPT}`,
      model,
      tools: [
        helpdeskTool('route_request'),
        helpdeskTool('write_reply'),
        proposeTool,
        awaitApproval,
      ],
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
      const runId = `openai-agents-turn-${randomUUID()}`
      const result = await rethrowModelFailure(() =>
        run(
          this.triage,
          turnRun
            .conversation()
            .map((entry) =>
              entry.role === 'user' ? user(entry.content) : assistant(entry.content),
            ),
          { context: helpdeskRunContext(runId, { turnRun }), maxTurns: MAX_TURNS },
        ),
      )
      this.lastAgentName = result.lastAgent?.name
      this.lastToolCalls = turnRun.calls
      await turnRun.finish()
      await this.pauseOrClose(
        runId,
        result.interruptions,
        () => result.state.toString(),
        turnRun.approvalIds(),
      )
    })
  }

  /**
   * Resumes the paused run that waits on this request: approves or rejects its interruption in
   * the stored state and runs on; returns what the approval ran. Undefined when no run here
   * waits on it first: the caller then runs the approved plan itself.
   */
  async resumeApproval(
    approvalId: string,
    decision: ApprovalDecision,
  ): Promise<ApprovalRun | undefined> {
    const runId = await this.paused.find(approvalId)
    const saved = runId ? await this.paused.stateOf(runId) : undefined
    if (!runId || !saved) return undefined
    await this.paused.forget(approvalId)
    const resume: ApprovalResume = { approvalId, decision }
    const state = await RunState.fromStringWithContext(
      this.triage,
      saved,
      new RunContext(helpdeskRunContext(runId, { resume })),
      { contextStrategy: 'merge' },
    )
    const interruption = state.getInterruptions().find((each) => approvalIdOf(each) === approvalId)
    if (!interruption) return undefined
    if (decision.outcome === 'approved') state.approve(interruption)
    else
      state.reject(interruption, {
        message: await deniedAnswer(resume, async () =>
          pendingOf(this.toolbox.approvals, await this.paused.approvalsOf(runId)),
        ),
      })
    try {
      const result = await rethrowModelFailure(() =>
        run(this.triage, state, { maxTurns: MAX_TURNS }),
      )
      await this.pauseOrClose(
        runId,
        result.interruptions,
        () => result.state.toString(),
        await this.paused.approvalsOf(runId),
      )
    } catch (error) {
      // The approved steps ran; a model failing afterwards does not undo or hide that.
      if (!resume.run) throw error
    }
    return resume.run
  }

  /** Keeps the state of a run paused on one of its turn's requests; forgets a finished one. */
  private async pauseOrClose(
    runId: string,
    interruptions: readonly RunToolApprovalItem[] | undefined,
    serialize: () => string,
    approvalIds: readonly string[],
  ): Promise<void> {
    const awaited = (interruptions ?? []).map(approvalIdOf)
    if (awaited.length > 0 && awaited.every((id) => id && approvalIds.includes(id))) {
      await this.paused.remember(runId, approvalIds, serialize())
      return
    }
    for (const id of approvalIds) await this.paused.forget(id)
  }
}

const MAX_TURNS = 12

/** The approval request an `await_approval` interruption waits on. */
function approvalIdOf(item: RunToolApprovalItem): string | undefined {
  if (item.name !== AWAIT_APPROVAL_TOOL.name) return undefined
  try {
    const parsed: unknown = JSON.parse(item.arguments ?? '{}')
    const id = (parsed as { approvalId?: unknown }).approvalId
    return typeof id === 'string' ? id : undefined
  } catch {
    return undefined
  }
}
