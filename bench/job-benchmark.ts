// Job benchmark (issue 10 section 4): a five-step workflow (check, stop where running, copy a
// 1 MB file with a backup and a checksum, start, verify) on 100 machines of the loopback sshd
// (100 inventory names on the one server), run by the embedded job engine (SQLite job store,
// audited scripts, one SSH session per machine) and by a bare ssh2 script doing the same steps
// with the same scripts. The copy is a real upload in both: the engine's transfer phase sends
// the file pinned (size, SHA-256) from a files directory over SFTP to a temporary name, checks
// its SHA-256 there, and the step's script moves it into place; the bare script does the same
// with ssh2's sftp.fastPut and a `sha256sum` exec. Figures: wall time and their ratio (goal <= 1.3x), peak RSS during our
// runs, progress events delivered to a connected SSE client without loss, and the ETA given when
// 20 % of the machines were done against the actual end (goal within 20 %).
//
//   node bench/job-benchmark.ts   (or npm run bench:jobs; part of npm run bench)
//   BENCH_JOB_TARGETS=100 BENCH_JOB_ROUNDS=3 BENCH_JOB_CONCURRENCY=50 BENCH_SSHD=private|shared|auto (default private)
//   BENCH_JOB_OTHER_ROUNDS=1: runs of the same workflow by Ansible ad-hoc and parallel-ssh (0: none)
//   BENCH_JOB_RECORD=DIR: each of our runs' timings to DIR/job-run-N.json (the ETA tests replay them)
//
// Rounds interleave the two tools (the order alternates) after one warm-up of each; figures are
// medians. On a shared 2-core machine compare the ratio, not the seconds.
import { createHash, randomBytes } from 'node:crypto'
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import type { JobEvent } from '../src/jobs/job-model.ts'
import { perNamePath } from '../src/jobs/testing/per-name-uploader.ts'
import type { RecordedRun } from '../src/jobs/testing/recorded-run.ts'
import { sampleWorkflow } from '../src/jobs/testing/sample-workflow.ts'
import { readEvents } from '../src/jobs/testing/sse-client.ts'
import { fleetNames, openSshdEngine, sharedStateDirectory } from '../src/jobs/testing/sshd-fleet.ts'
import { FilesDirectory } from '../src/operations/files-directory.ts'
import type { AuthenticatedEnvironment } from '../src/server/authentication.ts'
import { jobRoutes } from '../src/server/routes/job-routes.ts'
import { ansibleWorkflow } from './fleet/ansible-workflow.ts'
import { bareWorkflow } from './fleet/bare-workflow.ts'
import { psshWorkflow } from './fleet/pssh-workflow.ts'
import { openSshEndpoint, type SshEndpoint } from './fleet/sshd.ts'
import type { PhasedRun } from './fleet/workflow-phases.ts'

const RATIO_GOAL = 1.3
const ETA_GOAL = 0.2

export interface JobBenchmarkResult {
  report: string
  failures: string[]
  ratio: number
}

interface OurRun {
  ms: number
  peakRss: number
  eventsStored: number
  eventsReceived: number
  gapless: boolean
  /** |ETA at 20 % - actual remaining| / actual remaining. */
  etaError: number | null
  etaAt20: number | null
  remainingAt20: number | null
  status: string
  firstFailure: string | undefined
}

