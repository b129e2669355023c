import type { ReadRequest } from './request-reader.ts'
import type { Fleet } from './request-targets.ts'

/**
 * How a technician's message becomes an operation request (docs/operations.md): the one
 * swappable part between the chat's words and the operations desk. Two implementations, each in
 * its own file and both run through one contract suite (operation-request-reader.contract.ts):
 * - `OfflineRequestReader` (offline-request-reader.ts): the deterministic rules, the default;
 * - `ModelRequestReader` (model-request-reader.ts): a configured LLM composes the steps from the
 *   catalog, its answer checked whole (catalog ids, typed parameters given in the message,
 *   inventory names) and the offline reading kept when it is not valid.
 *
 * Every implementation answers with the catalog's ids only, targets from the inventory (names it
 * cannot find in `unknownMachines`), parameter values as the message wrote them, and never
 * throws for what a message says: a reader that cannot read a message says `employee` or asks
 * back (`clarify`).
 */
export interface OperationRequestReader {
  /** For the start-up log: "the offline rules", "llama3.1 at http://...". */
  readonly description: string
  read(message: string, fleet: Fleet): Promise<ReadRequest>
}
