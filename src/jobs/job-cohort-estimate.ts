/**
 * The second estimate of a job's time to the end: the worker slots replayed. A job of many
 * targets runs in waves: the first `concurrency` targets start together and end in a cluster,
 * each slot then takes the next target. So the end is when the slowest slot's last target
 * ends, and what the estimate needs is (1) when the targets still running will end and (2) how
 * long a target takes. The running targets older than a typical finished target are the rest of
 * a cluster that is ending: they are taken to end at the pace the last ten targets ended at,
 * oldest first; the younger ones take a target's typical time from their start. A target's
 * typical time is the median over the finished targets and the older running ones as projected,
 * so the first targets to end (often failures on a connection, or the fastest of their wave)
 * do not stand for all. The targets not yet started then go, one at a time, to the slot that
 * frees first.
 *
 * Replayed on the recorded benchmark runs it errs on the other side of the throughput estimate
 * (job-progress.ts): that one runs long when the first wave paid every connection's set-up at
 * once and the next went faster; this one runs long early on, when the few targets ended so far
 * ended apart (failures first). The smaller of the two is the ETA (job-progress.test.ts).
 * @module
 */
import type { TargetTimes } from './job-progress.ts'

/** How many of the latest ends give the pace at which a cluster of targets is ending. */
const RECENT_ENDS = 10
/** A pace is read over at least this share (1/N) of a typical target's time. */
const MIN_PACE_SPAN_SHARE = 100

/**
 * Milliseconds until the last target ends, by the slots replayed; undefined before two targets
 * have ended, without their end times, or when the latest ends came together just now.
 */
export function cohortRemaining(
  times: TargetTimes,
  unstarted: number,
  concurrency: number,
  now: number,
): number | undefined {
  const ends = [...(times.finishedAt ?? [])].sort((left, right) => left - right)
  if (ends.length < 2 || times.finished.length === 0) return undefined
  const typical = median(times.finished)
  const recent = Math.min(RECENT_ENDS, ends.length - 1)
  const since = ends[ends.length - 1 - recent] ?? now
  // Ends recorded together (one write for several targets) and read at once tell no pace: it
  // would come out at thousands a second and the ETA at 0. Then this estimate has nothing to say
  // (the throughput estimate stands) until time has passed since.
  if (now - since < typical / MIN_PACE_SPAN_SHARE) return undefined
  const pace = recent / Math.max(1, now - since)
  const running = [...times.running.values()].sort((left, right) => left - right)
  const older = running.filter((started) => now - started >= typical)
  const olderEnds = older.map((_, index) => now + (index + 1) / pace)
  const perTarget = median([
    ...times.finished,
    ...older.map((started, index) => (olderEnds[index] ?? now) - started),
  ])
  const younger = running
    .filter((started) => now - started < typical)
    .map((started) => Math.max(now, started + perTarget))
  const slots = Math.max(1, concurrency, running.length)
  const free = [...olderEnds, ...younger]
  while (free.length < slots) free.push(now)
  return lastEnd(free, unstarted, perTarget) - now
}

/**
 * When the last of `count` targets of `each` ms ends, each taken by the slot that frees first.
 * Exact: one at a time while the slots free further apart than one target, then in turn (each
 * target taken then ends after every slot frees, so the order of the slots holds).
 */
function lastEnd(free: number[], count: number, each: number): number {
  const slots = [...free].sort((left, right) => left - right)
  let left = count
  while (left > 0 && (slots[slots.length - 1] ?? 0) - (slots[0] ?? 0) > each) {
    const next = (slots.shift() ?? 0) + each
    const at = slots.findIndex((time) => time > next)
    slots.splice(at === -1 ? slots.length : at, 0, next)
    left--
  }
  const rounds = Math.floor(left / slots.length)
  const extra = left % slots.length
  return Math.max(...slots.map((time, index) => time + (rounds + (index < extra ? 1 : 0)) * each))
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}
