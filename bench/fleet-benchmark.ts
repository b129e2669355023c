// Fleet benchmark (issue 3 section 8): the same command on 50 targets of the loopback sshd, side
// by side in one run: our stack (fleet runner + execution service + Bash executor + SQLite audit),
// a bare ssh2 script, parallel-ssh (Debian's pssh) and Ansible ad-hoc (Debian's ansible-core).
// Goal: our fleet within 1.5x of bare ssh2, audit records and progress events included.
//
//   node bench/fleet-benchmark.ts            (or npm run bench:fleet; part of npm run bench)
//   BENCH_SSHD=shared|private|auto  the test sshd on 2222, a private copy of it on a free port
//                        (nobody else can stop it), or shared unless its port is taken (default)
//   BENCH_FLEET_ROUNDS=5 BENCH_FLEET_TARGETS=50 BENCH_FLEET_RAW_ROUNDS=3 BENCH_FLEET_SHELL_ROUNDS=1
//   (Ansible is slow: its lines have fewer rounds, the first ones; 0 leaves a line out)
//
// Every tool runs one SSH connection per target to 127.0.0.1 with the host key checked, and the
// same remote command line with the same rendered runbook script on bash's stdin. The tools are
// interleaved within each round (the order rotates) so machine load hits them alike; figures are
// medians over the rounds. On a shared 2-core machine compare the ratios, not the seconds.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { loadInstructions } from '../src/knowledge/instructions/instruction-loader.ts'
import { wrapWithTimeout } from '../src/transports/ssh/ssh-remote-shell.ts'
import { ourStack, type RunbookStep, runbookStep } from './fleet/our-stack.ts'
import { openSshEndpoint, type SshEndpoint } from './fleet/sshd.ts'
import {
  ansibleAdHoc,
  bareSsh2,
  parallelSsh,
  type RemoteCommand,
  type Runner,
  type Sample,
} from './fleet/tools.ts'

export interface FleetBenchmarkOptions {
  /** Targets in the fleet (inventory names BENCH-001...), each its own SSH connection. */
  targets?: number
  /** Measured rounds. */
  rounds?: number
  /** Rounds run first and thrown away (in-process tools only: JIT, ssh2 and SQLite warm-up). */
  warmupRounds?: number
  /** Measured rounds of `ansible -m raw` (5 to 9 s each here); 0 leaves it out. */
  ansibleRawRounds?: number
  /** Measured rounds of `ansible -m shell` (10 to 14 s each here); 0 leaves it out. */
  ansibleShellRounds?: number
  /**
   * `shared`: scripts/test-services/sshd.sh (port 2222); `private`: a copy on a free port;
   * `auto`: shared, or private when the shared one cannot start. Default: BENCH_SSHD, else auto.
   */
  sshd?: 'shared' | 'private' | 'auto'
  /** Pause between two samples so the previous tool's sshd children have exited. */
  settleMs?: number
  /** Progress lines while it runs. */
  log?: (line: string) => void
}

export interface FleetBenchmarkRow {
  key: string
  tool: string
  targets: number
  /** Seconds of the clean samples, in the order they ran. */
  seconds: number[]
  failedSamples: number
  median: number
  min: number
  max: number
  /** Median over bare ssh2's median on the same number of targets. */
  ratio: number
}

export interface FleetBenchmarkResult {
  rows: FleetBenchmarkRow[]
  /** Our fleet (like-for-like step) over bare ssh2, 50 targets, medians. */
  ratio: number
  /** Our fleet over bare ssh2 within each round (both clean), in round order. */
  pairedRatios: number[]
  goal: number
  /** What each tool ran, for the report. */
  commands: string[]
  /** Every failure, loud: a missing tool, a target that did not answer, a count that is off. */
  failures: string[]
  notes: string[]
  elapsedSeconds: number
  report: string
}

interface Tool {
  key: string
  tool: string
  targets: number
  warm: boolean
  rounds: number
  run: Runner
}