export async function runJobBenchmark(
  options: {
    targets?: number
    rounds?: number
    concurrency?: number
    /** Runs of the workflow by Ansible ad-hoc and parallel-ssh after the measured rounds (0: none). */
    otherToolRounds?: number
    sshd?: 'shared' | 'private' | 'auto'
    log?: (line: string) => void
  } = {},
): Promise<JobBenchmarkResult> {
  const count = options.targets ?? 100
  const rounds = options.rounds ?? 3
  const concurrency = options.concurrency ?? 50
  const log = options.log ?? (() => undefined)
  const failures: string[] = []
  const notes: string[] = []
  const work = sharedStateDirectory('helpdesk-job-bench-')
  const state = path.join(work, 'state')
  await rm(state, { recursive: true, force: true })
  await mkdir(state)
  await chmod(state, 0o777)
  // Not under `work`: the files directory is refused where anyone may write.
  const filesRoot = await mkdtemp(path.join(tmpdir(), 'helpdesk-job-bench-files-'))
  await chmod(filesRoot, 0o755)
  let endpoint: SshEndpoint | undefined
  try {
    endpoint = await openSshEndpoint(options.sshd ?? sshdMode(process.env.BENCH_SSHD), work, notes)
    const facts = {
      port: endpoint.port,
      user: endpoint.user,
      keyFile: endpoint.keyFile,
      hostKey: endpoint.hostKey,
    }
    const names = fleetNames(count, 'JOB')
    await writeFile(path.join(filesRoot, 'demo.conf'), randomBytes(1024 * 1024), { mode: 0o644 })
    const files = new FilesDirectory({ directory: filesRoot })
    const source = files.describe('demo.conf')
    const workflow = sampleWorkflow({
      directory: state,
      targets: names,
      transfer: { source: source.name, size: source.size, sha256: source.sha256 },
    })
    const fleet = openSshdEngine({
      facts,
      names,
      databaseFile: path.join(work, 'helpdesk.sqlite'),
      concurrency,
      files,
      uploadPerName: true,
    })
    const app = new Hono<AuthenticatedEnvironment>()
    app.use('/api/*', async (context, next) => {
      context.set('caller', { username: 'tom', role: 'technician', signedIn: true })
      await next()
    })
    app.route('/api', jobRoutes(undefined, fleet.engine))
    const server = await new Promise<{ port: number; close(): void }>((resolve) => {
      const running = serve(
        { fetch: app.fetch, port: 0, hostname: '127.0.0.1' },
        (info: AddressInfo) => resolve({ port: info.port, close: () => running.close() }),
      )
    })
    const bare = bareWorkflow(endpoint, workflow, concurrency, path.join(files.root, source.name))
    const otherRounds = options.otherToolRounds ?? 1
    const toolOptions = {
      endpoint,
      workflow,
      names,
      concurrency,
      localFile: path.join(files.root, source.name),
      uploadPath: (name: string) => perNamePath(`${state}/conf.helpdesk-upload`, name),
      directory: work,
    }
    const otherTools = [
      { name: 'Ansible', run: await ansibleWorkflow(toolOptions) },
      // The shared sshd does not accept the machine name the aliases send.
      ...(endpoint.mode === 'private'
        ? [{ name: 'parallel-ssh', run: await psshWorkflow(toolOptions) }]
        : []),
    ]
    let recorded = 0
    const ours = async (): Promise<OurRun> => {
      await resetState(state, names)
      let peakRss = process.memoryUsage().rss
      const sampler = setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss)
      }, 50)
      const began = performance.now()
      const id = await fleet.engine.start(workflow, {
        requester: 'bench',
        actor: 'tom',
        approval: {
          id: 'bench',
          approver: 'tom',
          approvedAt: new Date().toISOString(),
          level: 2,
          scope: 'plan',
          via: 'bench',
        },
        concurrency,
      })
      const received: Array<{ id: number; at: number; data: JobEvent }> = []
      const reading = readEvents(`http://127.0.0.1:${server.port}/api/jobs/${id}/events`, {
        onEvent: (event) =>
          received.push({ id: event.id, at: performance.now(), data: event.data as JobEvent }),
      })
      const record = await fleet.engine.settled(id)
      const ms = performance.now() - began
      await reading
      clearInterval(sampler)
      const stored = await fleet.store.lastEventId(id)
      if (process.env.BENCH_JOB_RECORD) {
        recorded += 1
        await writeFile(
          path.join(process.env.BENCH_JOB_RECORD, `job-run-${recorded}.json`),
          `${JSON.stringify(recordTimings(received, concurrency, names))}\n`,
        )
      }
      const at20 = received.find(
        (event) => event.data.type === 'progress' && event.data.done >= Math.ceil(count * 0.2),
      )
      const eta = at20?.data.type === 'progress' ? at20.data.etaMs : null
      const remaining = at20 ? began + ms - at20.at : null
      return {
        ms,
        peakRss,
        eventsStored: stored,
        eventsReceived: received.length,
        gapless: received.every((event, index) => event.id === index + 1),
        etaAt20: eta,
        remainingAt20: remaining,
        etaError: eta !== null && remaining ? Math.abs(eta - remaining) / remaining : null,
        status: record?.status ?? 'missing',
        firstFailure: received
          .map(({ data }) =>
            data.type === 'target-failed' ? `${data.target} ${data.stepId}: ${data.error}` : '',
          )
          .find(Boolean),
      }
    }
    const bareRun = async () => {
      await resetState(state, names)
      return bare(names)
    }
    log('warm-up')
    await ours()
    await bareRun()
    const oursRuns: OurRun[] = []
    const bareRuns: number[] = []
    for (let round = 0; round < rounds; round++) {
      const first = round % 2 === 0
      if (first) oursRuns.push(await ours())
      const bareResult = await bareRun()
      bareRuns.push(bareResult.ms)
      if (bareResult.failures.length) failures.push(...bareResult.failures.slice(0, 5))
      if (!first) oursRuns.push(await ours())
      const last = oursRuns.at(-1)
      log(
        `round ${round + 1}: ours ${(last?.ms ?? 0).toFixed(0)} ms, bare ${bareResult.ms.toFixed(0)} ms`,
      )
    }
    for (const run of oursRuns) {
      if (run.status !== 'succeeded')
        failures.push(`our job ended ${run.status} (first failure: ${run.firstFailure ?? 'none'})`)
      if (!run.gapless || run.eventsReceived !== run.eventsStored)
        failures.push(`SSE: received ${run.eventsReceived} of ${run.eventsStored} events`)
    }
    // The other tools after the interleaved rounds (a phase at a time, they take longer): then
    // the state is checked here, the machines' files being local, so each did the same work.
    const otherRuns = new Map<string, PhasedRun[]>()
    for (const tool of otherTools) {
      const runs: PhasedRun[] = []
      for (let round = 0; round < otherRounds; round++) {
        await resetState(state, names)
        const run = await tool.run()
        const wrong = run.failures.length ? [] : await wrongState(state, names, source.sha256)
        runs.push({ ...run, failures: [...run.failures, ...wrong] })
        log(`${tool.name} round ${round + 1}: ${run.ms.toFixed(0)} ms`)
      }
      otherRuns.set(tool.name, runs)
      for (const run of runs) failures.push(...run.failures.map((line) => `${tool.name}: ${line}`))
    }
    server.close()
    await fleet.close()
    const oursMedian = median(oursRuns.map((run) => run.ms))
    const bareMedian = median(bareRuns)
    const ratio = oursMedian / bareMedian
    const etaErrors = oursRuns
      .map((run) => run.etaError)
      .filter((each): each is number => each !== null)
    const report = [
      `jobs (${count} machines on ${endpoint.mode} sshd 127.0.0.1:${endpoint.port}, five steps, 1 MB file uploaded over SFTP, concurrency ${concurrency}, ${rounds} rounds after a warm-up, tools interleaved):`,
      `  embedded job engine: median ${(oursMedian / 1000).toFixed(2)} s (${oursRuns.map((run) => (run.ms / 1000).toFixed(2)).join(' ')})`,
      `  bare ssh2 script:    median ${(bareMedian / 1000).toFixed(2)} s (${bareRuns.map((each) => (each / 1000).toFixed(2)).join(' ')})`,
      `  ratio ours / bare: ${ratio.toFixed(2)} (goal <= ${RATIO_GOAL}: ${ratio <= RATIO_GOAL ? 'met' : 'NOT met'})`,
      `  peak RSS of the process during our runs: ${Math.round(Math.max(...oursRuns.map((run) => run.peakRss)) / 1024 / 1024)} MB`,
      `  SSE events: ${oursRuns.map((run) => `${run.eventsReceived}/${run.eventsStored}${run.gapless ? '' : ' GAP'}`).join(', ')} received/stored per run (ids 1..n without a gap)`,
      `  ETA at 20 % done vs actual remaining: ${oursRuns.map((run) => (run.etaAt20 === null ? 'none' : `${(run.etaAt20 / 1000).toFixed(2)} s vs ${((run.remainingAt20 ?? 0) / 1000).toFixed(2)} s (${((run.etaError ?? 0) * 100).toFixed(0)} %)`)).join('; ')}; median error ${(median(etaErrors) * 100).toFixed(0)} % (goal <= ${ETA_GOAL * 100} %: ${median(etaErrors) <= ETA_GOAL ? 'met' : 'NOT met'})`,
      "  bare ssh2: per machine one connection, then the same scripts in the same order (condition, backup, change, verify) as `bash -s -- NAME` execs, the copy's file by sftp.fastPut to NAME.conf.helpdesk-upload and checked by a `sha256sum` exec before the change moves it; no store, no audit, no events",
      '  ours: EmbeddedJobEngine -> WorkflowScriptRunner (bash -n once per script, 2 audit records per script and per upload in SQLite) -> SshRemoteShell session per machine, the copy through the transfer phase (files directory read and re-checked, SftpUploader: unlink, exclusive create, 16 x 32 KB writes in flight, sha256sum on the target); every cell change and event in the SQLite job store',
      ...[...otherRuns].map(([name, runs]) => {
        const middle = median(runs.map((run) => run.ms))
        const phases = runs[0]?.phases.map(
          (phase) => `${phase.title} ${(phase.ms / 1000).toFixed(1)} s`,
        )
        return `  ${name === 'Ansible' ? `Ansible ad-hoc (ansible-core, -f ${concurrency}, shell with pipelining, copy module)` : `parallel-ssh -p ${concurrency} -I (one ssh per machine and phase, the file on stdin)`}: median ${(middle / 1000).toFixed(2)} s (${runs.map((run) => (run.ms / 1000).toFixed(2)).join(' ')}), ${(middle / oursMedian).toFixed(1)}x ours; phases ${phases?.join(', ')}`
      }),
      "  Ansible and parallel-ssh: one command on every machine per phase (a step with its condition inside; the copy as backup, transfer, SHA-256 check + change + verify), so a phase waits for every machine before the next; after each run every machine's file and service state is checked. parallel-ssh reaches each name as its own ssh_config Host that sends the name (SetEnv) to the private sshd",
      ...notes.map((line) => `  note: ${line}`),
      ...(failures.length
        ? [`FAILURES (${failures.length}):`, ...failures.map((line) => `  ${line}`)]
        : []),
    ].join('\n')
    return { report, failures, ratio }
  } finally {
    await endpoint?.stop()
    await rm(work, { recursive: true, force: true }).catch(() => undefined)
    await rm(filesRoot, { recursive: true, force: true }).catch(() => undefined)
  }
}

