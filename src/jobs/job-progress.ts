/**
 * Counts, the current targets and the estimated time to the end, from a job's cells and the
 * targets' times so far.
 *
 * The estimate is from throughput, not from one target's time: with many targets run at once on
 * shared machines the time a target takes says little about when the job ends (the first wave
 * pays every connection's set-up at once and the targets slow each other down), but the work done
 * per second so far does. Work is counted in targets: a finished target is one, a running one the
 * part of a target its ended steps and the time in its current step make, each step weighted by
 * its mean time over the targets where it ended (steps differ: a copy is slower than a check),
 * tempered by its time against a finished target's. The rest of the work at the rate so far is
 * the estimate. The concurrency limit needs no term of its own: the rate measured is the rate
 * at that limit. A second estimate replays the worker slots (job-cohort-estimate.ts); the two run
 * long in different cases, so the ETA is the smaller.
 * @module
 */
import { cohortRemaining } from './job-cohort-estimate.ts'
import { FINAL_CELL_STATES, type JobCell, type JobProgress } from './job-model.ts'

export interface TargetTimes {
  /** Milliseconds each finished target took, from its first command to its last. */
  finished: number[]
  /**
   * When each finished target ended (epoch ms); with it the slots are also replayed
   * (job-cohort-estimate.ts) and the ETA is the smaller of the two estimates.
   */
  finishedAt?: number[]
  /** When each running target started (epoch milliseconds, like the cells' timestamps). */
  running: ReadonlyMap<string, number>
  /** When this process began running the job's targets (epoch ms); the first start if absent. */
  began?: number
}

export function jobProgress(
  cells: readonly JobCell[],
  steps: number,
  targets: readonly string[],
  options: {
    concurrency: number
    times?: TargetTimes
    now?: number
    /** Which estimate is the ETA: the smaller (the default), or one alone (to compare them). */
    estimate?: 'smaller' | 'throughput' | 'slots'
  },
): JobProgress {
  const byTarget = new Map<string, JobCell[]>()
  for (const cell of cells) {
    const list = byTarget.get(cell.target) ?? []
    list.push(cell)
    byTarget.set(cell.target, list)
  }
  let done = 0
  let failed = 0
  let cancelled = 0
  const current: string[] = []
  for (const target of targets) {
    const list = byTarget.get(target) ?? []
    if (list.some((cell) => cell.state === 'failed' || cell.state === 'unknown')) failed++
    else if (list.some((cell) => cell.state === 'cancelled')) cancelled++
    if (list.every((cell) => FINAL_CELL_STATES.has(cell.state))) done++
    else if (list.some((cell) => cell.state === 'running')) current.push(target)
  }
  let stepsEnded = 0
  for (let index = 0; index < steps; index++) {
    const ofStep = cells.filter((cell) => cell.stepIndex === index)
    if (ofStep.length > 0 && ofStep.every((cell) => FINAL_CELL_STATES.has(cell.state))) stepsEnded++
  }
  const pending = targets.length - done
  const now = options.now ?? Date.now()
  const times = options.times
  let etaMs: number | null = pending === 0 ? 0 : null
  if (pending > 0 && times) {
    const byThroughput = estimateRemaining(
      times,
      pending,
      stepPace(cells, steps, [...times.running.keys()], byTarget, now),
      now,
    )
    // The two estimates run long in different cases (job-cohort-estimate.ts): the smaller one.
    const bySlots = cohortRemaining(
      times,
      Math.max(0, pending - times.running.size),
      options.concurrency,
      now,
    )
    const estimate = options.estimate ?? 'smaller'
    etaMs =
      estimate === 'throughput'
        ? byThroughput
        : estimate === 'slots'
          ? bySlots === undefined
            ? byThroughput
            : Math.round(bySlots)
          : byThroughput === null || bySlots === undefined
            ? byThroughput
            : Math.round(Math.min(byThroughput, bySlots))
  }
  return {
    done,
    failed,
    cancelled,
    pending,
    total: targets.length,
    current,
    stepsEnded,
    steps,
    etaMs,
  }
}

/**
 * Each step's mean time on the targets where it ended, and how far each running target is by
 * those means.
 */
export interface StepPace {
  /** Milliseconds a whole target needs by the step means, when every step has one. */
  perTarget: number | undefined
  /** Running target -> the part of its work done (0..1) by the step means. */
  running: ReadonlyMap<string, { done: number }>
}

export function stepPace(
  cells: readonly JobCell[],
  steps: number,
  current: readonly string[],
  byTarget: ReadonlyMap<string, JobCell[]>,
  now: number,
): StepPace {
  const sums = new Array<number>(steps).fill(0)
  const counts = new Array<number>(steps).fill(0)
  for (const cell of cells) {
    if (!cell.startedAt || !cell.endedAt || !FINAL_CELL_STATES.has(cell.state)) continue
    sums[cell.stepIndex] =
      (sums[cell.stepIndex] ?? 0) + Date.parse(cell.endedAt) - Date.parse(cell.startedAt)
    counts[cell.stepIndex] = (counts[cell.stepIndex] ?? 0) + 1
  }
  const means = sums.map((sum, index) => (counts[index] ? sum / (counts[index] ?? 1) : undefined))
  if (means.some((mean) => mean === undefined)) return { perTarget: undefined, running: new Map() }
  const perTarget = means.reduce<number>((sum, mean) => sum + (mean ?? 0), 0)
  const running = new Map<string, { done: number }>()
  if (perTarget <= 0) return { perTarget, running }
  for (const target of current) {
    let spent = 0
    for (const cell of byTarget.get(target) ?? []) {
      const mean = means[cell.stepIndex] ?? 0
      if (FINAL_CELL_STATES.has(cell.state)) spent += mean
      // A step past its mean is nearly done, not more than done.
      else if (cell.startedAt) spent += Math.min(now - Date.parse(cell.startedAt), mean * 0.95)
    }
    const done = Math.min(spent / perTarget, 0.99)
    running.set(target, { done })
  }
  return { perTarget, running }
}

/** Milliseconds until the last target ends, or null before any target has finished. */
export function estimateRemaining(
  times: TargetTimes,
  unfinished: number,
  pace: StepPace = { perTarget: undefined, running: new Map() },
  now = Date.now(),
): number | null {
  if (times.finished.length === 0) return null
  // The median, not the mean: targets that failed at once (no connection) end early and fast.
  const sorted = [...times.finished].sort((a, b) => a - b)
  const typical = Math.max(1, sorted[Math.floor(sorted.length / 2)] ?? 1)
  const began = times.began ?? Math.min(now, ...times.running.values())
  const elapsed = Math.max(1, now - began)
  let partial = 0
  for (const [target, started] of times.running) {
    // How far a running target is: mostly by its steps against the step means, partly by its
    // time against a finished target's. Each alone misleads: the step means are measured under
    // the load of the moment (a copy run by 50 targets at once is slower than by 5), and a
    // target's time includes its connection and the gaps between steps. Two parts steps to one
    // part time held within 20 % at 20 % done on the recorded benchmark runs
    // (job-progress.test.ts), either alone did not (the weight was chosen on those runs).
    const byTime = Math.min((now - started) / typical, 0.95)
    const bySteps = pace.running.get(target)?.done
    partial += bySteps === undefined ? byTime : (2 * bySteps + byTime) / 3
  }
  const workDone = times.finished.length + partial
  const workLeft = Math.max(0, unfinished - partial)
  return Math.round((workLeft * elapsed) / workDone)
}
