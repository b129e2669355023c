import {
  asksTheInventory,
  clarifyingQuestion,
  namesTheFleet,
  ownTrouble,
} from './request-fallback.ts'
import { applyLexicon } from './request-lexicon.ts'
import { findOperations, type ReadOperation } from './request-operations.ts'
import {
  type Fleet,
  type FoundTargets,
  findTargets,
  hasTarget,
  type RequestTargets,
} from './request-targets.ts'
import type { WorkflowCondition } from './workflow.ts'

/**
 * The offline, deterministic reader of operation requests: a technician's sentence becomes the
 * evaluation record of docs/operations.md (kind, operations in order with the parameters the text
 * gives, targets resolved against the inventory, condition), plus the machine names it could not
 * find. No model, no network: the same text always reads the same.
 * @module
 */

export type RequestKind = 'operation' | 'inventory' | 'employee'

export interface OperationRequest {
  kind: RequestKind
  operations: ReadOperation[]
  targets: RequestTargets
  condition: WorkflowCondition | null
}

export interface ReadRequest extends OperationRequest {
  /** Names that look like machines but are not in the inventory. */
  unknownMachines: string[]
  /** A class the request limits "all" to ("all servers", "how many laptops"), or null. */
  machineClass: string | null
  /**
   * Fleet work the reader could not read in full (request-fallback.ts): the question to ask back
   * ("Which service should I restart on web01?"); null when the request was read whole.
   */
  clarify: string | null
}

const SUBJECT = String.raw`(?:it\s+is\s+|it's\s+|its\s+|they\s+are\s+|they're\s+|(?:the\s+)?[A-Za-z0-9][A-Za-z0-9@._-]*\s+(?:service\s+|process\s+|package\s+)?(?:is|are)\s+)?(?:actually\s+|currently\s+|really\s+)?`