/**
 * The run's timings as src/jobs/testing/recorded-run.ts replays them (BENCH_JOB_RECORD=FILE):
 * each target's start and end and each cell's final state, start and end, in milliseconds
 * from the first event; the estimator's unit tests use such recordings.
 */
function recordTimings(
  received: ReadonlyArray<{ data: JobEvent }>,
  concurrency: number,
  targets: readonly string[],
): RecordedRun {
  const origin = Date.parse(received[0]?.data.at ?? new Date().toISOString())
  const since = (at: string | undefined) => (at === undefined ? undefined : Date.parse(at) - origin)
  const run: RecordedRun = { concurrency, steps: 0, targets: [], cells: [], endedAt: 0 }
  const cells = new Map<string, RecordedRun['cells'][number]>()
  const started = new Map<string, number>()
  for (const { data } of received) {
    const at = since(data.at) ?? 0
    if (data.type === 'job-started') run.steps = data.steps.length
    if (data.type === 'target-started') started.set(data.target, at)
    if (data.type === 'target-succeeded' || data.type === 'target-failed')
      run.targets.push({
        target: data.target,
        startedAt: started.get(data.target) ?? 0,
        endedAt: at,
      })
    if (data.type === 'cell' && data.cell.endedAt)
      cells.set(`${data.stepIndex} ${data.target}`, {
        stepIndex: data.stepIndex,
        target: data.target,
        state: data.cell.state,
        startedAt: since(data.cell.startedAt ?? data.cell.endedAt) ?? at,
        endedAt: since(data.cell.endedAt) ?? at,
      })
    if (data.type === 'job-ended') run.endedAt = at
  }
  run.cells = [...cells.values()]
  run.targets.sort((a, b) => targets.indexOf(a.target) - targets.indexOf(b.target))
  return run
}