/** The like-for-like step: the cheapest read-only Bash step of the runbooks (about 10 ms here). */
const CHEAP_STEP = 'monitor_not_detected.read_displays_linux'
const CHEAP_MARKER = 'xrandr skipped'
/** A real diagnostic (ps, journalctl, sysfs), as in fleet-runner.int.test.ts. */
const REAL_STEP = 'laptop_overheating.read_thermal_state_linux'
const REAL_MARKER = '== Top 8 by CPU'
/** BashExecutor's default time limit, which SshRemoteShell wraps the command line with. */
const EXECUTOR_TIMEOUT_MS = 60_000
const GOAL = 1.5

export async function runFleetBenchmark(
  options: FleetBenchmarkOptions = {},
): Promise<FleetBenchmarkResult> {
  const began = performance.now()
  const count = options.targets ?? 50
  const rounds = options.rounds ?? 5
  const warmupRounds = options.warmupRounds ?? 1
  const rawRounds = Math.min(rounds, options.ansibleRawRounds ?? 3)
  const shellRounds = Math.min(rounds, options.ansibleShellRounds ?? 1)
  const settleMs = options.settleMs ?? 250
  const log = options.log ?? (() => undefined)
  const names = Array.from(
    { length: count },
    (_, index) => `BENCH-${String(index + 1).padStart(3, '0')}`,
  )
  const directory = await mkdtemp(path.join(tmpdir(), 'helpdesk-fleet-bench-'))
  const failures: string[] = []
  const notes: string[] = []
  let endpoint: SshEndpoint | undefined
  try {
    endpoint = await openSshEndpoint(
      options.sshd ?? sshdMode(process.env.BENCH_SSHD),
      directory,
      notes,
    )
    const instructions = new Map(
      (await loadInstructions('data/instructions')).map((each) => [each.id, each]),
    )
    const parameters = { device: names[0] ?? 'BENCH-001', platform: 'linux' }
    const cheap = runbookStep(instructions, CHEAP_STEP, parameters, CHEAP_MARKER)
    const real = runbookStep(instructions, REAL_STEP, parameters, REAL_MARKER)
    const command = remoteCommand(cheap)
    const stack = ourStack(endpoint, names, instructions, directory)
    const bare = await bareSsh2(endpoint, command, count)
    const bareOne = await bareSsh2(endpoint, command, 1)
    const pssh = await parallelSsh(endpoint, command, count, directory)
    const raw = await ansibleAdHoc(endpoint, command, names, directory, 'raw')
    const shell = await ansibleAdHoc(endpoint, command, names, directory, 'shell')
    const first = names.slice(0, 1)
    const tools: Tool[] = [
      {
        key: 'ours-1',
        tool: 'our stack',
        targets: 1,
        warm: true,
        rounds,
        run: () => stack.run(cheap, first, 1),
      },
      { key: 'bare-1', tool: 'bare ssh2', targets: 1, warm: true, rounds, run: bareOne },
      {
        key: 'ours',
        tool: 'our stack',
        targets: count,
        warm: true,
        rounds,
        run: () => stack.run(cheap, names, count),
      },
      {
        key: 'ours-real',
        tool: 'our stack, real diagnostic*',
        targets: count,
        warm: true,
        rounds,
        run: () => stack.run(real, names, count),
      },
      { key: 'bare', tool: 'bare ssh2', targets: count, warm: true, rounds, run: bare },
      {
        key: 'pssh',
        tool: `parallel-ssh -p ${count}`,
        targets: count,
        warm: false,
        rounds,
        run: pssh.runner,
      },
      {
        key: 'ansible-raw',
        tool: `ansible -f ${count} -m raw`,
        targets: count,
        warm: false,
        rounds: rawRounds,
        run: raw.runner,
      },
      {
        key: 'ansible-shell',
        tool: `ansible -f ${count} -m shell`,
        targets: count,
        warm: false,
        rounds: shellRounds,
        run: shell.runner,
      },
    ].filter((tool) => tool.rounds > 0)
    const commands = [
      `remote command line for every tool: ${command.commandLine}  (the rendered ${CHEAP_STEP} script, ${command.script.length} bytes, on bash's stdin)`,
      `our stack: runFleet(concurrency ${count}) -> ExecutionService (re-plan per target, approval, 2 audit records in SQLite) -> BashExecutor (bash -n) -> SshRemoteShell (ssh2 exec); service built once, runFleet timed; ${REAL_STEP} as the real-step line`,
      `bare ssh2: ${count} x (new Client, connect with the key and the pinned host key, exec, write the script, collect stdout, end), all at once, in this process`,
      `parallel-ssh: ${pssh.describe}`,
      ...(rawRounds ? [`ansible raw: ${raw.describe}  (raw allocates a tty: -tt)`] : []),
      ...(shellRounds ? [`ansible shell: ${shell.describe}`] : []),
    ]

    const samples = new Map<string, Sample[]>(tools.map((tool) => [tool.key, []]))
    const totalRounds = warmupRounds + rounds
    for (let round = 0; round < totalRounds; round++) {
      const warmup = round < warmupRounds
      const measured = round - warmupRounds
      const order = rotate(tools, round).filter((tool) =>
        warmup ? tool.warm : measured < tool.rounds,
      )
      const line: string[] = []
      for (const tool of order) {
        if (await endpoint.ensure())
          notes.push(
            `the sshd was down before a ${tool.key} sample (stopped by someone else?) and was started again`,
          )
        await sleep(settleMs)
        let sample = await tool.run()
        if (sample.failures.length && !(await endpoint.alive())) {
          notes.push(
            `the sshd went down during a ${tool.key} sample; it was started again and the sample repeated`,
          )
          await endpoint.ensure()
          await sleep(settleMs)
          sample = await tool.run()
        }
        if (sample.failures.length) {
          failures.push(
            `${tool.key} (${warmup ? 'warm-up' : `round ${measured + 1}`}): ${sample.ok}/${sample.total} ok; ${sample.failures.slice(0, 4).join('; ')}`,
          )
        }
        if (!warmup) samples.get(tool.key)?.push(sample)
        line.push(
          `${tool.key} ${(sample.ms / 1000).toFixed(2)}${sample.failures.length ? '!' : ''}`,
        )
      }
      log(`${warmup ? 'warm-up' : `round ${measured + 1}/${rounds}`}: ${line.join('  ')}`)
    }
    await stack.close()

    const rows: FleetBenchmarkRow[] = tools.map((tool) => {
      const all = samples.get(tool.key) ?? []
      const seconds = all.filter((each) => !each.failures.length).map((each) => each.ms / 1000)
      const sorted = [...seconds].sort((left, right) => left - right)
      return {
        key: tool.key,
        tool: tool.tool,
        targets: tool.targets,
        seconds,
        failedSamples: all.length - seconds.length,
        median: median(sorted),
        min: sorted[0] ?? Number.NaN,
        max: sorted.at(-1) ?? Number.NaN,
        ratio: Number.NaN,
      }
    })
    for (const row of rows) {
      const reference = rows.find((each) => each.key === (row.targets === 1 ? 'bare-1' : 'bare'))
      row.ratio = reference ? row.median / reference.median : Number.NaN
      if (row.seconds.length === 0) failures.push(`${row.key}: no clean sample at all`)
    }
    const ours = samples.get('ours') ?? []
    const checked = ours.filter((each) => !each.failures.length)
    if (checked.length) {
      notes.push(
        `our stack, every clean ${count}-target run: ${checked[0]?.counts?.auditRecords} audit records (step-execute + step-result per target), ${checked[0]?.counts?.progressEvents} fleet-progress events (${checked[0]?.counts?.events} events in all), no retry`,
      )
    }
    const ratio =
      (rows.find((row) => row.key === 'ours')?.median ?? Number.NaN) /
      (rows.find((row) => row.key === 'bare')?.median ?? Number.NaN)
    // Both ran in every round, a few seconds apart: the per-round ratio cancels slow load drift.
    const bareSamples = samples.get('bare') ?? []
    const pairedRatios = ours.flatMap((each, round) => {
      const reference = bareSamples[round]
      return !each.failures.length && reference && !reference.failures.length
        ? [each.ms / reference.ms]
        : []
    })
    const elapsedSeconds = (performance.now() - began) / 1000
    const report = formatReport({
      rows,
      ratio,
      pairedRatios,
      commands,
      failures,
      notes,
      endpoint,
      count,
      rounds,
      warmupRounds,
      elapsedSeconds,
    })
    return {
      rows,
      ratio,
      pairedRatios,
      goal: GOAL,
      commands,
      failures,
      notes,
      elapsedSeconds,
      report,
    }
  } finally {
    await endpoint?.stop()
    await rm(directory, { recursive: true, force: true })
  }
}

