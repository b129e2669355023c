import { HelpdeskError } from '../errors/index.ts'
import { activeDirectoryInventoryConfigFromEnvironment } from './active-directory-inventory-config.ts'
import { ActiveDirectoryInventorySource } from './active-directory-inventory-source.ts'
import { Inventory } from './inventory.ts'
import { type InventoryData, inventorySchema } from './inventory-schema.ts'
import type { InventorySource, SkippedMachine } from './inventory-source.ts'
import { YamlInventorySource } from './yaml-inventory-source.ts'

/**
 * Builds the server's inventory from its sources: the YAML file (HELPDESK_INVENTORY) and/or
 * Active Directory computer objects (HELPDESK_INVENTORY_AD=merge|replace). With `merge` both are
 * read and the file wins on conflict: a machine or group the file defines (any letter case) is
 * taken from the file whole, the directory's same-named one is dropped. With `replace` only the
 * directory is read. Read at start (an unreadable source stops the start, naming the setting),
 * then again every HELPDESK_INVENTORY_AD_REFRESH_MINUTES; a refresh that fails keeps the last
 * good inventory and says why in the log.
 * @module
 */

export interface OpenedInventory {
  inventory: Inventory
  sources: InventorySource[]
  /** Machines left out at the last read, with why (logged). */
  skipped: SkippedMachine[]
  /** Reads every source again and swaps the inventory's contents; throws and keeps them on failure. */
  refresh(): Promise<void>
  close(): void
}

export async function openInventory(options: {
  file?: string
  environment?: NodeJS.ProcessEnv
  log?: (line: string) => void
  /** For tests: the sources to read instead of those the settings name. */
  sources?: InventorySource[]
  refreshMinutes?: number
}): Promise<OpenedInventory | undefined> {
  const log = options.log ?? (() => undefined)
  const directory = activeDirectoryInventoryConfigFromEnvironment(
    options.environment ?? process.env,
  )
  let sources = options.sources
  if (!sources) {
    sources = []
    if (options.file && directory?.mode !== 'replace')
      sources.push(new YamlInventorySource(options.file))
    if (options.file && directory?.mode === 'replace')
      log(`inventory: HELPDESK_INVENTORY_AD=replace, so ${options.file} is not read`)
    if (directory)
      sources.push(
        new ActiveDirectoryInventorySource(directory, {
          environment: options.environment ?? process.env,
        }),
      )
  }
  if (sources.length === 0) return undefined
  const readAll = async () => {
    const reads = []
    for (const source of sources) reads.push(await source.read())
    return {
      data: mergeInventories(reads.map((each) => each.data)),
      skipped: reads.flatMap((each) => each.skipped),
    }
  }
  const first = await readAll()
  const inventory = new Inventory(first.data)
  const describe = (skipped: SkippedMachine[]) => {
    for (const each of skipped) log(`inventory: left out ${each.name}: ${each.reason}`)
  }
  describe(first.skipped)
  const opened: OpenedInventory = {
    inventory,
    sources,
    skipped: first.skipped,
    async refresh() {
      const next = await readAll()
      inventory.update(next.data)
      opened.skipped = next.skipped
      describe(next.skipped)
    },
    close: () => clearInterval(timer),
  }
  const minutes = options.refreshMinutes ?? directory?.refreshMinutes ?? 0
  // A slow directory must not pile refreshes up: one at a time, the next tick skipped meanwhile.
  let refreshing = false
  const timer =
    minutes > 0 && sources.some((source) => source instanceof ActiveDirectoryInventorySource)
      ? setInterval(() => {
          if (refreshing) return
          refreshing = true
          opened
            .refresh()
            .then(
              () => log(`inventory refreshed: ${inventory.list().length} machines`),
              (error: Error) =>
                log(`inventory refresh failed, keeping the last one read: ${error.message}`),
            )
            .finally(() => {
              refreshing = false
            })
        }, minutes * 60_000)
      : undefined
  timer?.unref()
  return opened
}

/**
 * The sources' data in order of precedence, first wins: a target or group already taken (any
 * letter case) is not taken again from a later source. The result is checked by the schema, so
 * a later source's group naming only a dropped machine still points at the winner's machine.
 */
export function mergeInventories(datas: readonly InventoryData[]): InventoryData {
  const targets: InventoryData['targets'] = []
  const groups: InventoryData['groups'] = {}
  const targetNames = new Set<string>()
  const groupNames = new Set<string>()
  for (const data of datas) {
    for (const target of data.targets) {
      if (targetNames.has(target.name.toUpperCase())) continue
      targetNames.add(target.name.toUpperCase())
      targets.push(target)
    }
    for (const [name, members] of Object.entries(data.groups)) {
      if (groupNames.has(name.toLowerCase())) continue
      groupNames.add(name.toLowerCase())
      groups[name] = [...members]
    }
  }
  const canonical = new Map(targets.map((target) => [target.name.toUpperCase(), target.name]))
  for (const [name, members] of Object.entries(groups)) {
    groups[name] = [
      ...new Set(members.map((member) => canonical.get(member.toUpperCase()) ?? member)),
    ]
  }
  const parsed = inventorySchema.safeParse({ targets, groups })
  if (!parsed.success) {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'SYSTEM',
      message: `HELPDESK_INVENTORY_AD: the merged inventory is not valid: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      details: { variable: 'HELPDESK_INVENTORY_AD' },
    })
  }
  return parsed.data
}
