// Turn latency per agent adapter with the offline model, against the framework-free core, over
// the same conversations (in-memory reference store, dry-run steps, so only orchestration
// differs). Run alone: node bench/agent-benchmark.ts. Figures vary with load: compare ratios.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { CoreAgent } from '../src/agent/adapters/core-agent.ts'
import { LangChainAgent } from '../src/agent/adapters/langchain-agent.ts'
import { LangGraphAgent } from '../src/agent/adapters/langgraph-agent.ts'
import { MastraAgent } from '../src/agent/adapters/mastra-agent.ts'
import { OpenAiAgentsAgent } from '../src/agent/adapters/openai-agents-agent.ts'
import { lastReply } from '../src/agent/event-stream.ts'
import type { HelpdeskAgent } from '../src/agent/helpdesk-agent.ts'
import { NodeSqliteCheckpointSaver } from '../src/agent/langgraph/node-sqlite-checkpoint-saver.ts'
import { SqlitePausedRunStore } from '../src/agent/paused/sqlite-paused-run-store.ts'
import { modelEndpointFromEnvironment } from '../src/models/model-endpoint.ts'
import { openProjectDatabase } from '../src/store/open-project-database.ts'
import { memoryToolbox } from '../tests/support/agent-toolbox.ts'
import { distribution } from './bench-support.ts'

export async function runAgentBenchmark(options: { rounds?: number } = {}): Promise<string> {
  const rounds = options.rounds ?? 3
  const toolbox = await memoryToolbox()
  const endpoint = modelEndpointFromEnvironment({})
  // Opened as the server opens it for checkpoints (WAL, NORMAL sync).
  const database = openProjectDatabase(
    path.join(mkdtempSync(path.join(tmpdir(), 'agent-bench-')), 'store.sqlite'),
    { synchronous: 'NORMAL' },
  )
  const agents: HelpdeskAgent[] = [
    new CoreAgent(toolbox),
    new LangGraphAgent(
      toolbox,
      new NodeSqliteCheckpointSaver(database),
      new SqlitePausedRunStore({ database, framework: 'langgraph' }),
    ),
    // As the server builds them: checkpoints and paused runs in the project file.
    new LangChainAgent(toolbox, endpoint, {
      checkpointer: new NodeSqliteCheckpointSaver(database),
      pausedRuns: new SqlitePausedRunStore({ database, framework: 'langchain' }),
    }),
    new OpenAiAgentsAgent(toolbox, endpoint, {
      pausedRuns: new SqlitePausedRunStore({ database, framework: 'openai_agents' }),
    }),
    new MastraAgent(toolbox, endpoint),
  ]
  const texts = readFileSync('tests/fixtures/routing-dev.jsonl', 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => (JSON.parse(line) as { text: string }).text)
    .slice(0, 60)
  const samples = new Map<string, number[]>(agents.map((agent) => [agent.framework, []]))
  for (const agent of agents) await lastReply(agent.handleTurn({ message: texts[0] ?? 'hello' }))
  for (let round = 0; round < rounds; round++) {
    for (const text of texts) {
      // Interleaved, so machine load hits every adapter alike.
      for (const agent of agents) {
        const started = performance.now()
        await lastReply(agent.handleTurn({ message: text }))
        samples.get(agent.framework)?.push(performance.now() - started)
      }
    }
  }
  const baseline = distribution(samples.get('core') ?? [])
  const lines = [
    `agent turn latency (ms; ${texts.length} dev requests x ${rounds} rounds, offline model, dry-run steps, in-memory store):`,
    'adapter        p50     p90     p99     overhead p50 vs core',
  ]
  for (const agent of agents) {
    const figures = distribution(samples.get(agent.framework) ?? [])
    const overhead = Math.round((figures.p50 - baseline.p50) * 10) / 10
    lines.push(
      `${agent.framework.padEnd(14)} ${String(figures.p50).padStart(6)}  ${String(figures.p90).padStart(6)}  ${String(figures.p99).padStart(6)}  ${agent.framework === 'core' ? '(baseline)' : `${overhead >= 0 ? '+' : ''}${overhead} ms${overhead <= 20 ? '' : '  (goal <= 20 ms: missed)'}`}`,
    )
  }
  return lines.join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runAgentBenchmark())
}