const CONDITIONS: ReadonlyArray<[WorkflowCondition, RegExp]> = [
  // "unless it's already installed": the work is only where it is not.
  [
    'only-where-running',
    new RegExp(String.raw`\bunless\s+${SUBJECT}(?:stopped|not\s+running|down)\b`, 'gi'),
  ],
  [
    'only-where-stopped',
    new RegExp(String.raw`\bunless\s+${SUBJECT}(?:already\s+)?running\b`, 'gi'),
  ],
  [
    'only-where-installed',
    new RegExp(String.raw`\bunless\s+${SUBJECT}(?:missing|not\s+installed)\b`, 'gi'),
  ],
  [
    'only-where-missing',
    new RegExp(
      String.raw`\bunless\s+${SUBJECT}(?:already\s+)?(?:installed|there|present|on\s+there)\b`,
      'gi',
    ),
  ],
  // "skip the ones where it is not running": the work is only where it runs.
  [
    'only-where-running',
    /\bskip(?:ping)?\s+(?:the\s+ones|those|any|machines|hosts|servers|boxes)?\s*(?:where|if|that)\s+(?:it\s+is\s+|it's\s+|they\s+are\s+|they're\s+|(?:is|are)\s+)?(?:not\s+running|stopped|down)\b/gi,
  ],
  [
    'only-where-stopped',
    /\bskip(?:ping)?\s+(?:the\s+ones|those|any|machines|hosts|servers|boxes)?\s*(?:where|if|that)\s+(?:it\s+is\s+|it's\s+|they\s+are\s+|they're\s+|(?:is|are)\s+)?(?:already\s+)?running\b/gi,
  ],
  [
    'only-where-missing',
    /\bskip(?:ping)?\s+(?:the\s+ones|those|any|machines|hosts|servers|boxes)?\s*(?:where|if|that)\s+(?:it\s+is\s+|it's\s+|they\s+are\s+|they're\s+|(?:is|are|have\s+it|has\s+it)\s+)?(?:already\s+)?installed\b/gi,
  ],
  [
    'only-where-installed',
    /\bskip(?:ping)?\s+(?:the\s+ones|those|any|machines|hosts|servers|boxes)?\s*(?:where|if|that)\s+(?:it\s+is\s+|it's\s+|they\s+are\s+|they're\s+|(?:is|are)\s+)?(?:not\s+installed|missing)\b/gi,
  ],
  // "stop telegraf wherever it runs": the plain verb says the same as "is running".
  [
    'only-where-running',
    /(?:\bwhere(?:ver)?|(?<=every)where)\s+(?:it|they|the\s+service|that\s+service|the\s+process)\s+(?:still\s+)?(?:runs|run)\b/gi,
  ],
  // "is redis running? if not, start it": the start is only where it is not running.
  ['only-where-stopped', /\b(?<=[?.,;]\s*)if\s+not\b/gi],
  ['only-where-running', /\b(?<=[?.,;]\s*)if\s+(?:so|it\s+is|yes)\b/gi],
  // "restart it if it isn't", "the build agents that have it running".
  [
    'only-where-stopped',
    /\b(?:if|where|when)\s+(?:(?:it|they)\s+(?:isn't|is\s+not|aren't|are\s+not)|it's\s+not|its\s+not|they're\s+not)(?:\s+(?:running|up|active))?\b(?!\s+(?:installed|there|present))/gi,
  ],
  [
    'only-where-running',
    /\b(?:that|which|where\s+they|where\s+it)\s+(?:have|has)\s+it\s+running\b/gi,
  ],
  [
    'only-where-stopped',
    /\b(?:that|which|where\s+they|where\s+it)\s+(?:have|has)\s+it\s+stopped\b/gi,
  ],
  ['only-where-installed', /\b(?:that|which)\s+(?:have|has)\s+it\s+installed\b/gi],
  [
    'only-where-missing',
    /\b(?:that|which)\s+(?:don't|do\s+not|doesn't|does\s+not)\s+have\s+it(?:\s+installed|\s+yet)?\b/gi,
  ],
  // "only on the ones where nginx is running", "only if the service is stopped".
  [
    'only-where-stopped',
    new RegExp(
      String.raw`(?:\bonly\s+(?:on\s+(?:the\s+)?(?:ones|machines|hosts|servers|boxes)\s+)?(?:where|if|when)|\bwhere(?:ver)?|(?<=every)where)\s+${SUBJECT}(?:stopped|not\s+running|down|inactive)\b`,
      'gi',
    ),
  ],
  [
    'only-where-running',
    new RegExp(
      String.raw`(?:\bonly\s+(?:on\s+(?:the\s+)?(?:ones|machines|hosts|servers|boxes)\s+)?(?:where|if|when)|\bwhere(?:ver)?|(?<=every)where)\s+${SUBJECT}(?:still\s+)?(?:running|active)\b`,
      'gi',
    ),
  ],
  [
    'only-where-missing',
    new RegExp(
      String.raw`(?:\bonly\s+(?:on\s+(?:the\s+)?(?:ones|machines|hosts|servers|boxes)\s+)?(?:where|if|when)|\bwhere(?:ver)?|(?<=every)where)\s+${SUBJECT}(?:missing|absent|not\s+(?:yet\s+)?installed)\b`,
      'gi',
    ),
  ],
  [
    'only-where-installed',
    new RegExp(
      String.raw`(?:\bonly\s+(?:on\s+(?:the\s+)?(?:ones|machines|hosts|servers|boxes)\s+)?(?:where|if|when)|\bwhere(?:ver)?|(?<=every)where)\s+${SUBJECT}(?:already\s+)?(?:installed|present)\b`,
      'gi',
    ),
  ],
  [
    'only-where-stopped',
    /\b(?:but\s+)?(?:only\s+)?(?:where(?:ver)?|if|when)\s+(?:it\s+is\s+|it's\s+|its\s+|they\s+are\s+|they're\s+)?(?:stopped|not\s+running|down|inactive)\b/gi,
  ],
  [
    'only-where-running',
    /\b(?:but\s+)?(?:only\s+)?(?:where(?:ver)?|if|when)\s+(?:it\s+is\s+|it's\s+|its\s+|they\s+are\s+|they're\s+)?(?:still\s+)?(?:running|active|up)\b/gi,
  ],
  [
    'only-where-missing',
    /\b(?:but\s+)?(?:only\s+)?(?:where(?:ver)?|if|when)\s+(?:it\s+is\s+|it's\s+|its\s+|they\s+are\s+|they're\s+)?(?:missing|absent|not\s+(?:yet\s+)?installed)\b/gi,
  ],
  [
    'only-where-installed',
    /\b(?:but\s+)?(?:only\s+)?(?:where(?:ver)?|if|when)\s+(?:it\s+is\s+|it's\s+|its\s+|they\s+are\s+|they're\s+)?(?:already\s+)?(?:installed|present)\b/gi,
  ],
]

