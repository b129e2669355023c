import { CoreAgent } from '../agent/adapters/core-agent.ts'
import { LangChainAgent } from '../agent/adapters/langchain-agent.ts'
import { LangGraphAgent } from '../agent/adapters/langgraph-agent.ts'
import { MastraAgent } from '../agent/adapters/mastra-agent.ts'
import { OpenAiAgentsAgent } from '../agent/adapters/openai-agents-agent.ts'
import { AgentRegistry, SwitchableAgent } from '../agent/agent-registry.ts'
import { AgentToolbox } from '../agent/agent-toolbox.ts'
import type { HelpdeskCore, StepRunner } from '../agent/core/helpdesk-core.ts'
import type { SessionStore } from '../agent/core/session.ts'
import {
  checkpointerUrlFromEnvironment,
  openCheckpointer,
} from '../agent/langgraph/checkpointer-from-config.ts'
import { MemoryPausedRunStore } from '../agent/paused/memory-paused-run-store.ts'
import type { PausedRunFramework, PausedRunStore } from '../agent/paused/paused-run-store.ts'
import { ModelReplyWriter } from '../agent/understanding/model-reply-writer.ts'
import { ModelUnderstanding } from '../agent/understanding/model-understanding.ts'
import type { ApprovalService } from '../approvals/approval-service.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import { type ModelEndpoint, modelEndpointFromEnvironment } from '../models/model-endpoint.ts'
import type { RequestRouter } from '../retrieval/request-router.ts'
import { openProjectDatabase } from '../store/open-project-database.ts'
import type { ProjectStores } from '../store/project-stores.ts'

/**
 * Every adapter over the same toolbox, and the one selected by AGENT_FRAMEWORK. Every adapter
 * keeps its paused runs in the project stores when there are some (PostgreSQL with DATABASE_URL,
 * else the SQLite file); LangGraph and LangChain keep their checkpoints in PostgreSQL with
 * LANGGRAPH_CHECKPOINT_URL, else with DATABASE_URL, else in the project's SQLite file, else in
 * memory. So with DATABASE_URL alone a run paused on one replica resumes on any other.
 */
export async function buildAgents(options: {
  framework: string
  core: HelpdeskCore
  router: RequestRouter
  instructions: ReadonlyMap<string, Instruction>
  runStep: StepRunner
  approvals?: ApprovalService
  /** Where conversations are kept: a reply in the model's words is saved as the one given. */
  sessions?: SessionStore
  /** The project store file, for LangGraph's checkpoints; in memory without it. */
  databaseFile?: string
  /** The project stores, for paused runs; in memory without them. */
  stores?: ProjectStores
  /** DATABASE_URL: the checkpoints' PostgreSQL unless LANGGRAPH_CHECKPOINT_URL says otherwise. */
  databaseUrl?: string
  environment?: NodeJS.ProcessEnv
  log: (line: string) => void
}): Promise<{ agents: SwitchableAgent; registry: AgentRegistry; close(): Promise<void> }> {
  const endpoint = modelEndpointFromEnvironment(options.environment ?? process.env)
  const toolbox = new AgentToolbox({
    ...options,
    ...languageModelParts({ endpoint, instructions: options.instructions, log: options.log }),
  })
  // One saver for both graph frameworks (their thread ids never meet).
  const checkpointUrl =
    checkpointerUrlFromEnvironment(options.environment ?? process.env) ??
    (options.stores?.kind === 'postgres' ? options.databaseUrl : undefined)
  const database =
    checkpointUrl === undefined && options.databaseFile
      ? // A checkpoint lost to a power cut replays a node: NORMAL sync is enough here.
        openProjectDatabase(options.databaseFile, { synchronous: 'NORMAL' })
      : undefined
  const opened = await openCheckpointer({
    ...(database ? { database } : {}),
    ...optionalUrl(checkpointUrl),
    log: options.log,
  }).catch((error: unknown) => {
    database?.close()
    throw error
  })
  const checkpointer = opened.saver
  const pausedRuns = (framework: PausedRunFramework): PausedRunStore =>
    options.stores?.pausedRuns(framework) ?? new MemoryPausedRunStore()
  const registry = new AgentRegistry()
    .register(
      'langgraph',
      (tools) => new LangGraphAgent(tools, checkpointer, pausedRuns('langgraph')),
    )
    .register(
      'langchain',
      (tools) =>
        new LangChainAgent(tools, endpoint, { checkpointer, pausedRuns: pausedRuns('langchain') }),
    )
    .register(
      'openai-agents',
      (tools) =>
        new OpenAiAgentsAgent(tools, endpoint, { pausedRuns: pausedRuns('openai_agents') }),
    )
    .register('mastra', (tools) => new MastraAgent(tools, endpoint))
    .register('core', (tools) => new CoreAgent(tools))
  const initial = await registry.create(options.framework, toolbox)
  options.log(
    `agent framework: ${initial.framework}; checkpoints: ${opened.description}; model: ${endpoint.offline ? 'the offline model (in process)' : `${endpoint.model} at ${endpoint.baseURL}`}`,
  )
  return {
    agents: new SwitchableAgent(registry, toolbox, initial),
    registry,
    close: async () => {
      await opened.close()
      database?.close()
    },
  }
}

/**
 * A configured LLM (not the offline model) reads each request and words each reply in the
 * model-driven adapters; offline there is neither: the rules decide and the plan's words are
 * the reply, deterministically.
 */
export function languageModelParts(model: {
  endpoint: ModelEndpoint
  instructions: ReadonlyMap<string, Instruction>
  log: (line: string) => void
}): { understanding?: ModelUnderstanding; replyWriter?: ModelReplyWriter } {
  if (model.endpoint.offline) return {}
  return { understanding: new ModelUnderstanding(model), replyWriter: new ModelReplyWriter(model) }
}

function optionalUrl(url: string | undefined): { postgresUrl?: string } {
  return url === undefined ? {} : { postgresUrl: url }
}
