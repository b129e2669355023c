import type { InventoryData } from '../inventory/inventory-schema.ts'
import { escapeRegExp, groupPatterns } from './request-groups.ts'

/**
 * Finds the machines and groups a request names, against the inventory: group names with
 * hyphen/space/plural variants and the aliases technicians use ("web boxes" for the group whose
 * members are web01..web04), machine names in any letter case, "all servers" / "every Linux
 * machine", and names that look like machines but are not in the inventory (reported, never
 * guessed). Every match blanks its span in the text it returns, so later readers do not see it again.
 * @module
 */

export interface FleetMachine {
  name: string
  os: 'linux' | 'windows' | 'macos'
  class: string
}

/** What the reader needs of an inventory: names, operating systems, classes and groups. */
export interface Fleet {
  machines: readonly FleetMachine[]
  groups: Readonly<Record<string, readonly string[]>>
}

export function fleetOf(data: Pick<InventoryData, 'targets' | 'groups'>): Fleet {
  return {
    machines: data.targets.map((target) => ({
      name: target.name,
      os: target.os,
      class: target.class ?? 'server',
    })),
    groups: data.groups,
  }
}

export interface RequestTargets {
  machines: string[]
  groups: string[]
  all: boolean
  os: 'linux' | 'windows' | null
  /**
   * Left out of the targets ("all web servers except web04"): machines and groups, sorted.
   * Absent when the request excludes nothing.
   */
  except?: { machines: string[]; groups: string[] }
}

export interface FoundTargets {
  targets: RequestTargets
  unknownMachines: string[]
  /** The text with every target mention blanked (same length, so positions hold). */
  rest: string
  /** "linux" / "windows" said outside a group name, for inventory questions. */
  osMentioned: 'linux' | 'windows' | null
  /**
   * "all servers" limits "all" to the server class, "every laptop" / "all the workstations" to
   * theirs; "every machine" does not.
   */
  allClass: 'server' | 'laptop' | 'workstation' | null
  /** Where each group or machine name was found, [start, end). */
  spans: Array<[number, number]>
  /** "all" said only as "everywhere" / "the whole fleet", never with machine words. */
  everywhereOnly: boolean
}

/**
 * An operating system as technicians name it: Linux by its distributions too, Windows as "win".
 * The inventory knows two, so a distribution's name means Linux.
 */
const OS_WORD =
  '(linux|windows|win|lnx|ubuntu|debian|rhel|red\\s*hat|centos|rocky|alma(?:linux)?|suse|sles|fedora)'
const ALL_OS = new RegExp(
  `\\b(?:(?:on|across|for)\\s+)?(?:all|every(?:\\s+single)?|each|(?<=\\b(?:on|across|from|for|to)\\s+)any)\\s+(?:(?:of\\s+)?(?:the|our)\\s+)?(?:${OS_WORD}\\s+)?(?:servers?|box(?:es)?|machines?|hosts?|nodes?|computers?|vms?|assets?|targets?)\\b`,
  'gi',
)
/** "the linux servers", "our windows boxes": every machine of that OS (group names come first). */
const THE_OS = new RegExp(
  `\\b(?:(?:on|across|for)\\s+)?(?:(?:the|our)\\s+|(?<=\\b(?:on|across|for|to|from)\\s+))(?:whole\\s+|entire\\s+)?${OS_WORD}\\s+(?:servers|box(?:es)|machines|hosts|nodes|vms|computers|fleet|estate)\\b`,
  'gi',
)

const OS_ALONE = new RegExp(
  `(?<=\\b(?:on|across|to|onto)\\s+)(?:all\\s+)?${OS_WORD}(?=\\s*(?:[.,;!?]|$|\\s+(?:only|too|as\\s+well|and\\s+(?:then|restart|start|stop|check|install|remove|update)|where|wherever|if|unless|tonight|today|now|asap|please|pls)\\b))`,
  'gi',
)

/** "linux", "win", "ubuntu" -> the inventory's operating system. */
function osOf(word: string | undefined): RequestTargets['os'] {
  if (!word) return null
  return /^win/i.test(word) ? 'windows' : 'linux'
}
/** "all laptops", "every workstation", "all the desktops": every machine of an employee class. */
const ALL_CLASS =
  /\b(?:(?:on|across|for|to)\s+)?(?:all|every(?:\s+single)?|each)\s+(?:(?:of\s+)?(?:the|our)\s+)?(?:(linux|windows|win)\s+)?(laptops?|notebooks?|workstations?|desktops?|pcs?)\b/gi
