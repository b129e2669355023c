import { readCondition } from './request-conditions.ts'
import { requestParts } from './request-context.ts'
import { withCorrections } from './request-corrections.ts'
import { type Exclusion, readExclusions } from './request-exclusions.ts'
import {
  asksTheInventory,
  clarifyingQuestion,
  commandWithoutTarget,
  employeeShaped,
  namesTheFleet,
  namesWorkOn,
  ownTrouble,
  whichMachines,
} from './request-fallback.ts'
import { escapeRegExp } from './request-groups.ts'
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
  /**
   * Work the catalog cannot express, as a configured model proposed it (model-request-reader.ts):
   * a script per operating system, shown in full and approved machine by machine through the
   * `propose_script` path; absent from the offline reader.
   */
  proposal?: ScriptForTargets
}

export interface ScriptForTargets {
  reason: string
  scripts: { linux?: string; windows?: string }
}

/**
 * Fleet machines named by a role or a plural the inventory has no group for: "on the jenkins
 * agents", "across the sql boxes", "for the ci runners" (a machine noun in the plural, or a
 * cluster word, after a preposition; an owner's "my"/"our" machine is not fleet work).
 */
const UNRESOLVED_FLEET =
  /\b(?:on|across|for|from|to|at)\s+(?:all\s+)?(?:the\s+|those\s+|these\s+)?(?:[A-Za-z0-9][A-Za-z0-9.-]*\s+){0,3}(?:servers|box(?:es)|nodes|agents|runners|hosts|vms|instances|cluster|tier|farm|workers|frontends|backends|replicas|primaries)\b/i

