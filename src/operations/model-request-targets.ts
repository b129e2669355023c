import { escapeRegExp } from './request-groups.ts'
import { type Fleet, findTargets, type RequestTargets } from './request-targets.ts'

/**
 * The targets of a model's composed request, held to the message: every machine and group must
 * be one the message names (typed, or found by the rules' target finder: "the web tier", "db01
 * to db02", a group's members), "all" needs the message to say all/every/everywhere/the fleet,
 * an operating system needs the message to say it. A model can narrow or read what the rules
 * missed in the words; it cannot add a machine, a group or the whole fleet nobody asked for.
 * Names typed but unknown to the inventory are reported as unknown, never run.
 * @module
 */

export type CheckedTargets =
  | { ok: true; targets: RequestTargets; unknown: string[]; machineClass: string | null }
  | { ok: false; reason: string }

const SAYS_ALL =
  /\b(?:all|every|each|everything|everywhere|fleet|fleet-wide|estate|whole|entire|any)\b/i
const SAYS_OS: Record<'linux' | 'windows', RegExp> = {
  linux:
    /\b(?:linux|lnx|ubuntu|debian|rhel|red\s*hat|centos|rocky|alma(?:linux)?|suse|sles|fedora)\b/i,
  windows: /\b(?:windows|win)\b/i,
}

export function checkTargets(given: RequestTargets, message: string, fleet: Fleet): CheckedTargets {
  const found = findTargets(message, fleet)
  const machineNames = new Map(
    fleet.machines.map((machine) => [machine.name.toLowerCase(), machine.name]),
  )
  const groupNames = new Map(Object.keys(fleet.groups).map((group) => [group.toLowerCase(), group]))
  const namedMachines = new Set(found.targets.machines.map((name) => name.toLowerCase()))
  for (const group of found.targets.groups)
    for (const member of fleet.groups[group] ?? []) namedMachines.add(member.toLowerCase())
  const namedGroups = new Set(found.targets.groups.map((group) => group.toLowerCase()))
  const unknown: string[] = []
  const resolve = (list: readonly string[], what: 'machine' | 'group'): string[] | string => {
    const known = what === 'machine' ? machineNames : groupNames
    const named = what === 'machine' ? namedMachines : namedGroups
    const resolved: string[] = []
    for (const name of list) {
      const lowered = name.toLowerCase()
      const real = known.get(lowered)
      const typed = writtenIn(message, name)
      if (real !== undefined && (typed || named.has(lowered))) resolved.push(real)
      else if (real !== undefined) return `the message does not name the ${what} "${real}"`
      // A name the technician typed that the inventory does not know: reported, never run.
      else if (what === 'machine' && typed) unknown.push(name)
      else return `"${name.slice(0, 64)}" is no ${what} of the inventory`
    }
    return [...new Set(resolved)].sort()
  }
  const machines = resolve(given.machines, 'machine')
  if (typeof machines === 'string') return { ok: false, reason: machines }
  const groups = resolve(given.groups, 'group')
  if (typeof groups === 'string') return { ok: false, reason: groups }
  if (given.all && !found.targets.all && !SAYS_ALL.test(message))
    return { ok: false, reason: 'the message does not ask for every machine' }
  if (given.os && found.targets.os !== given.os && !SAYS_OS[given.os].test(message))
    return { ok: false, reason: `the message does not say ${given.os}` }
  const targets: RequestTargets = { machines, groups, all: given.all, os: given.os }
  if (given.except) {
    const leftMachines = resolve(given.except.machines, 'machine')
    if (typeof leftMachines === 'string') return { ok: false, reason: leftMachines }
    const leftGroups = resolve(given.except.groups, 'group')
    if (typeof leftGroups === 'string') return { ok: false, reason: leftGroups }
    if (leftMachines.length > 0 || leftGroups.length > 0) {
      const left = new Set(leftMachines)
      targets.machines = machines.filter((name) => !left.has(name))
      targets.except = { machines: leftMachines, groups: leftGroups }
    }
  }
  // "all servers" limits all to servers, "every laptop" to laptops: the class the words say.
  const machineClass = given.all ? found.allClass : null
  return { ok: true, targets, unknown: [...new Set(unknown)], machineClass }
}

/** The value as a word (or path) of its own in the message, any letter case. */
export function writtenIn(message: string, value: string): boolean {
  const escaped = escapeRegExp(value)
  // Whole: "/var" is not written in "/var/log/app", nor "nginx" in "nginx-extras"; a full stop
  // after a name ends the sentence.
  return new RegExp(
    `(?<![A-Za-z0-9_/\\\\.-])${escaped}(?![A-Za-z0-9_/\\\\]|[.:-][A-Za-z0-9])`,
    'i',
  ).test(message)
}
