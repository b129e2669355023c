import { loadYamlSettings } from '../config/yaml-settings-file.ts'
import { HelpdeskError, isHelpdeskError } from '../errors/index.ts'
import { inventorySchema } from './inventory-schema.ts'
import type { InventoryRead, InventorySource } from './inventory-source.ts'

/**
 * The inventory as a YAML file (HELPDESK_INVENTORY): targets with how to reach them, and groups
 * of target names. Validated whole on every read.
 * @module
 */
export class YamlInventorySource implements InventorySource {
  readonly description: string
  private readonly file: string
  private readonly setting: string

  /** @param setting the variable that named the file, for error messages. */
  constructor(file: string, setting = 'HELPDESK_INVENTORY') {
    this.file = file
    this.setting = setting
    this.description = `file ${file}`
  }

  /** @throws {HelpdeskError} INVALID_CONFIGURATION naming the setting, the file, field and reason. */
  async read(): Promise<InventoryRead> {
    try {
      return { data: await loadYamlSettings(this.file, inventorySchema), skipped: [] }
    } catch (error) {
      if (!isHelpdeskError(error)) throw error
      throw new HelpdeskError({
        code: error.code,
        category: error.category,
        message: `${this.setting}: ${error.message}`,
        details: { ...error.details, variable: this.setting },
        cause: error,
      })
    }
  }
}
