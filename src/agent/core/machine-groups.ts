import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import { validateParameter } from './parameter-validation.ts'
import { parameterSpec } from './slot-filling.ts'

/** A machine of a group: its inventory name and operating system. */
export interface GroupMember {
  name: string
  platform: string
}

/**
 * The machine groups of the inventory, for requests about many machines at once ("the laptops
 * in the finance group are running slow"): a group's members, or undefined for a name that is
 * not a group. Names compare case-insensitively.
 */
export type MachineGroups = (name: string) => readonly GroupMember[] | undefined

const MACHINES = '(?:laptops?|machines?|computers?|pcs?|workstations?|desktops?|devices?|hosts?)'
const NAME = '["\'`]?([A-Za-z0-9][A-Za-z0-9._-]{0,62})["\'`]?'

/**
 * How people name a group of machines. Each captures a candidate only: it counts when the
 * inventory has a group of that name, so prose ("all the laptops in the office") never matches.
 */
const GROUP_PATTERNS: readonly RegExp[] = [
  // "every machine in the finance group", "the laptops of the finance team"
  new RegExp(
    `\\b${MACHINES}\\s+(?:in|of|from)\\s+(?:the\\s+)?${NAME}\\s+(?:group|team|department)\\b`,
    'i',
  ),
  // "machine group finance", "the laptop group named finance"
  new RegExp(
    `\\b(?:machine|computer|device|host|laptop)\\s+group\\s+(?:called\\s+|named\\s+)?${NAME}`,
    'i',
  ),
  // "all finance laptops", "every finance machine"
  new RegExp(
    `\\b(?:all|every|each)\\s+(?:of\\s+)?(?:the\\s+|our\\s+)?${NAME}\\s+${MACHINES}\\b`,
    'i',
  ),
  // "the finance team's laptops", "finance group's machines"
  new RegExp(`\\b${NAME}\\s+(?:group|team|department)'s\\s+${MACHINES}\\b`, 'i'),
  // "on group finance", "for the group finance"
  /\b(?:on|for|to)\s+(?:the\s+)?group\s+["'`]?([A-Za-z0-9][A-Za-z0-9._-]{0,62})["'`]?/i,
]

/** The machine group a message names, with its members, when the inventory has it. */
export function findMachineGroup(
  message: string,
  groups: MachineGroups | undefined,
): { name: string; members: readonly GroupMember[] } | undefined {
  if (!groups) return undefined
  for (const pattern of GROUP_PATTERNS) {
    const candidate = pattern.exec(message)?.[1]
    if (!candidate) continue
    const members = groups(candidate)
    if (members && members.length > 0) return { name: candidate.toLowerCase(), members }
  }
  return undefined
}

/** The runbook's machine parameter, when it runs on one (a `hostname`). */
export function machineParameterOf(instruction: Instruction): string | undefined {
  return instruction.parameters.find((parameter) => parameter.kind === 'hostname')?.name
}

/** The runbook's operating-system parameter: for a group, each machine's own, from the inventory. */
export function platformParameterOf(instruction: Instruction): string | undefined {
  return instruction.parameters.find((parameter) => parameter.kind === 'platform')?.name
}

/**
 * The machines of a group the message names, for a runbook that runs on a machine (and not
 * while another of its parameters is being answered): per machine, the values of its machine
 * parameter and, when the runbook has one, its platform.
 */
export function machinesOf(
  instruction: Instruction,
  message: string,
  answering: string | undefined,
  groups: MachineGroups | undefined,
): { name: string; members: Array<Record<string, string>> } | undefined {
  const parameter = machineParameterOf(instruction)
  if (!parameter || (answering && answering !== parameter)) return undefined
  const group = findMachineGroup(message, groups)
  const spec = parameterSpec(instruction, parameter)
  if (!group || !spec) return undefined
  const platform = platformParameterOf(instruction)
  const platformSpec = platform ? parameterSpec(instruction, platform) : undefined
  const members = group.members.flatMap((member) => {
    const name = validateParameter(spec, member.name)
    if (!name.ok) return []
    const values: Record<string, string> = { [parameter]: name.value }
    const system = platformSpec ? validateParameter(platformSpec, member.platform) : undefined
    if (platform && system?.ok) values[platform] = system.value
    return [values]
  })
  return members.length > 0 ? { name: group.name, members } : undefined
}
