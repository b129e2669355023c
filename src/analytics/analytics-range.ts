/**
 * The analytics query: a range of whole UTC days (`from`, `to`, both included, `YYYY-MM-DD`;
 * default the last 30 days to today), and for CSV the table wanted. Taken whole or refused:
 * a bad value is a 400 naming the field.
 * @module
 */
import { z } from 'zod'
import { HelpdeskError } from '../errors/index.ts'

/** A year and a day: longer ranges would read the whole audit trail for a chart of dots. */
export const LONGEST_RANGE_DAYS = 366
export const DEFAULT_RANGE_DAYS = 30
const DAY_MS = 86_400_000

export const ANALYTICS_SECTIONS = [
  'requests-by-type',
  'requests-by-day',
  'outcomes',
  'approval-turnaround',
  'time-saved',
  'failing-steps',
  'failing-machines',
  'feedback',
] as const
export type AnalyticsSection = (typeof ANALYTICS_SECTIONS)[number]

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((text) => {
    // Refinements run even after the pattern failed: an unparsable text must not throw here.
    const time = Date.parse(`${text}T00:00:00Z`)
    return Number.isFinite(time) && new Date(time).toISOString().startsWith(text)
  }, 'expected a real calendar date as YYYY-MM-DD')

const querySchema = z
  .object({
    from: day.optional(),
    to: day.optional(),
    format: z.enum(['json', 'csv'], { error: 'expected json or csv' }).optional(),
    section: z
      .enum(ANALYTICS_SECTIONS, { error: `expected one of ${ANALYTICS_SECTIONS.join(', ')}` })
      .optional(),
  })
  .strict()

export interface AnalyticsRange {
  /** First day, `YYYY-MM-DD`. */
  from: string
  /** Last day, included. */
  to: string
  /** The instants the stores are asked for: `from` 00:00 UTC, inclusive... */
  start: string
  /** ...to the day after `to`, 00:00 UTC, exclusive. */
  end: string
  /** Every day of the range, in order. */
  days: string[]
}

export type AnalyticsQuery =
  | { format: 'json'; range: AnalyticsRange }
  | { format: 'csv'; range: AnalyticsRange; section: AnalyticsSection }

function invalid(field: string, message: string): HelpdeskError {
  return new HelpdeskError({
    code: 'INVALID_INPUT',
    message: `${field}: ${message}`,
    details: { field },
  })
}

/**
 * @param query the query string's parameters, each given once
 * @param now today, for the default range
 * @throws {HelpdeskError} INVALID_INPUT naming the field
 */
export function parseAnalyticsQuery(
  query: Record<string, string | string[]>,
  now: Date = new Date(),
): AnalyticsQuery {
  for (const [name, value] of Object.entries(query))
    if (Array.isArray(value) && value.length > 1) throw invalid(name, 'expected once')
  const flat = Object.fromEntries(
    Object.entries(query).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]),
  )
  const parsed = querySchema.safeParse(flat)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = String(issue?.path[0] ?? (issue?.code === 'unrecognized_keys' ? '' : 'query'))
    if (issue?.code === 'unrecognized_keys')
      throw invalid(
        issue.keys[0] ?? 'query',
        'unknown parameter; expected from, to, format, section',
      )
    throw invalid(field, issue?.message ?? 'invalid')
  }
  const today = now.toISOString().slice(0, 10)
  const to = parsed.data.to ?? today
  const from =
    parsed.data.from ?? dayOf(Date.parse(`${to}T00:00:00Z`) - (DEFAULT_RANGE_DAYS - 1) * DAY_MS)
  const startMs = Date.parse(`${from}T00:00:00Z`)
  const endMs = Date.parse(`${to}T00:00:00Z`) + DAY_MS
  if (endMs <= startMs) throw invalid('to', `expected a day on or after from (${from})`)
  const count = (endMs - startMs) / DAY_MS
  if (count > LONGEST_RANGE_DAYS)
    throw invalid('from', `expected a range of at most ${LONGEST_RANGE_DAYS} days (got ${count})`)
  const range: AnalyticsRange = {
    from,
    to,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    days: Array.from({ length: count }, (_, index) => dayOf(startMs + index * DAY_MS)),
  }
  if (parsed.data.format === 'csv') {
    if (!parsed.data.section)
      throw invalid('section', `expected one of ${ANALYTICS_SECTIONS.join(', ')} with format=csv`)
    return { format: 'csv', range, section: parsed.data.section }
  }
  if (parsed.data.section) throw invalid('section', 'expected only with format=csv')
  return { format: 'json', range }
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}
