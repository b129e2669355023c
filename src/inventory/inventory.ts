import { loadYamlSettings } from '../config/yaml-settings-file.ts'
import { HelpdeskError } from '../errors/index.ts'
import { type InventoryData, inventorySchema, type Target } from './inventory-schema.ts'

/**
 * The machines the helpdesk may act on and the groups they form, read from the YAML file and/or
 * Active Directory (see inventory-loading.ts). One object for the server's lifetime: a refresh
 * replaces its contents with `update`, so everything holding it sees the new machines.
 */
export class Inventory {
  private targets: ReadonlyMap<string, Target>
  private groups: Readonly<Record<string, readonly string[]>>

  constructor(data: InventoryData) {
    this.targets = Inventory.index(data)
    this.groups = data.groups
  }

  /** Replaces the machines and groups at once (synchronously: no reader sees half of each). */
  update(data: InventoryData): void {
    this.targets = Inventory.index(data)
    this.groups = data.groups
  }

  private static index(data: InventoryData): ReadonlyMap<string, Target> {
    return new Map(data.targets.map((target) => [target.name.toUpperCase(), target]))
  }

  /** @throws {HelpdeskError} INVALID_CONFIGURATION naming the file, field and reason. */
  static async load(file: string): Promise<Inventory> {
    return new Inventory(await loadYamlSettings(file, inventorySchema))
  }

  list(): Target[] {
    return [...this.targets.values()]
  }

  /** The target of that name (any letter case), or undefined: for checks that must not throw. */
  find(name: string): Target | undefined {
    return this.targets.get(name.toUpperCase())
  }

  /** Target names are matched case-insensitively (LT-0423 = lt-0423). @throws {HelpdeskError} INVALID_INPUT */
  target(name: string): Target {
    const target = this.targets.get(name.toUpperCase())
    if (!target) {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: `unknown target "${name.slice(0, 80)}"; the inventory has: ${[...this.targets.values()].map((each) => each.name).join(', ') || 'no targets'}`,
      })
    }
    return target
  }

  /**
   * The member names of a group (any letter case), or undefined when there is no such group:
   * for the chat, where a group name is a guess from a sentence, not a typed argument.
   */
  members(name: string): Array<{ name: string; platform: Target['os'] }> | undefined {
    const wanted = name.toLowerCase()
    const found = Object.keys(this.groups).find((group) => group.toLowerCase() === wanted)
    return found
      ? (this.groups[found] ?? []).map((member) => {
          const target = this.target(member)
          return { name: target.name, platform: target.os }
        })
      : undefined
  }

  /** The group names, as the inventory spells them. */
  groupNames(): string[] {
    return Object.keys(this.groups)
  }

  /** @throws {HelpdeskError} INVALID_INPUT naming the known groups. */
  group(name: string): Target[] {
    const members = this.groups[name]
    if (!members) {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: `unknown group "${name.slice(0, 80)}"; the inventory has: ${Object.keys(this.groups).join(', ') || 'no groups'}`,
      })
    }
    return members.map((member) => this.target(member))
  }
}