/** Questions about the fleet itself, answered from the inventory. */
const INVENTORY_QUESTION =
  /^\s*(?:(?:hey|so|ok|quick question)[,:]?\s+)?(?:(?:can|could|would)\s+(?:you|someone|somebody)\s+(?:please\s+)?(?=(?:give|get|send|pull|list|count)\b))?(?:how\s+many\b|count\b|list\b|which\b|what\s+(?:linux\s+|windows\s+)?(?:machines|servers|boxes|computers|assets|laptops|workstations)\b|what(?:'s|\s+is)\s+in\b|(?:who\s+are\s+the\s+)?members\s+of\b|tell\s+me\s+(?:everything\s+|all\s+|more\s+)?about\b|details?\s+(?:for|of|about|on)\b|what\s+os\b|who\s+is\b|show\s+(?:me\s+)?all\b|show\s+me\s+\S+'s\s+details\b|what\s+is\s+[A-Za-z0-9-]+\s*(?:[?,]|$)|whose\b|who(?:'s|\s+is)\s+(?:it\s+|[A-Za-z0-9-]+\s+)?(?:assigned|owned|used)\b|(?:show|give)\s+(?:me\s+)?(?:the\s+)?(?:details|specs|info(?:rmation)?)\b|what\s+groups?\b|which\s+groups?\b|what(?:'s|s|\s+is)\s+the\s+(?:os|operating\s+system|class|address|ip)\b|(?:give|get|send|pull)\s+(?:me\s+)?(?:up\s+)?(?:a\s+|the\s+)?(?:full\s+|complete\s+|quick\s+)?(?:count|number|list(?:ing)?|breakdown|rundown|inventory)\b|(?:the\s+)?number\s+of\b|(?:do\s+we\s+have|are\s+there)\s+any\s+(?:linux\s+|windows\s+|macos\s+)?(?:machines|servers|boxes|computers|laptops|workstations|hosts)\b|describe\b|where\s+is\b|what(?:'s|\s+is|\s+does)\s+(?:the\s+|our\s+)?(?:inventory|fleet)\b|info(?:rmation)?\s+(?:on|about|for)\b)/i

const CLASSES: ReadonlyArray<[string, RegExp]> = [
  ['laptop', /\blaptops?\b/i],
  ['workstation', /\b(?:workstations?|desktops?)\b/i],
  ['server', /\bservers\b/i],
]

export function readOperationRequest(typed: string, fleet: Fleet): ReadRequest {
  const text = applyLexicon(typed)
  const names = new Set(fleet.machines.map((machine) => machine.name.toLowerCase()))
  const machines = { isMachine: (token: string) => names.has(token.toLowerCase()) }
  let rest = text
  let condition: WorkflowCondition | null = null
  let everywhere = false
  let wherever = false
  for (const [kind, pattern] of CONDITIONS) {
    for (const match of rest.matchAll(pattern)) {
      condition ??= kind
      // "wherever it runs" with no machine or group named: every machine where it runs.
      if (/^wherever\b/i.test(match[0])) wherever = true
      // "everywhere it is running": the condition took "where", the "every" still means all.
      if (/\bevery$/i.test(rest.slice(0, match.index))) {
        everywhere = true
        rest = `${rest.slice(0, match.index - 5)}${' '.repeat(5)}${rest.slice(match.index)}`
      }
      rest =
        rest.slice(0, match.index) +
        ' '.repeat(match[0].length) +
        rest.slice(match.index + match[0].length)
    }
  }

  if (INVENTORY_QUESTION.test(withoutGreeting(text)) && aboutTheFleet(text, fleet))
    return inventoryQuestion(text, fleet)

  const named = findTargets(rest, fleet).spans
  const { operations, valueSpans, unread } = findOperations(rest, {
    ...machines,
    targetAt: (index) => named.some(([start, end]) => index >= start && index < end),
  })
  for (const [start, end] of valueSpans) {
    rest = rest.slice(0, start) + ' '.repeat(end - start) + rest.slice(end)
  }
  const found = withoutContext(rest, fleet)
  if (wherever && !hasTarget(found)) everywhere = true
  if (operations.length === 0 || !(hasTarget(found) || everywhere))
    return fallBack(text, fleet, found, unread, everywhere)
  // Only unknown names, or only laptops and workstations, asked about in the first person.
  if (ownMachineOnly(text, found.targets, fleet)) return employee()
  // "all machines running Linux": the OS said anywhere limits "all".
  const all = found.targets.all || everywhere
  const targets =
    all && found.targets.os === null && found.osMentioned
      ? { ...found.targets, all, os: found.osMentioned }
      : { ...found.targets, all }
  return {
    kind: 'operation',
    operations,
    targets,
    condition,
    unknownMachines: found.unknownMachines,
    machineClass: found.allClass,
    clarify: null,
  }
}

/**
 * Nothing read in full: still fleet work when the text names servers, groups or the fleet
 * (request-fallback.ts), an inventory question when it only asks; otherwise an employee's request.
 */
function fallBack(
  text: string,
  fleet: Fleet,
  found: FoundTargets,
  unread: readonly string[],
  everywhere: boolean,
): ReadRequest {
  if (!(everywhere || namesTheFleet(found, fleet))) return employee()
  if (ownMachineOnly(text, found.targets, fleet) || ownTrouble(text)) return employee()
  if (unread.length === 0 && asksTheInventory(text)) return inventoryQuestion(text, fleet)
  const targets = { ...found.targets, all: found.targets.all || everywhere }
  return {
    kind: 'operation',
    operations: [],
    targets,
    condition: null,
    unknownMachines: found.unknownMachines,
    machineClass: found.allClass,
    clarify: clarifyingQuestion(text, targets, unread),
  }
}

/**
 * "shut down postgresql on db02, we're failing over to db01": a machine named as where the work
 * moves to is context, not a target, when the sentence names targets besides it.
 */
const MOVES_TO =
  /\b(?:fail(?:ing|ed)?\s+over|cut(?:ting)?\s+over|mov(?:e|ed|ing)|migrat(?:e|ed|ing)|switch(?:ed|ing)?|mov(?:ing|ed)\s+traffic)\s+(?:over\s+)?to\s+(?:the\s+)?[A-Za-z0-9][A-Za-z0-9._-]*/gi

function withoutContext(text: string, fleet: Fleet): FoundTargets {
  const stripped = text.replace(MOVES_TO, (phrase) => ' '.repeat(phrase.length))
  if (stripped !== text) {
    const found = findTargets(stripped, fleet)
    if (hasTarget(found)) return found
  }
  return findTargets(text, fleet)
}

/** "quick q - how many build agents", "hi team, which ...": the question after the greeting. */
export function withoutGreeting(text: string): string {
  return text.replace(
    /^\s*(?:(?:hi|hey|hello|yo|so|ok|okay|btw|also|team|all|folks|quick\s+(?:q|question|one)|question)\b[\s,:;!.-]*)+/i,
    '',
  )
}

/** "how many holiday days" is not about the fleet: a question must name machines or the inventory. */
const FLEET_NOUNS =
  /\b(?:machines?|servers?|box(?:es)?|computers?|assets?|hosts?|devices?|laptops?|workstations?|desktops?|inventory|fleet|group|linux|windows|nodes?|vms?)\b/i

function aboutTheFleet(text: string, fleet: Fleet): boolean {
  if (FLEET_NOUNS.test(text)) return true
  const found = findTargets(text, fleet)
  return found.targets.machines.length > 0 || found.targets.groups.length > 0
}

/**
 * "Please install Visio on LT-0423, my laptop": an employee's request about their own
 * workstation or laptop (or a machine the inventory does not know) goes to the employee
 * runbooks, not to fleet operations.
 */
function ownMachineOnly(text: string, targets: RequestTargets, fleet: Fleet): boolean {
  if (!/\b(?:my|I|I'm|I'll|I've|me|our|we)\b/i.test(text)) return false
  if (targets.all || targets.groups.length > 0) return false
  const classes = new Map(fleet.machines.map((machine) => [machine.name, machine.class]))
  return targets.machines.every((name) => /^(?:laptop|workstation)$/.test(classes.get(name) ?? ''))
}

function inventoryQuestion(text: string, fleet: Fleet): ReadRequest {
  const found = findTargets(text, fleet)
  const { machines, groups } = found.targets
  const counting = /\b(?:how\s+many|count|number\s+of)\b/i.test(text)
  const operation = counting
    ? 'inventory.count'
    : // One machine named and nothing counted: its details, whatever the question asks of it.
      machines.length === 1 && groups.length === 0
      ? 'inventory.describe'
      : 'inventory.list'
  const all = machines.length === 0 && groups.length === 0
  const machineClass = CLASSES.find(([, pattern]) => pattern.test(found.rest))?.[0] ?? null
  return {
    kind: 'inventory',
    operations: [{ operation, parameters: {} }],
    targets: {
      machines,
      groups,
      all,
      os: operation === 'inventory.describe' ? null : (found.targets.os ?? found.osMentioned),
    },
    condition: null,
    unknownMachines: found.unknownMachines,
    machineClass: machineClass === 'server' && !all ? null : machineClass,
    clarify: null,
  }
}

function employee(): ReadRequest {
  return {
    kind: 'employee',
    operations: [],
    targets: { machines: [], groups: [], all: false, os: null },
    condition: null,
    unknownMachines: [],
    machineClass: null,
    clarify: null,
  }
}

/** The fields an evaluation record compares (docs/operations.md). */
export function evaluationRecord(request: ReadRequest): OperationRequest {
  return {
    kind: request.kind,
    operations: request.operations,
    targets: request.targets,
    condition: request.condition,
  }
}
