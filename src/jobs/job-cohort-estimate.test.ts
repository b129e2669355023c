import { describe, expect, it } from 'vitest'
import { cohortRemaining } from './job-cohort-estimate.ts'
import type { TargetTimes } from './job-progress.ts'
import { etaErrorAt, type RecordedRun, recordedRuns } from './testing/recorded-run.ts'

describe('the ETA by the slots replayed', () => {
  it('ends a wave at the pace its last targets ended, then runs the rest on the freed slots', () => {
    // Two slots' worth of a wave: 4 started at 0, 2 ended at 9.5 s and 10 s (1 per 0.5 s), 2
    // still running at 10 s; 4 not started. The two running end at 10.5 and 11 s; a target takes
    // about 10 s (the median of 9.5, 10, 10.5 and 11), so the four left end near 20.5 and 21 s.
    const times: TargetTimes = {
      finished: [9_500, 10_000],
      finishedAt: [9_500, 10_000],
      running: new Map([
        ['c', 0],
        ['d', 0],
      ]),
      began: 0,
    }
    const left = cohortRemaining(times, 4, 4, 10_000) ?? 0
    expect(left).toBeGreaterThan(10_000)
    expect(left).toBeLessThan(12_000)
  })

  it('gives no ETA of 0 when several targets end in the same millisecond', () => {
    // One wave of 30 at 0; 6 ended at 3 s, written together; 24 still running at 3.001 s.
    const running = new Map(Array.from({ length: 24 }, (_, index) => [`m${index}`, 0]))
    const ends = Array.from({ length: 6 }, () => 3_000)
    const left = cohortRemaining(
      { finished: ends, finishedAt: ends, running, began: 0 },
      0,
      50,
      3_001,
    )
    // No pace can be read from ends that came together: no estimate (the throughput one stands).
    expect(left).toBeUndefined()
    // Half a second later, with nothing more ended, the pace is 5 ends in 0.5 s.
    const later = cohortRemaining(
      { finished: ends, finishedAt: ends, running, began: 0 },
      0,
      50,
      3_500,
    )
    expect(later).toBeGreaterThan(2_000)
  })

  it('has no estimate before two targets have ended or without their end times', () => {
    const running = new Map([['b', 0]])
    expect(cohortRemaining({ finished: [5], finishedAt: [5], running }, 1, 2, 10)).toBeUndefined()
    expect(cohortRemaining({ finished: [5, 6], running }, 1, 2, 10)).toBeUndefined()
  })

  const runs = recordedRuns()

  it('keeps the ETA of the warm-up run within 25 %, where the throughput estimate alone ran 31 % long', () => {
    // Run 4 is the first job on a fresh sshd: its first wave took 35 s a target, the next 27 s.
    const run = runs[3] as RecordedRun
    expect(etaErrorAt(run, 0.2, 'throughput').error).toBeGreaterThan(0.25)
    expect(etaErrorAt(run, 0.2).error).toBeLessThan(0.25)
  })

  it('is what each leave-one-out fold picks, and then within 20 % at 20 % done on 12 of 14 left out', () => {
    const estimates = ['throughput', 'slots', 'smaller'] as const
    const errors = new Map<string, number>()
    const error = (run: RecordedRun, estimate: (typeof estimates)[number]) => {
      const key = `${runs.indexOf(run)} ${estimate}`
      const known = errors.get(key)
      if (known !== undefined) return known
      const sum = [0.1, 0.2, 0.5].reduce(
        (total, fraction) => total + etaErrorAt(run, fraction, estimate).error,
        0,
      )
      errors.set(key, sum)
      return sum
    }
    let within = 0
    for (const [index, run] of runs.entries()) {
      const others = runs.filter((_, other) => other !== index)
      const [best] = [...estimates].sort(
        (left, right) =>
          others.reduce((sum, each) => sum + error(each, left), 0) -
          others.reduce((sum, each) => sum + error(each, right), 0),
      )
      expect(best).toBe('smaller')
      if (etaErrorAt(run, 0.2, best).error <= 0.2) within++
    }
    expect(within).toBeGreaterThanOrEqual(12)
  })
})
