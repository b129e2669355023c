/**
 * The audit trail: who did what, where, when, with the exact script or operation. Records are
 * append-only and chained: each carries the hash of the one before, so a changed, inserted or
 * deleted record breaks the chain and `verify` names where.
 * @module
 */

export type AuditValue =
  | string
  | number
  | boolean
  | null
  | AuditValue[]
  | { [key: string]: AuditValue }

/** What a caller records. */
export interface AuditEntry {
  /** Who: a username, or `system`. */
  actor: string
  /** What happened, noun-verb: `step-execute`, `approval-grant`, `approval-deny`. */
  action: string
  /** Where: a host, an account, a group. */
  target?: string
  /** Correlates the record with a request and its result. */
  requestId?: string
  /** The exact script or operation, parameters, outcome. Secrets are masked before storing. */
  detail: { [key: string]: AuditValue }
}

export interface AuditRecord extends AuditEntry {
  sequence: number
  /** ISO 8601 time the record was written. */
  at: string
  previousHash: string
  hash: string
}

export type AuditVerification =
  | { ok: true; count: number; headHash: string }
  | { ok: false; count: number; sequence: number; reason: string }

/**
 * Contract (checked by `audit-log-contract.case.test.ts` for every implementation):
 * - `append` assigns consecutive sequence numbers from 1 and chains each record to the previous
 *   one; concurrent appends never fork the chain.
 * - Stored records cannot be updated or deleted through the implementation's own store.
 * - `list` returns records in sequence order after `after`; with `newest`, in reverse order
 *   before `before`; at most `limit` either way.
 * - `verify` detects a changed record, a deleted record (in the middle or at the end) and an
 *   inserted one, and names the first sequence number where the chain breaks.
 * - Values under keys that name secrets (password, secret, token, apiKey, credential...) are
 *   stored as `[redacted]`.
 */
export interface AuditLog {
  /** @throws {HelpdeskError} AUDIT_FAILED when the record cannot be written: callers must not proceed. */
  append(entry: AuditEntry): Promise<AuditRecord>
  /**
   * Records in sequence order: after `after`, at most `limit`. `newest: true` lists from the
   * end backwards (before `before` when given), for views of recent activity.
   */
  list(options?: {
    after?: number
    limit?: number
    newest?: boolean
    before?: number
  }): Promise<AuditRecord[]>
  verify(): Promise<AuditVerification>
  close(): Promise<void>
}
