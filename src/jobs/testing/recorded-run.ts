/**
 * A job run's recorded timings (written by `BENCH_JOB_RECORD=FILE npm run bench:jobs`) and their
 * replay: what the job's progress, ETA included, was at any moment of the run. The estimator's
 * unit tests replay real runs instead of inventing timings.
 * @module
 */
import { readFileSync } from 'node:fs'
import type { JobCell, JobCellState, JobProgress } from '../job-model.ts'
import { jobProgress } from '../job-progress.ts'

export interface RecordedRun {
  concurrency: number
  steps: number
  /** Milliseconds from the job's first event. */
  endedAt: number
  targets: Array<{ target: string; startedAt: number; endedAt: number }>
  /** Each cell's final state and when it started and ended (ms from the first event). */
  cells: Array<{
    stepIndex: number
    target: string
    state: JobCellState
    startedAt: number
    endedAt: number
  }>
}

/** How many runs of the job benchmark `tests/fixtures/job-timings/` holds. */
export const RECORDED_RUNS = 14

/**
 * The recorded runs of the job benchmark (100 machines of the loopback sshd, concurrency 50,
 * five steps), runs 1 to 14 in order: `tests/fixtures/job-timings/bench-100x50-runN.json`.
 */
export function recordedRuns(): RecordedRun[] {
  return Array.from(
    { length: RECORDED_RUNS },
    (_, index) =>
      JSON.parse(
        readFileSync(`tests/fixtures/job-timings/bench-100x50-run${index + 1}.json`, 'utf8'),
      ) as RecordedRun,
  )
}

/** An arbitrary wall-clock origin for the replayed ISO timestamps. */
const ORIGIN = Date.parse('2026-01-05T09:00:00.000Z')

/** The progress the engine reports `atMs` into the run, from what had happened by then. */
export function progressAt(
  run: RecordedRun,
  atMs: number,
  estimate: 'smaller' | 'throughput' | 'slots' = 'smaller',
): JobProgress {
  const iso = (ms: number) => new Date(ORIGIN + ms).toISOString()
  const cells: JobCell[] = []
  const byKey = new Map(run.cells.map((cell) => [`${cell.stepIndex} ${cell.target}`, cell]))
  for (const { target, endedAt } of run.targets)
    for (let stepIndex = 0; stepIndex < run.steps; stepIndex++) {
      const cell = byKey.get(`${stepIndex} ${target}`)
      // Steps skipped after a failure were never timed: final once their target has ended.
      if (!cell && endedAt <= atMs) cells.push({ stepIndex, target, state: 'skipped' })
      else if (!cell || cell.startedAt > atMs) cells.push({ stepIndex, target, state: 'pending' })
      else if (cell.endedAt > atMs)
        cells.push({ stepIndex, target, state: 'running', startedAt: iso(cell.startedAt) })
      else
        cells.push({
          stepIndex,
          target,
          state: cell.state,
          startedAt: iso(cell.startedAt),
          endedAt: iso(cell.endedAt),
        })
    }
  const finished: number[] = []
  const finishedAt: number[] = []
  const running = new Map<string, number>()
  for (const target of run.targets) {
    if (target.endedAt <= atMs) {
      finished.push(target.endedAt - target.startedAt)
      finishedAt.push(ORIGIN + target.endedAt)
    } else if (target.startedAt <= atMs) running.set(target.target, ORIGIN + target.startedAt)
  }
  return jobProgress(
    cells,
    run.steps,
    run.targets.map((target) => target.target),
    {
      concurrency: run.concurrency,
      times: {
        finished,
        finishedAt,
        running,
        began: ORIGIN + Math.min(...run.targets.map((target) => target.startedAt)),
      },
      now: ORIGIN + atMs,
      estimate,
    },
  )
}

/** When the `count`-th target ended (ms from the first event). */
export function whenDone(run: RecordedRun, count: number): number {
  const ends = run.targets.map((target) => target.endedAt).sort((a, b) => a - b)
  return ends[Math.max(0, count - 1)] ?? run.endedAt
}

/** |ETA - actual remaining| / actual remaining once `fraction` of the targets were done. */
export function etaErrorAt(
  run: RecordedRun,
  fraction: number,
  estimate: 'smaller' | 'throughput' | 'slots' = 'smaller',
): { eta: number; actual: number; error: number } {
  const at = whenDone(run, Math.ceil(run.targets.length * fraction))
  const eta = progressAt(run, at, estimate).etaMs ?? Number.NaN
  const actual = run.endedAt - at
  return { eta, actual, error: Math.abs(eta - actual) / actual }
}
