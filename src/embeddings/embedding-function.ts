/**
 * Turns texts into vectors for the knowledge store.
 *
 * Contract:
 * - `embed` returns one vector per input text, in input order, all of one length.
 * - The same text always yields the same vector for the same `fingerprint` (deterministic
 *   implementations) or the same model (remote ones).
 * - `fingerprint` names the function and every setting that changes its vectors. The knowledge
 *   store records it on the collection; a different fingerprint means stored vectors are stale and
 *   the collection is rebuilt, so vectors of two functions are never mixed.
 * - The fingerprint and `describe()` never contain a secret (an API key is referred to by the
 *   name of its environment variable).
 */
export interface EmbeddingFunction {
  /** Registry id, e.g. `local-hashing` or `openai`. */
  readonly id: string
  /** Stable identity of the vectors this function produces. */
  readonly fingerprint: string
  /**
   * @throws {HelpdeskError} EMBEDDING_FAILED when a remote endpoint fails or answers malformed data.
   */
  embed(texts: readonly string[]): Promise<number[][]>
}
