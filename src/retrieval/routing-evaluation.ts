import type { RouteDecision } from './request-router.ts'

export const OUT_OF_SCOPE_LABEL = 'out_of_scope'

export interface LabelledRequest {
  id: string
  text: string
  labels: string[]
}

export interface RoutedRequest {
  request: LabelledRequest
  decision: RouteDecision
  milliseconds: number
}

export interface RoutingReport {
  count: number
  /** Single in-scope requests whose decision is exactly their label. */
  top1: number
  /** Single in-scope requests whose label is among the three best ranked. */
  top3: number
  outOfScope: { precision: number; recall: number; f1: number; count: number }
  /** Compound requests whose decided tasks equal their labels as a set. */
  compoundExactMatch: number
  compoundCount: number
  latencyMs: { p50: number; p99: number; mean: number }
  errors: Array<{ id: string; text: string; expected: string[]; got: string[] }>
}

export function summariseRouting(results: readonly RoutedRequest[]): RoutingReport {
  let singles = 0
  let top1 = 0
  let top3 = 0
  let compounds = 0
  let compoundHits = 0
  let truePositive = 0
  let falsePositive = 0
  let falseNegative = 0
  let outOfScopeCount = 0
  const errors: RoutingReport['errors'] = []
  for (const { request, decision } of results) {
    const expectedOut = request.labels.includes(OUT_OF_SCOPE_LABEL)
    const predictedOut = decision.tasks.length === 0
    if (expectedOut) outOfScopeCount += 1
    if (expectedOut && predictedOut) truePositive += 1
    if (!expectedOut && predictedOut) falsePositive += 1
    if (expectedOut && !predictedOut) falseNegative += 1
    let correct: boolean
    if (expectedOut) {
      correct = predictedOut
    } else if (request.labels.length === 1) {
      singles += 1
      correct = decision.tasks.length === 1 && decision.tasks[0] === request.labels[0]
      if (correct) top1 += 1
      if (decision.ranked.slice(0, 3).some((each) => each.taskType === request.labels[0])) top3 += 1
    } else {
      compounds += 1
      correct = sameSet(decision.tasks, request.labels)
      if (correct) compoundHits += 1
    }
    if (!correct) {
      errors.push({
        id: request.id,
        text: request.text,
        expected: request.labels,
        got: decision.tasks,
      })
    }
  }
  const precision = ratio(truePositive, truePositive + falsePositive)
  const recall = ratio(truePositive, truePositive + falseNegative)
  const latencies = results.map((each) => each.milliseconds).sort((left, right) => left - right)
  return {
    count: results.length,
    top1: ratio(top1, singles),
    top3: ratio(top3, singles),
    outOfScope: {
      precision,
      recall,
      f1: precision + recall === 0 ? 0 : round((2 * precision * recall) / (precision + recall)),
      count: outOfScopeCount,
    },
    compoundExactMatch: ratio(compoundHits, compounds),
    compoundCount: compounds,
    latencyMs: {
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      mean: round(latencies.reduce((sum, value) => sum + value, 0) / Math.max(1, latencies.length)),
    },
    errors,
  }
}

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))
  return round(sorted[index] ?? 0)
}

function sameSet(left: readonly string[], right: readonly string[]): boolean {
  return left.length === right.length && left.every((each) => right.includes(each))
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : round(part / whole)
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000
}
