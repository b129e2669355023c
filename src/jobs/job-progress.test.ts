import { describe, expect, it } from 'vitest'
import type { JobCell } from './job-model.ts'
import { estimateRemaining, jobProgress } from './job-progress.ts'
import { etaErrorAt, progressAt, type RecordedRun, recordedRuns } from './testing/recorded-run.ts'

/**
 * Recorded runs of the job benchmark (100 machines of the loopback sshd, concurrency 50, five
 * steps with a 1 MB copy; `BENCH_JOB_RECORD=DIR npm run bench:jobs`) on a loaded shared machine,
 * a few targets failing on SSH handshake timeouts as they did: the ETA is replayed from what had
 * happened at each moment. Runs 1-3 were recorded first; 4-11 later, in two bench sessions of a
 * warm-up and three rounds each (runs 4 and 8 are the warm-ups, the first job on a fresh sshd);
 * 12-14 (a warm-up and two rounds) after the estimate below was fixed, so they check it.
 * The throughput estimate alone was 19, 7, 18, 31, 15, 9, 16, 4, 15, 28, 6, 1, 5 and 24 % off at
 * 20 % done on them (11 of 14 within 20 %); with the slots replayed (job-cohort-estimate.ts),
 * taking the smaller, 19, 7, 8, 21, 15, 7, 5, 4, 3, 10, 6, 16, 5 and 24 % (12 of 14). The slot
 * estimate was written on runs 1-7; on 8-11 it gained (4 of 4 within 20 %, the throughput one
 * 3 of 4), on 12-14 it did not (2 of 3 both: run 14's second wave ran 22 % faster than its first).
 */
const runs = recordedRuns()

describe('the ETA of a job', () => {
  it('is within 20 % of the actual end once 20 % of the targets are done, on 12 of the 14 recorded runs (none past 25 %)', () => {
    const errors = runs.map((run) => {
      const { eta, actual, error } = etaErrorAt(run, 0.2)
      expect(eta, `eta ${eta} ms vs ${actual} ms`).toBeGreaterThan(0)
      return error
    })
    expect(errors.filter((error) => error <= 0.2).length).toBeGreaterThanOrEqual(12)
    for (const error of errors) expect(error).toBeLessThan(0.25)
  })

  it('stays within 30 % at 10 % and 50 % done on the first recorded runs, and within 40 % on all', () => {
    for (const [index, run] of runs.entries())
      for (const fraction of [0.1, 0.5])
        expect(etaErrorAt(run, fraction).error).toBeLessThan(index < 3 ? 0.3 : 0.4)
  })

  it('falls as the run goes on, and is 0 at the end', () => {
    for (const run of runs) {
      const etas = [0.2, 0.5, 0.9].map((fraction) => etaErrorAt(run, fraction).eta)
      expect(etas[1]).toBeLessThan(etas[0] ?? 0)
      expect(etas[2]).toBeLessThan(etas[1] ?? 0)
      expect(progressAt(run, run.endedAt + 1).etaMs).toBe(0)
    }
  })

  it('has no estimate before a target has finished', () => {
    const run = runs[0] as RecordedRun
    const first = Math.min(...run.targets.map((target) => target.endedAt))
    expect(progressAt(run, first - 1).etaMs).toBeNull()
  })

  it('counts the work done per second, not one target time per slot', () => {
    // 10 targets one at a time, 1 s each: 4 done after 4 s, one half-way -> 5.5 s left.
    const now = 4_500
    const estimate = estimateRemaining(
      { finished: [1000, 1000, 1000, 1000], running: new Map([['t5', 4000]]), began: 0 },
      6,
      undefined,
      now,
    )
    expect(estimate).toBe(Math.round(((6 - 0.5) * 4500) / 4.5))
    // The same four done by 10 slots at once in 1 s: the six left take about one more second.
    const wide = estimateRemaining(
      {
        finished: [1000, 1000, 1000, 1000],
        running: new Map(['a', 'b', 'c', 'd', 'e', 'f'].map((name) => [name, 0])),
        began: 0,
      },
      6,
      undefined,
      1000,
    )
    expect(wide).toBeGreaterThan(0)
    expect(wide).toBeLessThan(400)
  })

  it('weights running targets by the steps they have ended (a slow copy step counts more)', () => {
    const iso = (ms: number) => new Date(ms).toISOString()
    const cell = (stepIndex: number, target: string, from: number, to?: number): JobCell =>
      to === undefined
        ? { stepIndex, target, state: 'running', startedAt: iso(from) }
        : { stepIndex, target, state: 'succeeded', startedAt: iso(from), endedAt: iso(to) }
    // Step 0 takes 100 ms, step 1 900 ms. "b" has ended step 0 only, "c" is late in step 1.
    const cells = [
      cell(0, 'a', 0, 100),
      cell(1, 'a', 100, 1000),
      cell(0, 'b', 1000, 1100),
      { stepIndex: 1, target: 'b', state: 'pending' } as JobCell,
      cell(0, 'c', 1000, 1100),
      cell(1, 'c', 1100),
    ]
    const times = {
      finished: [1000],
      running: new Map([
        ['b', 1000],
        ['c', 1000],
      ]),
      began: 0,
    }
    const at = (now: number) =>
      jobProgress(cells, 2, ['a', 'b', 'c'], { concurrency: 2, times, now }).etaMs ?? 0
    // "c" is further on than "b" at the same moment: the same job with "c" alone running
    // would be estimated shorter than with "b" alone.
    const onlyB = jobProgress(cells, 2, ['a', 'b', 'c'], {
      concurrency: 2,
      times: { ...times, running: new Map([['b', 1000]]) },
      now: 1800,
    }).etaMs
    const onlyC = jobProgress(cells, 2, ['a', 'b', 'c'], {
      concurrency: 2,
      times: { ...times, running: new Map([['c', 1000]]) },
      now: 1800,
    }).etaMs
    expect(onlyC).toBeLessThan(onlyB ?? 0)
    expect(at(1800)).toBeLessThan(at(1200))
  })
})