/** Exactly what SshRemoteShell sends for the step: the command line in GNU timeout, the script. */
function remoteCommand(step: RunbookStep): RemoteCommand {
  const invocation = step.step.invocation
  if (invocation.type !== 'script') throw new Error(`${step.id} is not a script`)
  return {
    commandLine: wrapWithTimeout(invocation.commandLine, EXECUTOR_TIMEOUT_MS),
    script: invocation.script,
    marker: step.marker,
  }
}

function sshdMode(value: string | undefined): 'shared' | 'private' | 'auto' {
  if (value === undefined || value === '' || value === 'auto') return 'auto'
  if (value === 'shared' || value === 'private') return value
  throw new Error(`BENCH_SSHD=${value}: expected shared, private or auto`)
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % Math.max(1, items.length)
  return [...items.slice(shift), ...items.slice(0, shift)]
}

function median(sorted: readonly number[]): number {
  if (!sorted.length) return Number.NaN
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

function formatReport(input: {
  rows: FleetBenchmarkRow[]
  ratio: number
  pairedRatios: number[]
  commands: string[]
  failures: string[]
  notes: string[]
  endpoint: { mode: string; port: number }
  count: number
  rounds: number
  warmupRounds: number
  elapsedSeconds: number
}): string {
  const seconds = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '-')
  const header = ['tool', 'targets', 'median s', 'min s', 'max s', 'x bare ssh2', 'samples']
  const table = input.rows.map((row) => [
    row.tool,
    String(row.targets),
    seconds(row.median),
    seconds(row.min),
    seconds(row.max),
    Number.isFinite(row.ratio) ? row.ratio.toFixed(2) : '-',
    `${row.seconds.length}${row.failedSamples ? ` (+${row.failedSamples} failed)` : ''}`,
  ])
  const widths = header.map((title, column) =>
    Math.max(title.length, ...table.map((cells) => (cells[column] ?? '').length)),
  )
  const format = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
  const paired = [...input.pairedRatios].sort((left, right) => left - right)
  const verdict = Number.isFinite(input.ratio)
    ? `our fleet / bare ssh2 = ${input.ratio.toFixed(2)} (goal <= ${GOAL}): ${input.ratio <= GOAL ? 'met' : 'NOT met'}` +
      `; per round ${input.pairedRatios.map((each) => each.toFixed(2)).join(' ')} (median ${median(paired).toFixed(2)})`
    : 'our fleet / bare ssh2 = - (no clean sample)'
  return [
    `fleet (${input.count} targets on ${input.endpoint.mode} sshd 127.0.0.1:${input.endpoint.port}, ${input.rounds} rounds after ${input.warmupRounds} warm-up, tools interleaved; ratio = median / bare ssh2 median on as many targets):`,
    format(header),
    ...table.map(format),
    verdict,
    `* ${REAL_STEP}: a heavier script than the others ran (ps, journalctl, sysfs), so its ratio is not like-for-like: the difference is mostly the script's own cost on 50 targets.`,
    ...input.commands.map((line) => `  ran: ${line}`),
    ...input.notes.map((line) => `  note: ${line}`),
    ...(input.failures.length
      ? [`FAILURES (${input.failures.length}):`, ...input.failures.map((line) => `  ${line}`)]
      : ['no failure: every sample ran on every target']),
    `fleet benchmark took ${input.elapsedSeconds.toFixed(0)} s`,
  ].join('\n')
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const numeric = (name: string) =>
    process.env[name] !== undefined ? Number(process.env[name]) : undefined
  const result = await runFleetBenchmark({
    targets: numeric('BENCH_FLEET_TARGETS'),
    rounds: numeric('BENCH_FLEET_ROUNDS'),
    ansibleRawRounds: numeric('BENCH_FLEET_RAW_ROUNDS'),
    ansibleShellRounds: numeric('BENCH_FLEET_SHELL_ROUNDS'),
    log: (line) => console.error(line),
  })
  console.log(result.report)
  if (result.failures.length) process.exitCode = 1
}