const EVERYWHERE =
  /\b(?:everywhere|(?:across\s+|on\s+)?(?:the|our)\s+(?:whole\s+|entire\s+)?(?:fleet|estate)|fleet-wide|estate-wide|(?<=^\s*|[:,;]\s*)(?:the\s+)?whole\s+(?:fleet|estate)|(?<=\b(?:on|across|to)\s+)everything(?!\s+(?:in|on|under|from|at)\b))\b/gi

function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + ' '.repeat(end - start) + text.slice(end)
}

const STEM_NOUN = /\b([A-Za-z]{2,12})[-\s]?(?:servers?|box(?:es)?|machines?|hosts?|nodes?|vms?)\b/gi

/** "domain controller(s)": a role of two words, read by its initials (dc01). */
const ROLE =
  /\b(?!(?:which|what|whose|the|all|our|both|any|some|those|these|each|every|other|two|three|four|of|on|to|from|in|for|and|or|prod|production|staging|test|dev|main|primary|secondary|backup|linux|windows|win|physical|virtual|remote|local|my|your|their)\b)([A-Za-z])[A-Za-z]+[-\s]+((?:controller|server)s?)\b/gi
/** "the DC", "on the fs": a stem of two or three letters said alone. */
const SHORT_STEM =
  /(?<=\b(?:the|on|from|across|to|at)\s+)([A-Za-z]{2,3})(?![-@.\w]|\s+(?:group|share|drive)\b)/gi

/** The letters a machine's name starts with: web01 -> web, app-win01 -> app. */
function stemOf(name: string): string {
  return /^([a-z]+)/i.exec(name)?.[1]?.toLowerCase() ?? ''
}

/**
 * The machines a word before a machine noun names: those whose names start with it ("app
 * servers" = app-win01, app-win02), or else those whose stem of three letters or more starts the
 * word ("the monitoring box" = mon01, "the application servers" = app-win01, app-win02), or else
 * those with a later part of the name that is the word ("the file server" = SRV-FILE-01).
 */
function machinesOfWord(fleet: Fleet, word: string): FleetMachine[] {
  const lowered = word.toLowerCase()
  const exact = fleet.machines.filter((machine) =>
    new RegExp(`^${escapeRegExp(lowered)}(?:-|\\d)`, 'i').test(machine.name),
  )
  if (exact.length > 0 || /^(?:linux|windows|win|all|every|each|any|the|our)$/.test(lowered))
    return exact
  const started = fleet.machines.filter((machine) => {
    const stem = stemOf(machine.name)
    return stem.length >= 3 && lowered.length > stem.length && lowered.startsWith(stem)
  })
  if (started.length > 0) return started
  // "the file server" = SRV-FILE-01: a word that is a part of the name, digits aside.
  const singular = lowered.replace(/s$/, '')
  if (singular.length < 3) return []
  return fleet.machines.filter((machine) =>
    machine.name
      .toLowerCase()
      .split('-')
      .slice(1)
      .some((part) => part.replace(/\d+$/, '').replace(/s$/, '') === singular),
  )
}

const RANGE =
  /\b([A-Za-z][A-Za-z-]*?)(\d+)\s*(?:through|thru|to|until|-|\u2013|\.\.)\s*(?:([A-Za-z][A-Za-z-]*?)?(\d+))\b(?![.:]\d)/gi

/** A token that looks like a machine name: letters, then digits at the end (web09, srv-legacy-02). */
const MACHINE_LIKE = /^[A-Za-z]{2,}[A-Za-z0-9]*(?:-[A-Za-z0-9]+)*\d+$/

