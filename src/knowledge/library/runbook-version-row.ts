import { HelpdeskError } from '../../errors/index.ts'
import type {
  RunbookChangeKind,
  RunbookDocumentKind,
  RunbookVersion,
  RunbookWrite,
} from './runbook-store.ts'

/**
 * What every RunbookStore implementation shares besides its SQL: the stored row and its mapping
 * to a `RunbookVersion`, and the rule that turns one write of a batch into its next version (the
 * `baseVersion` check included), so the SQLite and PostgreSQL stores cannot drift apart.
 * @module
 */

/** One row of `runbook_versions`, as both databases return it. */
export interface RunbookVersionRow {
  kind: RunbookDocumentKind
  id: string
  /** PostgreSQL may return a BIGINT as text; SQLite a number. */
  version: number | string
  change: RunbookChangeKind
  text: string
  author: string
  reason: string
  at: string
}

export const RUNBOOK_VERSION_COLUMNS = 'kind, id, version, change, text, author, reason, at'

export function versionFromRow(row: RunbookVersionRow): RunbookVersion {
  return {
    kind: row.kind,
    id: row.id,
    version: Number(row.version),
    change: row.change,
    text: row.text,
    author: row.author,
    reason: row.reason,
    at: row.at,
  }
}

/** The columns of a version, in `RUNBOOK_VERSION_COLUMNS` order, for an INSERT. */
export function rowValues(
  version: RunbookVersion,
): [string, string, number, string, string, string, string, string] {
  return [
    version.kind,
    version.id,
    version.version,
    version.change,
    version.text,
    version.author,
    version.reason,
    version.at,
  ]
}

/**
 * The version one write makes, given the latest stored version of its id (undefined: none).
 * @throws {HelpdeskError} RUNBOOK_CONFLICT when `baseVersion` is given and is not the latest
 *   live version (0 when the document is absent or deleted).
 */
export function nextVersion(
  kind: RunbookDocumentKind,
  write: RunbookWrite,
  latest: { version: number; change: string } | undefined,
  who: { author: string; reason: string; at: string },
): RunbookVersion {
  const lastVersion = latest?.version ?? 0
  if (write.baseVersion !== undefined) {
    const live = latest && latest.change !== 'deleted' ? lastVersion : 0
    if (write.baseVersion !== live) {
      throw new HelpdeskError({
        code: 'RUNBOOK_CONFLICT',
        message: `${write.id} changed since version ${write.baseVersion} (now ${live === 0 ? 'absent' : `version ${live}`}); reload it and apply the change again`,
        details: { id: write.id, latest: live },
      })
    }
  }
  return {
    kind,
    id: write.id,
    version: lastVersion + 1,
    change: write.change,
    text: write.change === 'deleted' ? '' : write.text,
    author: who.author,
    reason: who.reason,
    at: who.at,
  }
}
