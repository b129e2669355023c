/**
 * The exactly-once guard for approved work. Every step of an approved plan has an idempotency
 * key; a step is started only by whoever records that key first, and its result is stored
 * under it, so a second run (a retry, a restarted server, another replica) returns the stored
 * result instead of running the step again.
 * @module
 */
import type { StepResult } from '../executors/executor.ts'

/** `<approvalId>:<stepId>[:<target>]`: none of the three can contain a colon. */
export function stepIdempotencyKey(approvalId: string, stepId: string, target?: string): string {
  return target ? `${approvalId}:${stepId}:${target}` : `${approvalId}:${stepId}`
}

export interface LedgerEntry {
  key: string
  approvalId: string
  stepId: string
  target?: string
  /** ISO 8601: recorded before the step runs. */
  startedAt: string
  /** Absent together with `result` when the step was started and its result never recorded. */
  finishedAt?: string
  result?: StepResult
}

export type LedgerClaim =
  /** This caller recorded the key and must run the step, then `finish` it. */
  | { claimed: true; entry: LedgerEntry }
  /** Someone recorded it first: do not run; report what the entry says. */
  | { claimed: false; entry: LedgerEntry }

/**
 * Step execution ledger, version 1. `SqliteStepExecutionLedger` keeps it in the project store.
 *
 * Contract (checked by `step-execution-ledger-contract.case.test.ts` for every implementation):
 * - `begin` is atomic: of any number of callers for one key, also in different processes,
 *   exactly one gets `claimed: true`; the others get the stored entry.
 * - `begin` is recorded durably before it returns, so a crash while the step runs leaves an entry
 *   without a result. Such a step's outcome is unknown: callers report it and never re-run it.
 * - `finish` stores the result once; a second `finish` for the key changes nothing.
 * - Entries survive closing and reopening a persistent store.
 */
export interface StepExecutionLedger {
  begin(entry: Omit<LedgerEntry, 'finishedAt' | 'result'>): Promise<LedgerClaim>
  /** @returns false when the key was never begun or already has its result. */
  finish(key: string, result: StepResult, finishedAt: string): Promise<boolean>
  get(key: string): Promise<LedgerEntry | undefined>
  /** The entries of one approval, in the order they were begun. */
  listFor(approvalId: string): Promise<LedgerEntry[]>
  close(): Promise<void>
}
