import { randomUUID } from 'node:crypto'
import type { StructuredToolInterface } from '@langchain/core/tools'
import { type BaseCheckpointSaver, Command, INTERRUPT, MemorySaver } from '@langchain/langgraph'
import { ChatOpenAI } from '@langchain/openai'
import {
  AIMessage,
  createAgent,
  type HITLRequest,
  type HITLResponse,
  HumanMessage,
  humanInTheLoopMiddleware,
  tool,
} from 'langchain'
import { z } from 'zod'
import type { ApprovalRun } from '../../approvals/approval-service.ts'
import {
  AWAIT_APPROVAL_PROMPT,
  AWAIT_APPROVAL_TOOL,
  HELPDESK_SYSTEM_PROMPT,
  HELPDESK_TOOLS,
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
import { PROPOSAL_SCHEMA, type ProposalInput } from '../proposal-schema.ts'
import type { TurnRun } from '../turn-run.ts'
import { ToolboxAgent } from './toolbox-agent.ts'

const RECURSION_LIMIT = 25

/**
 * LangChain v1: `createAgent` with the helpdesk tools and a ChatOpenAI model pointed at the
 * configured chat-completions endpoint (the offline model by default). The model's tool calls
 * drive the core's phases through a per-turn `TurnRun`. When the turn left approval requests
 * waiting, the model calls `await_approval` and the human-in-the-loop middleware pauses the run
 * there, checkpointed (in the project store when there is one), until a technician decides,
 * even after a restart: approved, the tool carries the request out; denied, it never runs.
 */
export class LangChainAgent extends ToolboxAgent {
  readonly framework = 'langchain'
  private readonly agent
  private readonly checkpointer: BaseCheckpointSaver
  private readonly paused: PausedRunStore

  constructor(
    toolbox: AgentToolbox,
    endpoint: ModelEndpoint,
    options: { checkpointer?: BaseCheckpointSaver; pausedRuns?: PausedRunStore } = {},
  ) {
    super(toolbox)
    this.checkpointer = options.checkpointer ?? new MemorySaver()
    this.paused = options.pausedRuns ?? new MemoryPausedRunStore()
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
    // Runs only after the middleware's pause, with the decision the resume carries.
    const awaitApproval = tool(
      async (input: { approvalId: string }, config) => {
        const resume = config?.configurable?.approvalResume as ApprovalResume | undefined
        const threadId = String(config?.configurable?.thread_id ?? '')
        return JSON.stringify(
          await runApprovedRequest(toolbox.approvals, input.approvalId, resume, async () =>
            pendingOf(toolbox.approvals, await this.paused.approvalsOf(threadId)),
          ),
        )
      },
      {
        name: AWAIT_APPROVAL_TOOL.name,
        description: AWAIT_APPROVAL_TOOL.description,
        schema: z.object({ approvalId: z.string().max(80) }),
      },
    )
    this.agent = createAgent({
      model,
      tools: [...tools, propose, awaitApproval] as StructuredToolInterface[],
      systemPrompt: `${HELPDESK_SYSTEM_PROMPT} ${AWAIT_APPROVAL_PROMPT}`,
      checkpointer: this.checkpointer,
      middleware: [
        humanInTheLoopMiddleware({
          interruptOn: {
            [AWAIT_APPROVAL_TOOL.name]: {
              allowedDecisions: ['approve', 'reject'],
              description: 'A technician decides on the approval request.',
            },
          },
        }),
      ],
    })
  }

  /** The helpdesk tools the model called in the last turn, in order. */
  lastToolCalls: string[] = []

  handleTurn(input: TurnInput): AsyncIterable<AgentEvent> {
    return eventStream(async (emit) => {
      const run = await this.startTurnRun(input, emit)
      const threadId = `langchain-turn-${randomUUID()}`
      const state = await rethrowModelFailure(() =>
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
          {
            configurable: { turnRun: run, thread_id: threadId },
            recursionLimit: RECURSION_LIMIT,
            // Only a pause needs the run's state again: it is saved when the run stops there.
            durability: 'exit',
          },
        ),
      )
      this.lastToolCalls = run.calls
      await run.finish()
      await this.pauseOrClose(threadId, awaitedIn(state), run.approvalIds())
    })
  }

  /**
   * Resumes the paused run that waits on this request with the decision; returns what the
   * approval ran. Undefined when no run here waits on it (or waits on another of its turn's
   * requests first): the caller then runs the approved plan itself.
   */
  async resumeApproval(
    approvalId: string,
    decision: ApprovalDecision,
  ): Promise<ApprovalRun | undefined> {
    const threadId = await this.paused.find(approvalId)
    if (!threadId) return undefined
    const awaited = await this.paused.stateOf(threadId)
    await this.paused.forget(approvalId)
    if (awaited !== approvalId) return undefined
    const resume: ApprovalResume = { approvalId, decision }
    const stillWaiting = async () =>
      pendingOf(this.toolbox.approvals, await this.paused.approvalsOf(threadId))
    const answer: HITLResponse = {
      decisions: [
        decision.outcome === 'approved'
          ? { type: 'approve' }
          : { type: 'reject', message: await deniedAnswer(resume, stillWaiting) },
      ],
    }
    try {
      const state = await rethrowModelFailure(() =>
        this.agent.invoke(new Command({ resume: answer }), {
          configurable: { thread_id: threadId, approvalResume: resume },
          recursionLimit: RECURSION_LIMIT,
          durability: 'exit',
        }),
      )
      await this.pauseOrClose(threadId, awaitedIn(state), await this.paused.approvalsOf(threadId))
    } catch (error) {
      // The approved steps ran; a model failing afterwards does not undo or hide that.
      if (!resume.run) throw error
    }
    return resume.run
  }

  /** Remembers a run paused on one of its turn's requests; drops a finished run's checkpoints. */
  private async pauseOrClose(
    threadId: string,
    awaited: string | undefined,
    approvalIds: readonly string[],
  ): Promise<void> {
    if (awaited && approvalIds.includes(awaited)) {
      await this.paused.remember(threadId, approvalIds, awaited)
      return
    }
    // Finished, or paused on a request nobody can decide here: nothing will resume it.
    for (const id of approvalIds) await this.paused.forget(id)
    await this.checkpointer.deleteThread(threadId)
  }
}

/** The approval request a run paused on, from the middleware's interrupt. */
function awaitedIn(state: Record<string, unknown>): string | undefined {
  const interrupts = state[INTERRUPT] as Array<{ value?: HITLRequest }> | undefined
  const request = interrupts?.[0]?.value?.actionRequests?.[0]
  return request?.name === AWAIT_APPROVAL_TOOL.name && typeof request.args.approvalId === 'string'
    ? request.args.approvalId
    : undefined
}