/** What is wrong after a run: each machine must have the service running and the file whole. */
async function wrongState(
  directory: string,
  names: readonly string[],
  sha256: string,
): Promise<string[]> {
  const wrong: string[] = []
  for (const name of names) {
    const file = await readFile(path.join(directory, `${name}.conf`)).catch(() => undefined)
    if (!file || createHash('sha256').update(file).digest('hex') !== sha256)
      wrong.push(`${name}: ${name}.conf missing or not the file sent`)
    if (
      !(await readFile(path.join(directory, `${name}.running`)).then(
        () => true,
        () => false,
      ))
    )
      wrong.push(`${name}: the service is not running`)
  }
  return wrong.slice(0, 5)
}

/** Each machine: the service running on every other one, no config file, nothing broken. */
async function resetState(directory: string, names: readonly string[]): Promise<void> {
  for (const entry of await readdir(directory))
    await rm(path.join(directory, entry), { force: true })
  await Promise.all(
    names
      .filter((_, index) => index % 2 === 0)
      .map((name) => writeFile(path.join(directory, `${name}.running`), '', { mode: 0o666 })),
  )
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

/**
 * Private unless told: the shared account's authorized_keys is rewritten by the sshd.sh of
 * every checkout on the machine, so another test run can lock the shared one out mid-run.
 */
function sshdMode(value: string | undefined): 'shared' | 'private' | 'auto' {
  return value === 'shared' || value === 'auto' ? value : 'private'
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const numeric = (name: string) =>
    process.env[name] !== undefined ? Number(process.env[name]) : undefined
  const result = await runJobBenchmark({
    targets: numeric('BENCH_JOB_TARGETS'),
    rounds: numeric('BENCH_JOB_ROUNDS'),
    concurrency: numeric('BENCH_JOB_CONCURRENCY'),
    otherToolRounds: numeric('BENCH_JOB_OTHER_ROUNDS'),
    log: (line) => console.error(line),
  })
  console.log(result.report)
  if (result.failures.length) process.exitCode = 1
}
