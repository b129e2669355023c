/**
 * Searching the audit trail by who, what, where and when, through the `AuditLog` interface only
 * (its `list`, newest first), so it works the same on every store (SQLite, PostgreSQL) without a
 * query language of its own. The cost is bounded: one search reads at most `maxScanned` records
 * and, when it stopped there, says where to go on (`nextBefore`), so a page never walks a long
 * trail whole. Stores keep the sequence order, which is the time order of writing.
 * @module
 */
import { samePerson } from '../identity/user.ts'
import type { AuditLog, AuditRecord } from './audit-log.ts'

export interface AuditSearch {
  /** Who: the actor (a username or `system`), compared without case. */
  actor?: string
  /** What: the action (`step-execute`), exactly. */
  action?: string
  /** Where: the target (a machine, an account), compared without case. */
  target?: string
  /** Written at or after this ISO 8601 instant (as `toISOString` writes it). */
  from?: string
  /** Written before this ISO 8601 instant. */
  to?: string
  /** Records before this sequence number (the previous page's `nextBefore`). */
  before?: number
  /** At most this many records (default 50). */
  limit?: number
}

export interface AuditSearchPage {
  /** Newest first. */
  records: AuditRecord[]
  /** Where the next page starts; absent when the trail's start was reached. */
  nextBefore?: number
  /** Records read to answer. */
  scanned: number
  /** The search stopped at `maxScanned` before filling the page: go on from `nextBefore`. */
  partial: boolean
}

const BATCH = 500

function matches(record: AuditRecord, search: AuditSearch): boolean {
  return (
    (search.actor === undefined || samePerson(record.actor, search.actor)) &&
    (search.action === undefined || record.action === search.action) &&
    (search.target === undefined ||
      (record.target !== undefined && samePerson(record.target, search.target))) &&
    (search.from === undefined || record.at >= search.from) &&
    (search.to === undefined || record.at < search.to)
  )
}

/** One page of matching records, newest first. */
export async function searchAudit(
  log: AuditLog,
  search: AuditSearch,
  options: { maxScanned?: number } = {},
): Promise<AuditSearchPage> {
  const limit = search.limit ?? 50
  const maxScanned = options.maxScanned ?? 20_000
  const records: AuditRecord[] = []
  let cursor = search.before
  let scanned = 0
  while (scanned < maxScanned) {
    const batch = await log.list({
      newest: true,
      limit: Math.min(BATCH, maxScanned - scanned),
      ...(cursor !== undefined ? { before: cursor } : {}),
    })
    if (batch.length === 0) return { records, scanned, partial: false }
    for (const record of batch) {
      scanned += 1
      cursor = record.sequence
      // Before the search's start: every older record is older still (sequence order is the
      // order of writing; replicas with skewed clocks could differ by that skew at most).
      if (search.from !== undefined && record.at < search.from)
        return { records, scanned, partial: false }
      if (!matches(record, search)) continue
      records.push(record)
      if (records.length === limit) {
        return record.sequence > 1
          ? { records, nextBefore: record.sequence, scanned, partial: false }
          : { records, scanned, partial: false }
      }
    }
    if (cursor !== undefined && cursor <= 1) return { records, scanned, partial: false }
  }
  return {
    records,
    scanned,
    partial: true,
    ...(cursor !== undefined ? { nextBefore: cursor } : {}),
  }
}
