/**
 * The approval tests' live stack per adapter: a recording executor, approvals and audit on a
 * fresh SQLite file, the chat core in front, and each adapter built the way the server builds it
 * (LangGraph and LangChain checkpoint in that file; paused runs are kept there). Test support
 * only; nothing in the application imports it.
 * @module
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { buildMemoryRuntime } from '../../../../tests/support/memory-runtime.ts'
import { assembleHelpdesk } from '../../../app/assemble-helpdesk.ts'
import { liveSteps } from '../../../app/chat-step-runner.ts'
import { approvalRequester } from '../../../approvals/pending-approval.ts'
import {
  openApprovalStack,
  RecordingExecutor,
} from '../../../approvals/testing/approval-fixture.ts'
import { ExecutorRegistry } from '../../../executors/executor-registry.ts'
import { modelEndpointFromEnvironment } from '../../../models/model-endpoint.ts'
import { AgentToolbox } from '../../agent-toolbox.ts'
import type { HelpdeskAgent } from '../../helpdesk-agent.ts'
import { NodeSqliteCheckpointSaver } from '../../langgraph/node-sqlite-checkpoint-saver.ts'
import { SqlitePausedRunStore } from '../../paused/sqlite-paused-run-store.ts'
import { CoreAgent } from '../core-agent.ts'
import { LangChainAgent } from '../langchain-agent.ts'
import { LangGraphAgent } from '../langgraph-agent.ts'
import { MastraAgent } from '../mastra-agent.ts'
import { OpenAiAgentsAgent } from '../openai-agents-agent.ts'

export type AdapterFactory = (toolbox: AgentToolbox, database: DatabaseSync) => HelpdeskAgent

export const ADAPTERS: ReadonlyArray<[string, AdapterFactory]> = [
  ['core', (toolbox) => new CoreAgent(toolbox)],
  [
    'langgraph',
    (toolbox, database) =>
      new LangGraphAgent(
        toolbox,
        new NodeSqliteCheckpointSaver(database),
        new SqlitePausedRunStore({ database, framework: 'langgraph' }),
      ),
  ],
  [
    'langchain',
    (toolbox, database) =>
      new LangChainAgent(toolbox, modelEndpointFromEnvironment({}), {
        checkpointer: new NodeSqliteCheckpointSaver(database),
        pausedRuns: new SqlitePausedRunStore({ database, framework: 'langchain' }),
      }),
  ],
  [
    'openai-agents',
    (toolbox, database) =>
      new OpenAiAgentsAgent(toolbox, modelEndpointFromEnvironment({}), {
        pausedRuns: new SqlitePausedRunStore({ database, framework: 'openai_agents' }),
      }),
  ],
  ['mastra', (toolbox) => new MastraAgent(toolbox, modelEndpointFromEnvironment({}))],
]

/** Adapters whose framework pauses the run for the decision and resumes it. */
export const PAUSING = new Set(['langgraph', 'langchain', 'openai-agents'])

const runtime = buildMemoryRuntime()

/** Opens the stack on a new file (or `file`, as a restarted server would) with this adapter. */
export async function openLiveStack<Agent extends HelpdeskAgent = HelpdeskAgent>(
  adapter: (toolbox: AgentToolbox, database: DatabaseSync) => Agent,
  options: { now?: () => Date; file?: string; executor?: RecordingExecutor } = {},
) {
  const { knowledge, router } = await runtime
  const file =
    options.file ??
    path.join(mkdtempSync(path.join(tmpdir(), 'approval-conformance-')), 'store.sqlite')
  const executor = options.executor ?? new RecordingExecutor()
  const stack = openApprovalStack({
    file,
    instructions: knowledge.instructions,
    executor,
    ...(options.now ? { now: options.now } : {}),
  })
  const runStep = liveSteps(stack.execution, new ExecutorRegistry().register(executor))
  const { core } = assembleHelpdesk(knowledge, {
    maxMessageCharacters: 4000,
    runStep,
    requestApproval: approvalRequester(stack.service),
  })
  const toolbox = new AgentToolbox({
    core,
    router,
    instructions: knowledge.instructions,
    runStep,
    approvals: stack.service,
  })
  const database = new DatabaseSync(file, { timeout: 5000 })
  const agent = adapter(toolbox, database)
  return {
    file,
    executor,
    stack,
    toolbox,
    agent,
    async close() {
      await agent.close()
      database.close()
      await stack.close()
    },
  }
}
