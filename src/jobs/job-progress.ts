/**
 * Counts, the current targets and the estimated time to the end, from a job's cells and the
 * targets' times so far. The estimate replays the rest of the run on the worker slots: each
 * running target needs the mean time of a finished target less what it has had (at least a
 * twentieth of it), and each waiting target takes the next slot to come free for the mean time.
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
        ? estimateRemaining(options.times, pending, options.concurrency, options.now)
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

/** Milliseconds until the last target ends, or null before any target has finished. */
export function estimateRemaining(
  times: TargetTimes,
  unfinished: number,
  concurrency: number,
  now = performance.now(),
): number | null {
  if (times.finished.length === 0) return null
  const mean = times.finished.reduce((sum, each) => sum + each, 0) / times.finished.length
  const slots: number[] = []
  for (const started of times.running.values()) {
    slots.push(Math.max(mean - (now - started), mean / 20))
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
