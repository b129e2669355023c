import type { InventoryData, Target } from '../inventory/inventory-schema.ts'
import { machineClassOf } from '../inventory/inventory-schema.ts'
import { resolveTargets } from './build-workflow.ts'
import type { ReadRequest } from './request-reader.ts'

/**
 * Answers questions about the inventory at once, read-only, from the inventory itself: how many
 * machines (split by OS and class), one machine's details, which machines of a group match an OS
 * or class. Never shows credentials, not even their references.
 * @module
 */

const OS_NAMES: Readonly<Record<Target['os'], string>> = {
  linux: 'Linux',
  windows: 'Windows',
  macos: 'macOS',
}

export function answerInventoryQuestion(
  request: ReadRequest,
  inventory: Pick<InventoryData, 'targets' | 'groups'>,
): string {
  const operation = request.operations[0]?.operation ?? 'inventory.list'
  const unknown = request.unknownMachines.length
    ? `\nNot in the inventory: ${request.unknownMachines.join(', ')}.`
    : ''
  if (operation === 'inventory.describe') {
    const name = request.targets.machines[0]
    const target = inventory.targets.find((each) => each.name === name)
    return (
      (target ? describe(target, inventory) : `No machine named ${name} in the inventory.`) +
      unknown
    )
  }
  const machines = resolveTargets(request, inventory)
  const scope = scopeWords(request)
  if (operation === 'inventory.count') {
    return `${scope}: ${machines.length} machine${machines.length === 1 ? '' : 's'}${machines.length ? ` (${breakdown(machines)})` : ''}.${unknown}`
  }
  if (machines.length === 0) return `${scope}: no machines.${unknown}`
  const rows = machines.map(
    (target) => `- ${target.name}: ${OS_NAMES[target.os]} ${machineClassOf(target)}`,
  )
  return `${scope}: ${machines.length} machine${machines.length === 1 ? '' : 's'} (${breakdown(machines)})\n${rows.join('\n')}${unknown}`
}

function scopeWords(request: ReadRequest): string {
  const { groups, machines, all, os } = request.targets
  const where = all
    ? 'In the inventory'
    : [
        ...groups.map((group) => `group ${group}`),
        ...(machines.length ? [machines.join(', ')] : []),
      ].join(' and ')
  const filters = [
    os ? OS_NAMES[os] : '',
    request.machineClass ? `${request.machineClass}s` : '',
  ].filter(Boolean)
  const scoped = filters.length ? `${where}, ${filters.join(' ')} only` : where
  // "apart from the build agents": said back, so the count is read as meant.
  const left = request.targets.except
  const without = left
    ? [...left.groups.map((group) => `group ${group}`), ...left.machines].join(', ')
    : ''
  return without ? `${scoped}, without ${without}` : scoped
}

function breakdown(machines: readonly Target[]): string {
  const byOs = new Map<string, number>()
  const byClass = new Map<string, number>()
  for (const target of machines) {
    byOs.set(OS_NAMES[target.os], (byOs.get(OS_NAMES[target.os]) ?? 0) + 1)
    byClass.set(machineClassOf(target), (byClass.get(machineClassOf(target)) ?? 0) + 1)
  }
  const join = (counts: Map<string, number>) =>
    [...counts].map(([name, count]) => `${count} ${name}`).join(', ')
  return `${join(byOs)}; ${join(byClass)}`
}

function describe(target: Target, inventory: Pick<InventoryData, 'groups'>): string {
  const groups = Object.entries(inventory.groups)
    .filter(([, members]) =>
      members.some((member) => member.toLowerCase() === target.name.toLowerCase()),
    )
    .map(([group]) => group)
  return [
    `${target.name}: ${OS_NAMES[target.os]} ${machineClassOf(target)}`,
    `- reached over ${target.transport} at ${target.host}${target.port ? `:${target.port}` : ''} as ${target.username}`,
    `- groups: ${groups.join(', ') || 'none'}`,
    `- assigned to: ${target.assignedTo?.length ? target.assignedTo.join(', ') : 'nobody (a shared machine)'}`,
    ...(target.organizationalUnit
      ? [`- in the directory under: ${target.organizationalUnit}`]
      : []),
    ...(target.description ? [`- description: ${target.description}`] : []),
  ].join('\n')
}
