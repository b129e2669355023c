import type { CheckpointReading, NumberedCheckpoint } from './audit-checkpoints.ts'
import {
  GENESIS_HASH,
  hashRecord,
  KEYED_FORMAT,
  LEGACY_FORMAT,
  verifiesRecord,
} from './audit-hash.ts'
import type { AuditKey } from './audit-key.ts'
import type { AuditProblem, AuditRecord, AuditVerification } from './audit-log.ts'

/** A record as stored, with its format (1 legacy SHA-256, 2 keyed HMAC) and the id of its key. */
export interface StoredAuditRecord extends AuditRecord {
  format: number
  keyId: string | null
}

export interface ChainToVerify {
  /** Every record, in sequence order. */
  records: Iterable<StoredAuditRecord>
  /** The stored head (count and hash of the last record), if there is one. */
  head: { count: number; hash: string } | undefined
  key: AuditKey
  /** The checkpoint file's reading; undefined when the log keeps no checkpoints (in memory). */
  checkpoints: CheckpointReading | undefined
  checkpointFile?: string
}

const fail = (
  problem: AuditProblem,
  count: number,
  reason: string,
  sequence?: number,
): AuditVerification => ({
  ok: false,
  count,
  problem,
  reason,
  ...(sequence !== undefined ? { sequence } : {}),
})

/**
 * Walks the chain from the first record: each must follow the one before, match its hash or
 * signature, and match every signed checkpoint taken at it; then the end of the chain must agree
 * with the stored head and with the furthest checkpoint. The first disagreement is reported.
 *
 * Legacy (unkeyed) records are accepted only before the first keyed record: the first keyed
 * record signs their head, so from then on they cannot change unseen, but they are only as
 * trustworthy as the log was before the key was introduced.
 */
export function verifyChain(chain: ChainToVerify): AuditVerification {
  const { key } = chain
  if (chain.checkpoints && !chain.checkpoints.ok)
    return fail(chain.checkpoints.problem, 0, chain.checkpoints.reason)
  const checkpoints: NumberedCheckpoint[] = chain.checkpoints?.ok
    ? [...chain.checkpoints.checkpoints].sort((a, b) => a.sequence - b.sequence)
    : []
  let nextCheckpoint = 0
  let expected = 1
  let previousHash = GENESIS_HASH
  let legacy = 0
  let keyed = 0
  for (const record of chain.records) {
    const count = expected - 1
    const at = record.sequence
    if (at !== expected)
      return fail(
        'missing',
        count,
        `record ${expected} is missing (the next one is ${at}): records were deleted`,
        expected,
      )
    if (record.previousHash !== previousHash)
      return fail(
        'inserted',
        count,
        `record ${at} does not follow record ${at - 1} (its previous hash differs): a record was inserted or replaced before it`,
        at,
      )
    if (record.format === LEGACY_FORMAT) {
      if (keyed > 0)
        return fail(
          'downgraded',
          count,
          `record ${at} is in the unkeyed legacy format but follows keyed records: it was written without the key`,
          at,
        )
      const { format: _format, keyId: _keyId, hash, ...content } = record
      if (hashRecord(content) !== hash)
        return fail(
          'changed',
          count,
          `record ${at}: its content was changed after it was written (hash differs)`,
          at,
        )
      legacy += 1
    } else if (record.format === KEYED_FORMAT) {
      if (record.keyId !== key.id)
        return fail(
          'wrong-key',
          count,
          `record ${at} was signed by audit key ${record.keyId}, but the key given is ${key.id}: wrong audit key (HELPDESK_AUDIT_KEY or its key file)`,
          at,
        )
      const { format: _format, keyId: _keyId, ...signed } = record
      if (!verifiesRecord(signed, key))
        return fail(
          'changed',
          count,
          `record ${at}: its content was changed, or it was inserted, after it was written (signature differs)`,
          at,
        )
      keyed += 1
    } else {
      return fail('changed', count, `record ${at} has an unknown format ${record.format}`, at)
    }
    while (checkpoints[nextCheckpoint]?.sequence === at) {
      const checkpoint = checkpoints[nextCheckpoint] as NumberedCheckpoint
      if (checkpoint.headHash !== record.hash)
        return fail(
          'checkpoint-mismatch',
          count,
          `record ${at} differs from checkpoint line ${checkpoint.line} of ${checkpoint.file} (${checkpoint.at}): the log was rewritten up to it, or restored from an older copy and written to since`,
          at,
        )
      nextCheckpoint += 1
    }
    previousHash = record.hash
    expected += 1
  }
  const count = expected - 1
  const headCount = chain.head?.count ?? 0
  if (headCount > count)
    return count === 0
      ? fail(
          'wiped',
          0,
          `the audit log is empty but its head says ${headCount} records were written: the records were deleted`,
          1,
        )
      : fail(
          'truncated',
          count,
          `the log ends at record ${count} but ${headCount} were written (records were removed from the end)`,
          count + 1,
        )
  if (headCount < count)
    return fail(
      'inserted',
      count,
      `the log has ${count} records but its head says ${headCount}: records were added after the head`,
      headCount + 1,
    )
  if ((chain.head?.hash ?? GENESIS_HASH) !== previousHash)
    return fail(
      'changed',
      count,
      `the head does not match record ${count} (hash differs): the head was rewritten`,
      count,
    )
  const furthest = checkpoints.at(-1)
  if (furthest && furthest.sequence > count) {
    const where = `${furthest.file} line ${furthest.line} (${furthest.at}) says ${furthest.count} records were written`
    return count === 0
      ? fail('wiped', 0, `the audit log is empty but ${where}: the records were deleted`, 1)
      : fail(
          'behind-checkpoint',
          count,
          `the audit log ends at record ${count} but ${where}: the database was restored from an older copy, or its last records were deleted and the head rewound`,
          count + 1,
        )
  }
  if (keyed > 0 && chain.checkpoints && checkpoints.length === 0)
    return fail(
      'no-checkpoints',
      count,
      `${keyed} keyed records but no checkpoint in ${chain.checkpointFile ?? 'the checkpoint file'}${chain.checkpoints.ok && !chain.checkpoints.exists ? ' (no such file)' : ''}: the checkpoint file was deleted or emptied, or HELPDESK_AUDIT_CHECKPOINT_FILE (or _DIR) points elsewhere`,
    )
  return { ok: true, count, headHash: previousHash, legacy, checkpointed: furthest?.sequence ?? 0 }
}
