import type { InventoryData } from './inventory-schema.ts'

/**
 * One place the inventory's machines and groups are read from: the YAML file
 * (`yaml-inventory-source.ts`) or Active Directory computer objects
 * (`active-directory-inventory-source.ts`). Contract (checked by
 * `inventory-source-contract.case.test.ts` for each implementation):
 * - `read()` gives data that `inventorySchema` accepts: unique target names, every group member a
 *   target, every credential a reference (never a secret);
 * - reading twice without a change in between gives the same data;
 * - a source that cannot be read throws HelpdeskError INVALID_CONFIGURATION whose message starts
 *   with the setting to fix (`HELPDESK_INVENTORY: ...`, `AD_URL: ...`) and whose
 *   `details.variable` names it; nothing is half-read;
 * - a machine the source holds but cannot describe in full (no account for its operating system,
 *   no pinned host key) is left out and listed in `skipped` with the reason, never guessed.
 * @module
 */
export interface InventorySource {
  /** Where it reads from, for logs: `file inventory.yaml`, `Active Directory ldaps://dc01 (OU=...)`. */
  readonly description: string
  read(): Promise<InventoryRead>
}

export interface InventoryRead {
  data: InventoryData
  skipped: SkippedMachine[]
}

export interface SkippedMachine {
  name: string
  reason: string
}
