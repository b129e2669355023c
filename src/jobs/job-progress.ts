/**
 * Counts, the current targets and the estimated time to the end, from a job's cells and the
 * targets' times so far. The estimate replays the rest of the run on the worker slots: a running
 * target needs the mean time of each of its remaining steps (over every target where that step
 * ended) less the time it has had in its current one; a waiting target takes the next slot to
 * come free for a whole target's time (the larger of the step means' sum and the finished
 * targets' mean: the first targets to finish are the fast ones).
 * @module
 */
import { FINAL_CELL_STATES, type JobCell, type JobProgress } from './job-model.ts'

export interface TargetTimes {
  /** Milliseconds each finished target took, from its first command to its last. */
  finished: number[]
  /** When each running target started (performance.now()). */
  running: ReadonlyMap<string, number>
}

export function jobProgress(
  cells: readonly JobCell[],
  steps: number,
  targets: readonly string[],
  options: { concurrency: number; times?: TargetTimes; now?: number },
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
  const etaMs =
    pending === 0
      ? 0
      : options.times
        ? estimateRemaining(
            options.times,
            pending,
            options.concurrency,
            stepPace(cells, steps, current, byTarget),
            options.now,
          )
        : null
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
 * Each step's mean time on the targets where it ended, and what each running target still
 * needs by those means (its current step less the time it has had in it, then its later steps).
 */
export interface StepPace {
  /** Milliseconds a whole target needs by the step means, when every step has one. */
  perTarget: number | undefined
  /** Running target -> milliseconds it still needs, when its steps have means. */
  remaining: ReadonlyMap<string, number>
}

function stepPace(
  cells: readonly JobCell[],
  steps: number,
  current: readonly string[],
  byTarget: ReadonlyMap<string, JobCell[]>,
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
  const known = means.every((mean) => mean !== undefined)
  const perTarget = known ? means.reduce<number>((sum, mean) => sum + (mean ?? 0), 0) : undefined
  const remaining = new Map<string, number>()
  const now = Date.now()
  for (const target of current) {
    const next = (byTarget.get(target) ?? []).find((cell) => !FINAL_CELL_STATES.has(cell.state))
    if (!next) continue
    let total = 0
    let complete = true
    for (let index = next.stepIndex; index < steps; index++) {
      const mean = means[index]
      if (mean === undefined) {
        complete = false
        break
      }
      total += mean
    }
    if (!complete) continue
    const inStep = next.startedAt ? now - Date.parse(next.startedAt) : 0
    remaining.set(target, Math.max(total - inStep, total / 20))
  }
  return { perTarget, remaining }
}

/** Milliseconds until the last target ends, or null before any target has finished. */
export function estimateRemaining(
  times: TargetTimes,
  unfinished: number,
  concurrency: number,
  pace: StepPace = { perTarget: undefined, remaining: new Map() },
  now = performance.now(),
): number | null {
  if (times.finished.length === 0) return null
  // The first targets to end are the fast ones: the step means (over every target where a
  // step ended, slow ones included) say more, once every step has one.
  const finishedMean = times.finished.reduce((sum, each) => sum + each, 0) / times.finished.length
  const mean = Math.max(finishedMean, pace.perTarget ?? 0)
  const slots: number[] = []
  for (const [target, started] of times.running) {
    slots.push(pace.remaining.get(target) ?? Math.max(mean - (now - started), mean / 20))
  }
  const waiting = Math.max(0, unfinished - times.running.size)
  while (slots.length < Math.max(1, concurrency)) slots.push(0)
  slots.sort((a, b) => a - b)
  for (let index = 0; index < waiting; index++) {
    // The earliest slot to come free takes the next target; keep the list sorted.
    const free = slots.shift() ?? 0
    const end = free + mean
    const position = slots.findIndex((each) => each > end)
    slots.splice(position === -1 ? slots.length : position, 0, end)
  }
  return Math.round(Math.max(0, ...slots))
}
