// npm run bench: routing latency over the dev set against the embedded Chroma, chat turns per
// second with 20 concurrent clients against the running server, and start-up to ready.
// Figures vary with machine load (2 shared cores here): compare ratios and percentiles.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildRuntime } from '../src/app/build-runtime.ts'
import { loadConfig } from '../src/config/load-config.ts'
import { RETRIEVAL_PROBE } from '../src/retrieval/routing-probe.ts'
import { runAgentBenchmark } from './agent-benchmark.ts'
import { chatThroughput, distribution, startServer } from './bench-support.ts'
import { runFleetBenchmark } from './fleet-benchmark.ts'
import { runJobBenchmark } from './job-benchmark.ts'

const CONCURRENT_CLIENTS = 20
const THROUGHPUT_SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const ROUTE_ROUNDS = 3
const runtimeDirectory = path.resolve('.helpdesk/runtime')

const texts = (await readFile('tests/fixtures/routing-dev.jsonl', 'utf8'))
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => (JSON.parse(line) as { text: string }).text)

const dataDirectory = await mkdtemp(path.join(tmpdir(), 'helpdesk-bench-'))
const environment = { HELPDESK_DATA_DIR: dataDirectory, CHROMA_RUNTIME_DIR: runtimeDirectory }
try {
  // 1. Routing latency, in process, against the real embedded Chroma.
  const runtime = await buildRuntime(loadConfig({ ...process.env, ...environment }), {
    log: () => {},
    ingest: true,
  })
  const routeSamples: number[] = []
  try {
    for (let index = 0; index < 20; index += 1) await runtime.router.route(RETRIEVAL_PROBE)
    for (let round = 0; round < ROUTE_ROUNDS; round += 1) {
      for (const text of texts) {
        const started = performance.now()
        await runtime.router.route(text)
        routeSamples.push(performance.now() - started)
      }
    }
  } finally {
    await runtime.close()
  }
  const route = distribution(routeSamples)
  console.log(
    `route latency (ms, ${route.count} routes of ${texts.length} dev requests): p50 ${route.p50}  p90 ${route.p90}  p99 ${route.p99}  mean ${route.mean}`,
  )

  // 2. Start-up to ready: first start on an empty data directory (ingest included), then a restart.
  await rm(path.join(dataDirectory, 'chroma'), { recursive: true, force: true })
  const cold = await startServer(environment)
  await cold.stop()
  const server = await startServer(environment)
  console.log(
    `start to ready (ms): first start ${cold.readyMs} (empty data directory, ingest included)  restart ${server.readyMs}`,
  )

  // The first start created the admin and left its token for the operator.
  const token = (await readFile(path.join(dataDirectory, 'admin-token'), 'utf8')).trim()
  // 3. Chat turns per second with concurrent clients, each turn a new conversation.
  try {
    const figures = await chatThroughput({
      servers: [server],
      tokens: Array.from({ length: CONCURRENT_CLIENTS }, () => token),
      texts,
      seconds: THROUGHPUT_SECONDS,
      requester: 'bench.user',
    })
    const turns = figures.latency
    console.log(
      `chat (${CONCURRENT_CLIENTS} concurrent clients, ${THROUGHPUT_SECONDS} s): ${Math.round(figures.turnsPerSecond)} turns/s, ` +
        `latency ms p50 ${turns.p50} p90 ${turns.p90} p99 ${turns.p99}, ${figures.failures} non-200`,
    )
  } finally {
    await server.stop()
  }
} finally {
  await rm(dataDirectory, { recursive: true, force: true })
}

// 4. Fleet: the same command on 50 targets of the loopback sshd, our stack against bare ssh2,
// parallel-ssh and Ansible (bench/fleet-benchmark.ts; alone: npm run bench:fleet).
const fleet = await runFleetBenchmark({ log: (line) => console.error(`fleet ${line}`) })
console.log(fleet.report)
if (fleet.failures.length) process.exitCode = 1

// A five-step workflow on 100 machines as a background job against a bare ssh2 script, with the
// progress stream and the ETA (bench/job-benchmark.ts; alone: npm run bench:jobs).
const jobs = await runJobBenchmark({ log: (line) => console.error(`jobs ${line}`) })
console.log(jobs.report)
if (jobs.failures.length) process.exitCode = 1

// 5. Agent adapters: turn latency per framework with the offline model against the
// framework-free core (bench/agent-benchmark.ts; alone: node bench/agent-benchmark.ts).
console.log(await runAgentBenchmark())
