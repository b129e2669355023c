/**
 * Where runbooks (and the out-of-scope hand-off topics) live once the server runs: the current
 * text of each and every version before it. `data/instructions/` only seeds an empty store; after
 * that the store is the source, so edits work with a read-only root file system and are shared
 * by every replica on the same database.
 *
 * Implementations: `SqliteRunbookStore` (the project's SQLite file, `node:sqlite`) and
 * `PostgresRunbookStore` (`DATABASE_URL`), both held to `runbook-store-contract.case.test.ts`;
 * what they share besides SQL is in `runbook-version-row.ts`.
 *
 * Contract:
 * - Documents are keyed by kind and id; a kind's documents are independent of another's.
 * - `apply` is atomic: every change of the batch gets its version, or none does (a failure
 *   changes nothing). Versions of an id count 1, 2, 3... and are never rewritten or removed.
 * - A deletion is a version too (kind `deleted`, empty text): the document leaves `current`,
 *   its earlier versions stay readable, and a later save or restore brings it back with the next
 *   version number.
 * - `baseVersion`, when given, must be the document's latest version (0: it must not exist or be
 *   deleted), or `apply` fails with `RUNBOOK_CONFLICT` and changes nothing: two editors cannot
 *   overwrite each other unseen.
 * - Batches from several connections (replicas) at once each get their own versions; none is lost.
 * - `revision` grows with every applied batch (of any kind), so a replica can tell cheaply that
 *   another one changed something.
 * @module
 */

export type RunbookDocumentKind = 'runbook' | 'out_of_scope'

/** How a version came to be. */
export type RunbookChangeKind =
  | 'seeded'
  | 'created'
  | 'updated'
  | 'deleted'
  | 'restored'
  | 'imported'

/** One version of one document. */
export interface RunbookVersion {
  kind: RunbookDocumentKind
  id: string
  version: number
  change: RunbookChangeKind
  /** The whole text (the Markdown of a runbook, the YAML of the out-of-scope topics); '' for a deletion. */
  text: string
  /** Who made it: a username, or `system` for seeding. */
  author: string
  /** ISO 8601 time it was written. */
  at: string
  /** Why, in the author's words. */
  reason: string
}

/** One change of a batch. */
export interface RunbookWrite {
  id: string
  change: RunbookChangeKind
  /** The new text; ignored (stored as '') for `deleted`. */
  text: string
  /** The latest version the author saw (0: none); omitted: no check. */
  baseVersion?: number
}

export interface RunbookStore {
  /** The latest version of each document of a kind that is not deleted, by id. */
  current(kind: RunbookDocumentKind): Promise<RunbookVersion[]>
  /** The deletion of each document of a kind whose latest version is one, by id. */
  deleted(kind: RunbookDocumentKind): Promise<RunbookVersion[]>
  /** Every version of a document, oldest first (deletions included); [] when it never existed. */
  versions(kind: RunbookDocumentKind, id: string): Promise<RunbookVersion[]>
  /** Whether any version of this kind was ever written (an emptied store is not re-seeded). */
  everWritten(kind: RunbookDocumentKind): Promise<boolean>
  /**
   * Writes a batch atomically, each write a new version by `author` for `reason`.
   * @throws {HelpdeskError} RUNBOOK_CONFLICT when a `baseVersion` is not the latest.
   */
  apply(
    kind: RunbookDocumentKind,
    writes: readonly RunbookWrite[],
    who: { author: string; reason: string },
  ): Promise<RunbookVersion[]>
  /** A number that grows with every applied batch. */
  revision(): Promise<number>
  close(): Promise<void>
}