/** Questions about the fleet itself, answered from the inventory. */
const INVENTORY_QUESTION =
  /^\s*(?:(?:hey|so|ok|quick question|and|also|and also|then)[,:]?\s+)?(?:(?:can|could|would)\s+(?:you|someone|somebody)\s+(?:please\s+)?(?=(?:give|get|send|pull|list|count)\b))?(?:how\s+many\b(?!\s+\S+\s+(?:processes|procs|instances|threads|workers)\b)|count\b|list\b|which\b|what\s+(?:linux\s+|windows\s+)?(?:machines|servers|boxes|computers|assets|laptops|workstations)\b|what(?:'s|\s+is)\s+in\b(?!\s+(?:the\s+)?(?:[\w-]+\s+)?(?:logs?|journal|syslog)\b)|(?:who\s+are\s+the\s+)?members\s+of\b|tell\s+me\s+(?:everything\s+|all\s+|more\s+)?about\b|details?\s+(?:for|of|about|on)\b|what\s+os\b|what\s+(?:class|type|kind)\s+(?:is|of)\b|who\s+is\b|show\s+(?:me\s+)?all\b|show\s+me\s+\S+'s\s+details\b|what(?:'s|\s+is)\s+[A-Za-z0-9-]+\s*(?:[?,]|$)|how\s+big\s+is\s+(?:the\s+|our\s+)?[A-Za-z0-9-]+\s+(?:[A-Za-z0-9-]+\s+)?(?:group|tier|fleet|estate|inventory|cluster|farm|pool)\b|how\s+is\s+[A-Za-z0-9-]+\s+(?:reached|accessed|managed|connected(?:\s+to)?)\b|how\s+do\s+(?:we|I|you)\s+(?:connect|get|log)\s+(?:in\s+)?(?:to|into|on)\b|whose\b|who(?:'s|\s+is)\s+(?:it\s+|[A-Za-z0-9-]+\s+)?(?:assigned|owned|used)\b|who\s+(?:uses|owns|has|is\s+using|is\s+on)\b|who\s+(?:the\s+)?[^?,.]{1,40}?\s+(?:is|was)\s+(?:assigned|issued|registered|given)\s+to\b|(?:show|give)\s+(?:me\s+)?(?:the\s+)?(?:details|specs|info(?:rmation)?)\b|what\s+groups?\b|which\s+groups?\b|what(?:'s|s|\s+is)\s+the\s+(?:os|operating\s+system|class|address|ip)\b|(?:give|get|send|pull)\s+(?:me\s+)?(?:up\s+)?(?:a\s+|the\s+)?(?:full\s+|complete\s+|quick\s+)?(?:count|number|list(?:ing)?|breakdown|rundown|inventory)\b|(?:the\s+)?number\s+of\b|(?:do\s+we\s+have|are\s+there)\s+any\s+(?:linux\s+|windows\s+|macos\s+)?(?:machines|servers|boxes|computers|laptops|workstations|hosts|macs|macbooks)\b|describe\b|where\s+is\b|what(?:'s|\s+is|\s+does)\s+(?:the\s+|our\s+)?(?:inventory|fleet)\b|info(?:rmation)?\s+(?:on|about|for)\b|show\s+(?:me\s+)?(?:the\s+|our\s+)?(?:whole\s+|entire\s+|full\s+|complete\s+)?(?:inventory|fleet|estate|asset\s+list|machine\s+list|server\s+list)\b|(?:can|could|may)\s+I\s+(?:see|get|have)\s+(?:the\s+|our\s+|a\s+)?(?:full\s+|complete\s+)?(?:inventory|asset\s+list|machine\s+list|server\s+list|list|count)\b|I\s+(?:want|need|would\s+like|'d\s+like)\s+(?:to\s+see\s+)?(?:the\s+|our\s+|a\s+)(?:full\s+|complete\s+)?(?:inventory|asset\s+list|machine\s+list|server\s+list|list\s+of|count\s+of)\b|what\s+do\s+we\s+(?:have|run|own)\b|(?:give|send|get)\s+(?:me\s+)?(?:our|the)\s+(?:full\s+|complete\s+)?(?:machine|server|asset|host)\s+list\b)/i

const CLASSES: ReadonlyArray<[string, RegExp]> = [
  ['laptop', /\blaptops?\b/i],
  ['workstation', /\b(?:workstations?|desktops?)\b/i],
  ['server', /\bservers\b/i],
]

export function readOperationRequest(typed: string, fleet: Fleet): ReadRequest {
  const whole = readWhole(typed, fleet)
  // The reason told beside the request is context (request-context.ts): the first part that
  // reads whole on its own is the request; otherwise the whole message is.
  // Only an operation is narrowed: what the whole message says of its writer ("my password")
  // keeps an employee's request theirs.
  if (whole.kind !== 'operation') return whole
  for (const asked of requestParts(typed)) {
    const part = readWhole(asked, fleet)
    const complete =
      part.kind === 'operation' &&
      part.clarify === null &&
      part.operations.length > 0 &&
      (part.targets.all || part.targets.machines.length > 0 || part.targets.groups.length > 0)
    if (complete) return part
  }
  return whole
}

function readWhole(typed: string, fleet: Fleet): ReadRequest {
  const text = applyLexicon(typed)
  const names = new Set(fleet.machines.map((machine) => machine.name.toLowerCase()))
  const machines = { isMachine: (token: string) => names.has(token.toLowerCase()) }
  const read = readCondition(text)
  // "on all web servers except web04": what is left out is read first, so it is never a target.
  const exclusions = readExclusions(read.rest, fleet)
  let rest = exclusions.rest
  const condition = read.condition
  let everywhere = read.everywhere
  const wherever = read.wherever

  if (INVENTORY_QUESTION.test(withoutGreeting(text)) && aboutTheFleet(text, fleet))
    return inventoryQuestion(text, fleet)

  const named = findTargets(rest, fleet).spans
  const {
    operations: typedSteps,
    valueSpans,
    unread,
  } = findOperations(rest, {
    ...machines,
    ...(read.subject ? { namedInCondition: read.subject } : {}),
    targetAt: (index) => named.some(([start, end]) => index >= start && index < end),
  })
  // "(dataprocessor, sorry)": a misspelt name is run as the name the request corrects it to.
  const operations = withCorrections(text, typedSteps)
  for (const [start, end] of valueSpans) {
    rest = rest.slice(0, start) + ' '.repeat(end - start) + rest.slice(end)
  }
  const found = withoutContext(rest, fleet)
  // "everything but db02", "reboot all except the databases": left out of every machine.
  if ((wherever || exclusions.except || exclusions.otherOs) && !hasTarget(found)) everywhere = true
  if (exclusions.fromAll) everywhere = true
  // "restart nginx": a command with no machine; the technician is asked which machines.
  // Package work alone reads as an employee's software request; the desk still asks a
  // technician which machines (ReadRequest.clarify), never sending them to a runbook.
  // "restart nginx on the jenkins agents": machines named by a role the inventory does not
  // know are still fleet machines; the technician is asked which ones.
  const unresolvedFleet =
    operations.length > 0 && unread.length === 0 && UNRESOLVED_FLEET.test(found.rest)
  if (
    !(hasTarget(found) || everywhere) &&
    (unresolvedFleet || commandWithoutTarget(typed, operations, unread))
  ) {
    const shaped = !unresolvedFleet && employeeShaped(operations)
    return {
      kind: shaped ? 'employee' : 'operation',
      operations: shaped ? [] : operations,
      targets: withExclusion(found.targets, exclusions.except),
      condition,
      unknownMachines: [],
      machineClass: null,
      clarify: whichMachines(operations, fleet),
    }
  }
  if (operations.length === 0 || !(hasTarget(found) || everywhere))
    return fallBack(text, fleet, found, unread, everywhere, exclusions.except)
  // Only unknown names, or only laptops and workstations, asked about in the first person.
  if (ownMachineOnly(text, found.targets, fleet)) return employeeRequest()
  // "all machines running Linux": the OS said anywhere limits "all".
  const all = found.targets.all || everywhere
  // "everything except the windows boxes": the other operating system.
  const os = found.targets.os ?? exclusions.otherOs ?? found.osMentioned
  const targets = withExclusion(
    all && found.targets.os === null && os
      ? { ...found.targets, all, os }
      : { ...found.targets, all },
    exclusions.except,
  )
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
  except: Exclusion | null,
): ReadRequest {
  const work = namesWorkOn(text, found)
  if (!(everywhere || namesTheFleet(found, fleet) || work || typedMachine(text, found)))
    return employeeRequest()
  if (!work && (ownMachineOnly(text, found.targets, fleet) || ownTrouble(text)))
    return employeeRequest()
  if (unread.length === 0 && asksTheInventory(text)) return inventoryQuestion(text, fleet)
  const targets = withExclusion({ ...found.targets, all: found.targets.all || everywhere }, except)
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
 * "LT-0423 - outlook cache needs clearing": a machine named by its inventory name, by someone
 * telling of no trouble of their own, is a technician's subject, whatever its class; the desk
 * asks what to do there, or hands a symptom to the runbooks (OperationsDesk.defersToRunbooks).
 */
function typedMachine(text: string, found: FoundTargets): boolean {
  // "need python installed on LT-0423": software for a laptop reads as its user's request.
  if (FIRST_PERSON_WORDS.test(text) || /\binstall/i.test(text)) return false
  // "same problem for bob on LT-0425": the conversation's earlier problem, for someone else.
  if (/\b(?:same|again|also|too)\b/i.test(text)) return false
  // "LT-0423", "it's LT-0423": a machine given as the answer to a question, not a request.
  if (found.rest.split(/[^A-Za-z]+/).filter((word) => word.length > 2).length < 3) return false
  return found.targets.machines.some((name) =>
    new RegExp(`(?<![A-Za-z0-9_-])${escapeRegExp(name)}(?![A-Za-z0-9_-])`, 'i').test(text),
  )
}

const FIRST_PERSON_WORDS = /\b(?:I|I'm|I've|I'd|I'll|my|me|mine|myself|we|we're|we've|our|us)\b/i

/** The exclusion joins the targets only when there is one, so records without it compare as before. */
function withExclusion(targets: RequestTargets, except: Exclusion | null): RequestTargets {
  if (!except) return targets
  // "web01-web04 but not web03": a machine both listed and left out is not listed.
  const left = new Set(except.machines)
  return { ...targets, machines: targets.machines.filter((name) => !left.has(name)), except }
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
  return (
    text
      .replace(
        /^\s*(?:(?:hi|hey|hello|yo|so|ok|okay|btw|also|team|all|folks|quick\s+(?:q|question|one)|question)\b[\s,:;!.-]*)+/i,
        '',
      )
      // "For the asset review, how many ...": a lead-in phrase before the question.
      .replace(
        /^\s*(?:for|as\s+part\s+of|regarding|re|about|ahead\s+of|before)\s+[^,?]{1,40},\s*/i,
        '',
      )
      .replace(
        // "I want to know how many servers we have", "can you tell me which group web03 is in":
        // the question after the words that ask it.
        /^\s*(?:(?:I\s+(?:want|need|would\s+like|'d\s+like)|I'd\s+like)\s+to\s+know|(?:can|could)\s+(?:you|someone)\s+(?:please\s+)?tell\s+me|do\s+you\s+know|any\s+idea)\s*[,:]?\s+/i,
        '',
      )
  )
}

/** "how many holiday days" is not about the fleet: a question must name machines or the inventory. */
const FLEET_NOUNS =
  /\b(?:machines?|servers?|box(?:es)?|computers?|assets?|hosts?|devices?|laptops?|workstations?|desktops?|inventory|fleet|estate|group|linux|windows|macs|macbooks?|nodes?|vms?)\b/i

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
  // "how many linux servers apart from the build agents": counted without them.
  const exclusions = readExclusions(text, fleet)
  const found = findTargets(exclusions.rest, fleet)
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
    targets: withExclusion(
      {
        machines,
        groups,
        all,
        os: operation === 'inventory.describe' ? null : (found.targets.os ?? found.osMentioned),
      },
      exclusions.except,
    ),
    condition: null,
    unknownMachines: found.unknownMachines,
    machineClass: machineClass === 'server' && !all ? null : machineClass,
    clarify: null,
  }
}

/** An employee's request: nothing for the operations desk. */
export function employeeRequest(): ReadRequest {
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
