import { describe, expect, it } from 'vitest'
import { isHelpdeskError } from '../errors/index.ts'
import { CREDENTIAL_REFERENCE } from './credential-reference.ts'
import { inventorySchema } from './inventory-schema.ts'
import type { InventorySource } from './inventory-source.ts'

/** What an InventorySource implementation's test supplies. */
export interface InventorySourceContractInitializer {
  name: string
  /** A source holding at least two machines and at least one group. */
  create(): Promise<InventorySource>
  /** Sources that cannot be read (a missing file, an unreachable DC, a base DN that does not exist), each with the setting its error must name. */
  broken(): Promise<Array<{ source: InventorySource; setting: string }>>
}

export function runInventorySourceContract(initializer: InventorySourceContractInitializer): void {
  describe(`InventorySource contract: ${initializer.name}`, () => {
    it('reads machines and groups that the inventory schema accepts, every group member a machine', async () => {
      const { data } = await (await initializer.create()).read()
      expect(inventorySchema.safeParse(data).success).toBe(true)
      expect(data.targets.length).toBeGreaterThanOrEqual(2)
      expect(Object.keys(data.groups).length).toBeGreaterThanOrEqual(1)
      const names = new Set(data.targets.map((target) => target.name))
      expect(names.size).toBe(data.targets.length)
      for (const members of Object.values(data.groups)) {
        for (const member of members) expect(names.has(member)).toBe(true)
      }
    })

    it('gives credentials as references only, never a secret', async () => {
      const { data } = await (await initializer.create()).read()
      for (const target of data.targets) expect(target.credential).toMatch(CREDENTIAL_REFERENCE)
    })

    it('reads the same data twice when nothing changed', async () => {
      const source = await initializer.create()
      const first = await source.read()
      const second = await source.read()
      expect(second).toEqual(first)
    })

    it('says why each machine it left out was left out', async () => {
      const { skipped } = await (await initializer.create()).read()
      for (const each of skipped) {
        expect(each.name.length).toBeGreaterThan(0)
        expect(each.reason.length).toBeGreaterThan(5)
      }
    })

    it('refuses an unreadable source with INVALID_CONFIGURATION naming the setting to fix', async () => {
      const cases = await initializer.broken()
      expect(cases.length).toBeGreaterThan(0)
      for (const { source, setting } of cases) {
        const error = await source.read().then(
          () => undefined,
          (thrown: unknown) => thrown,
        )
        expect(isHelpdeskError(error), `${setting}: ${String(error)}`).toBe(true)
        if (!isHelpdeskError(error)) continue
        expect(error.code).toBe('INVALID_CONFIGURATION')
        expect(error.message.startsWith(`${setting}: `), error.message).toBe(true)
        expect(error.details.variable).toBe(setting)
      }
    })
  })
}
