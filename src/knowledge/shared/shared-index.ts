/**
 * One vector collection written by several processes (replicas on one PostgreSQL, one Chroma
 * server at CHROMA_URL). Without coordination two replicas would race: both embed the same
 * chunks at start, and a replica still holding an older runbook set would put it back over a
 * newer one (its ingest deletes the chunks it does not know and rewrites the ones it knows
 * differently). The embedded Chroma of a single machine has one writer and needs none of this.
 *
 * Contract:
 * - `exclusive` runs `work` while no other process runs `exclusive` for the same collection
 *   (waiting for it), and gives it the mark the last writer left: which runbook revision, built
 *   with which embedding fingerprint, the collection holds.
 * - The mark `work` returns is stored before the lock is let go; `undefined` leaves it as it is.
 * - A process that dies while holding the lock lets it go (its connection ends).
 * @module
 */

/** What the shared collection holds, as its last writer left it. */
export interface IndexMark {
  /** The runbook store's revision the chunks were built from. */
  revision: number
  /** The embedding function's fingerprint (the collection is rebuilt when it changes). */
  fingerprint: string
  /** How many chunks that set has. */
  chunks: number
}

export interface SharedIndex {
  /** Where the lock and the mark are, safe to log. */
  readonly description: string
  exclusive<T>(
    work: (mark: IndexMark | undefined) => Promise<{ result: T; mark?: IndexMark }>,
  ): Promise<T>
}
