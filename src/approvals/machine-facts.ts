import type { Inventory } from '../inventory/inventory.ts'
import { machineClassOf } from '../inventory/inventory-schema.ts'
import type { MachineLookup } from './approval-request-builder.ts'

/**
 * What the approver's card says of a machine, from the inventory: its class (`server` when the
 * inventory does not say) and whom it is assigned to. Names match without case, as targets do.
 */
export function machineFactsFrom(inventory: Pick<Inventory, 'list'>): MachineLookup {
  return (name) => {
    const wanted = name.toUpperCase()
    const target = inventory.list().find((each) => each.name.toUpperCase() === wanted)
    if (!target) return undefined
    return {
      name: target.name,
      class: machineClassOf(target),
      assignedTo: [...(target.assignedTo ?? [])],
    }
  }
}