export function findTargets(text: string, fleet: Fleet): FoundTargets {
  // A share path (\\fileserver\team) names a share, not the file-servers group.
  let rest = text.replace(/\\\\[^\s,;]+/g, (path) => ' '.repeat(path.length))
  const spans: Array<[number, number]> = []
  const groups = new Set<string>()
  const singular = new Set<string>()
  let groupOs: RequestTargets['os'] = null
  for (const { group, pattern } of groupPatterns(fleet)) {
    for (const match of rest.matchAll(pattern)) {
      groups.add(group)
      // "the dp box that's stuck, dp02": one box of the group, named later.
      if (/\b(?:server|box|machine|node|host|vm)$/i.test(match[0])) singular.add(group)
      // "the linux build agents": the members of that OS only.
      const named = /\b(linux|windows)\s+$/i.exec(rest.slice(0, match.index))?.[1]?.toLowerCase()
      if (named === 'linux' || named === 'windows') groupOs = named
      spans.push([match.index, match.index + match[0].length])
      rest = blank(rest, match.index, match.index + match[0].length)
    }
  }
  const byName = new Map(fleet.machines.map((machine) => [machine.name.toLowerCase(), machine]))
  const machines = new Set<string>()
  // "both app servers", "the print server": the machines whose names start with that stem
  // (app-win01, app-win02), when no group is called so.
  for (const match of rest.matchAll(STEM_NOUN)) {
    const named = machinesOfWord(fleet, match[1] ?? '')
    if (named.length === 0) continue
    for (const machine of named) machines.add(machine.name)
    spans.push([match.index, match.index + match[0].length])
    rest = blank(rest, match.index, match.index + match[0].length)
  }
  // "the domain controller" = dc01, "the DC": a role's initials, or a short stem said alone,
  // when they name one machine.
  for (const pattern of [ROLE, SHORT_STEM]) {
    for (const match of rest.matchAll(pattern)) {
      const stem = match
        .slice(1)
        .map((word) => (pattern === ROLE ? (word?.[0] ?? '') : (word ?? '')))
        .join('')
      const named = fleet.machines.filter((machine) => stemOf(machine.name) === stem.toLowerCase())
      if (named.length !== 1 || !named[0]) continue
      machines.add(named[0].name)
      spans.push([match.index, match.index + match[0].length])
      rest = blank(rest, match.index, match.index + match[0].length)
    }
  }
  // "web01 through web03", "web01-web03": every inventory machine of that stem in the range.
  for (const match of rest.matchAll(RANGE)) {
    const [, stem = '', from = '', secondStem = '', to = ''] = match
    if (stem.toLowerCase() !== (secondStem || stem).toLowerCase()) continue
    const low = Number(from)
    const high = Number(to)
    const inRange = fleet.machines.filter((machine) => {
      const parts = /^([A-Za-z][A-Za-z-]*?)(\d+)$/.exec(machine.name)
      return (
        parts?.[1]?.toLowerCase() === stem.toLowerCase() &&
        Number(parts[2]) >= low &&
        Number(parts[2]) <= high
      )
    })
    if (inRange.length === 0) continue
    for (const machine of inRange) machines.add(machine.name)
    spans.push([match.index, match.index + match[0].length])
    rest = blank(rest, match.index, match.index + match[0].length)
  }
  // "web-01", "web 01", "WEB1": the stem and number of an inventory name, spelled loosely.
  const byShape = machinesByShape(fleet)
  for (const match of rest.matchAll(
    /\b([A-Za-z][A-Za-z-]*?[A-Za-z])[-\s]?(\d{1,4})\b(?![.-]?\w)/g,
  )) {
    const exact = byName.get(match[0].toLowerCase())
    const machine = exact ?? byShape.get(shapeOf(match[1] ?? '', match[2] ?? ''))
    if (!machine || exact) continue
    machines.add(machine.name)
    spans.push([match.index, match.index + match[0].length])
    rest = blank(rest, match.index, match.index + match[0].length)
  }
  const unknownMachines = new Set<string>()
  for (const match of rest.matchAll(/[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]|[A-Za-z0-9]/g)) {
    // A share path (\\\\fs01\\projects) names a file server, not a machine to work on.
    if (/\\$/.test(rest.slice(0, match.index))) continue
    const token = match[0].replace(/'s$/i, '')
    const machine = byName.get(token.toLowerCase())
    if (machine) {
      machines.add(machine.name)
      spans.push([match.index, match.index + match[0].length])
      rest = blank(rest, match.index, match.index + match[0].length)
      continue
    }
    const before = rest.slice(Math.max(0, match.index - 12), match.index).toLowerCase()
    // "on web01.corp.local": the inventory machine by its domain name, where work is placed.
    const label = byName.get(token.split('.')[0]?.toLowerCase() ?? '')
    if (label && token.includes('.') && /(?:\bon|\bacross|\bto)\s*$/.test(before)) {
      machines.add(label.name)
      spans.push([match.index, match.index + match[0].length])
      rest = blank(rest, match.index, match.index + match[0].length)
      continue
    }
    if (MACHINE_LIKE.test(token) && /(?:\bon|\bfrom|\bserver|\band|,)\s*$/.test(before)) {
      unknownMachines.add(token)
      rest = blank(rest, match.index, match.index + match[0].length)
    }
  }
  let all = false
  let os: RequestTargets['os'] = groupOs
  let allClass: FoundTargets['allClass'] = null
  for (const match of rest.matchAll(ALL_OS)) {
    // "every server in windows-servers": the group (already found) says which.
    const inGroup = /^\s+(?:in|of|from)\b/i.test(rest.slice(match.index + match[0].length))
    if (inGroup && groups.size > 0) continue
    all = true
    os = osOf(match[1]) ?? os
    if (/servers?\b/i.test(match[0])) allClass = 'server'
    spans.push([match.index, match.index + match[0].length])
    rest = blank(rest, match.index, match.index + match[0].length)
  }
  for (const match of rest.matchAll(THE_OS)) {
    all = true
    os = osOf(match[1]) ?? os
    if (/servers\b/i.test(match[0])) allClass = 'server'
    spans.push([match.index, match.index + match[0].length])
    rest = blank(rest, match.index, match.index + match[0].length)
  }
  for (const match of rest.matchAll(ALL_CLASS)) {
    if (all) break
    all = true
    os = osOf(match[1]) ?? os
    allClass = /^(?:laptop|notebook)/i.test(match[2] ?? '') ? 'laptop' : 'workstation'
    spans.push([match.index, match.index + match[0].length])
    rest = blank(rest, match.index, match.index + match[0].length)
  }
  const allByMachineWords = all
  // "install 7zip on windows": the OS alone after a preposition is every machine of it, but like
  // "everywhere" it does not make a request fleet work by itself ("Outlook on windows crashes").
  for (const match of rest.matchAll(OS_ALONE)) {
    if (all) break
    all = true
    os = osOf(match[1]) ?? os
    spans.push([match.index, match.index + match[0].length])
    rest = blank(rest, match.index, match.index + match[0].length)
  }
  for (const match of rest.matchAll(EVERYWHERE)) {
    // "dp03 is timing out on everything": beside a named machine it is what, not where.
    if (/^everything$/i.test(match[0]) && (machines.size > 0 || groups.size > 0)) continue
    all = true
    rest = blank(rest, match.index, match.index + match[0].length)
  }
  for (const group of singular) {
    if ((fleet.groups[group] ?? []).some((member) => machines.has(member))) groups.delete(group)
  }
  // Both named ("linux vs windows"): no one OS.
  const osWords = new Set(
    [...rest.matchAll(/\b(linux|windows)\b/gi)].map((each) => each[1]?.toLowerCase()),
  )
  const osWord = osWords.size === 1 ? [...osWords][0] : undefined
  return {
    targets: {
      machines: [...machines].sort(),
      groups: [...groups].sort(),
      all,
      os,
    },
    unknownMachines: [...unknownMachines],
    rest,
    osMentioned: osWord === 'linux' || osWord === 'windows' ? osWord : null,
    allClass: all ? allClass : null,
    spans,
    everywhereOnly: all && !allByMachineWords,
  }
}

/** "web" + "1" and "web" + "01" are one shape: the letters without hyphens, the number's value. */
function shapeOf(stem: string, digits: string): string {
  return `${stem.toLowerCase().replace(/-/g, '')}#${Number(digits)}`
}

/** Inventory machines by shape, only where the shape names one machine. */
function machinesByShape(fleet: Fleet): Map<string, FleetMachine> {
  const shapes = new Map<string, FleetMachine | null>()
  for (const machine of fleet.machines) {
    const parts = /^([A-Za-z][A-Za-z-]*?[A-Za-z])-?(\d{1,4})$/.exec(machine.name)
    if (!parts) continue
    const shape = shapeOf(parts[1] ?? '', parts[2] ?? '')
    shapes.set(shape, shapes.has(shape) ? null : machine)
  }
  const unique = new Map<string, FleetMachine>()
  for (const [shape, machine] of shapes) if (machine) unique.set(shape, machine)
  return unique
}

export function hasTarget(found: Pick<FoundTargets, 'targets' | 'unknownMachines'>): boolean {
  const { targets } = found
  return (
    targets.all ||
    targets.machines.length > 0 ||
    targets.groups.length > 0 ||
    found.unknownMachines.length > 0
  )
}
