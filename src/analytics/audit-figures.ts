/**
 * What the audit trail of a time range says: how long approval requests waited for a decision,
 * and which steps and machines failed most.
 * - Turnaround: from an `approval-request` record to the first `approval-grant` or
 *   `approval-deny` of the same request, for requests made in the range; p50 and p90 by the
 *   nearest-rank method, in minutes (one decimal).
 * - Failures: `step-result` records in the range whose status is `failed`, by step id (with its
 *   task type) and by machine (the record's target).
 * @module
 */
import type { AuditRecord } from '../audit/audit-log.ts'
import type { AnalyticsRange } from './analytics-range.ts'

export interface AuditFigures {
  approvals: {
    requested: number
    decided: number
    p50Minutes: number | null
    p90Minutes: number | null
  }
  /** Most failures first; ties by name. */
  failingSteps: Array<{ stepId: string; taskType: string; failures: number }>
  failingMachines: Array<{ machine: string; failures: number }>
}

/** The longest lists shown: the rest is noise on a dashboard (the CSV has the same). */
export const MOST_LISTED = 10

/** The nearest-rank percentile of sorted values: the smallest value with p% at or below it. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1] ?? null
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function ranked<T extends { failures: number }>(
  counts: Map<string, T>,
  name: (item: T) => string,
): T[] {
  return [...counts.values()]
    .sort(
      (one, other) => other.failures - one.failures || name(one).localeCompare(name(other), 'en'),
    )
    .slice(0, MOST_LISTED)
}

/** @param records every record from the range's start on (later ones carry the decisions). */
export function auditFigures(records: readonly AuditRecord[], range: AnalyticsRange): AuditFigures {
  const requestedAt = new Map<string, string>()
  const decidedAt = new Map<string, string>()
  const steps = new Map<string, { stepId: string; taskType: string; failures: number }>()
  const machines = new Map<string, { machine: string; failures: number }>()
  const sorted = [...records].sort((one, other) => one.sequence - other.sequence)
  for (const record of sorted) {
    const inside = record.at >= range.start && record.at < range.end
    const id = record.requestId
    if (record.action === 'approval-request' && id && inside && !requestedAt.has(id))
      requestedAt.set(id, record.at)
    if (
      (record.action === 'approval-grant' || record.action === 'approval-deny') &&
      id &&
      requestedAt.has(id) &&
      !decidedAt.has(id)
    )
      decidedAt.set(id, record.at)
    if (record.action === 'step-result' && inside && record.detail.status === 'failed') {
      const stepId = text(record.detail.stepId) ?? '(unnamed step)'
      const taskType = text(record.detail.taskType) ?? ''
      const key = `${taskType}\u0000${stepId}`
      const step = steps.get(key) ?? { stepId, taskType, failures: 0 }
      step.failures += 1
      steps.set(key, step)
      if (record.target) {
        const machine = machines.get(record.target) ?? { machine: record.target, failures: 0 }
        machine.failures += 1
        machines.set(record.target, machine)
      }
    }
  }
  const waits = [...decidedAt]
    .map(([id, at]) => (Date.parse(at) - Date.parse(requestedAt.get(id) ?? at)) / 60_000)
    .sort((one, other) => one - other)
  const rounded = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10)
  return {
    approvals: {
      requested: requestedAt.size,
      decided: decidedAt.size,
      p50Minutes: rounded(percentile(waits, 50)),
      p90Minutes: rounded(percentile(waits, 90)),
    },
    failingSteps: ranked(steps, (item) => `${item.taskType} ${item.stepId}`),
    failingMachines: ranked(machines, (item) => item.machine),
  }
}
