/**
 * The audit trail: who did what, where, when, with the exact script or operation. Records are
 * append-only and chained: each carries the hash of the one before, so a changed, inserted or
 * deleted record breaks the chain and `verify` names where. The chain is keyed (HMAC with a key
 * kept outside the store) and its head is checkpointed outside the store as records are added,
 * so whoever can write the store can neither recompute the chain nor cut or roll it back unseen.
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

/** What `verify` found wrong, one name per kind of tampering. */
export type AuditProblem =
  /** A record's content no longer matches its hash (or signature). */
  | 'changed'
  /** A sequence number is missing: a record was deleted in the middle. */
  | 'missing'
  /** A record does not follow the one before it, or the log is longer than its head. */
  | 'inserted'
  /** The last records are gone while the head still counts them. */
  | 'truncated'
  /** No records left, while the head or a checkpoint says some were written. */
  | 'wiped'
  /** The audit tables are not in the database. */
  | 'no-tables'
  /** The database ends before a signed checkpoint: restored from an older copy, or cut and its head rewound. */
  | 'behind-checkpoint'
  /** A record differs from what a signed checkpoint recorded for it: the log was rewritten. */
  | 'checkpoint-mismatch'
  /** A line of the checkpoint file is not a checkpoint or does not match its signature. */
  | 'checkpoint-tampered'
  /** Keyed records exist but there is no checkpoint of them. */
  | 'no-checkpoints'
  /** No key to verify with. */
  | 'no-key'
  /** Records or checkpoints were signed with another key. */
  | 'wrong-key'
  /** An unkeyed (legacy) record follows keyed ones: rewritten by someone without the key. */
  | 'downgraded'

export type AuditVerification =
  | {
      ok: true
      count: number
      headHash: string
      /** Records in the legacy unkeyed format (format 1): only as trustworthy as the log was before the key. */
      legacy: number
      /** The highest record covered by a signed checkpoint (0: none, or no checkpoint file in use). */
      checkpointed: number
    }
  | { ok: false; count: number; sequence?: number; problem: AuditProblem; reason: string }

/**
 * Contract (checked by `audit-log-contract.case.test.ts` for every implementation):
 * - `append` assigns consecutive sequence numbers from 1 and chains each record to the previous
 *   one; concurrent appends never fork the chain.
 * - Stored records cannot be updated or deleted through the implementation's own store.
 * - `list` returns records in sequence order after `after`; with `newest`, in reverse order
 *   before `before`; at most `limit` either way.
 * - `verify` detects a changed record, a deleted record (in the middle or at the end) and an
 *   inserted one, and names the first sequence number where the chain breaks; with checkpoints,
 *   also a log cut back, wiped or restored from an older copy (`problem` names which).
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
