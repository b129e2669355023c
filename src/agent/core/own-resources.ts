/**
 * A person's own account and own machine, filled in where they did not name one: "my laptop"
 * is the one machine assigned to them, and an account parameter that defaults to the requester
 * is their account on the system in question (the account map may name it differently).
 * @module
 */

import { samePerson } from '../../identity/user.ts'
import { machineClassOf, type Target } from '../../inventory/inventory-schema.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import { ACCOUNT_SYSTEMS } from '../../knowledge/instructions/parameter-kinds.ts'
import type { AccessPolicy } from '../../policy/access-policy.ts'
import { ownMachineNote } from './dialogue-replies.ts'
import { machineOfClassNamed } from './machine-class-words.ts'
import { machineParameterOf, platformParameterOf } from './machine-groups.ts'
import { type MissingParameter, type SlotState, selectActions } from './slot-filling.ts'
import type { TurnState } from './turn.ts'

export const MY_MACHINE =
  /\b(?:my|mine|my own)\s+(?:own\s+)?(?:work\s+|company\s+|office\s+)?(?:laptop|computer|pc|machine|desktop|workstation|notebook|device)\b/i

const FIRST_PERSON = /\b(?:my|mine|i|i'?m|i'?ve|i'?d|me)\b/i
/** A device that is not the assigned computer: "my phone can't get on the wifi". */
const OTHER_DEVICE =
  /\b(?:phone|iphone|android|smartphone|mobile|tablet|ipad|kindle|tv|watch|(?:home|personal|private|kid'?s|son'?s|daughter'?s|wife'?s|husband'?s)\s+(?:pc|computer|laptop|desktop|machine|mac))\b/i

/** A machine that belongs to a room or to everyone, not to the person writing. */
const SHARED_MACHINE =
  /\b(?:meeting|conference|training|board|class)\s*room\b|\b(?:reception|kiosk|lab|shared|hot[\s-]*desk|loaner|spare|lobby|front\s+desk|common)\s+(?:pc|computer|laptop|machine|desktop|workstation|device)s?\b/i

/**
 * The machine (and its system) "my laptop" means: the one workstation or laptop assigned to the
 * requester, when there is exactly one and the message says "my ..." (or answers the machine
 * question that way), or speaks of a task that needs a machine without naming one: in the first
 * person ("my wifi keeps dropping"), or, from an employee, at all ("the laptop is slow", "teams
 * won't sign in"): an employee's problem is on their own machine unless they say otherwise
 * (someone else's, a phone, a meeting room's). The reply says which machine was taken
 * (`ownMachineNote`). Otherwise nothing: the machine is asked for as usual (several or none
 * assigned; a technician, who mostly writes about other people's machines).
 */
export function ownMachineOf(
  instruction: Instruction,
  message: string,
  turn: Pick<TurnState, 'session' | 'actor'>,
  access: AccessPolicy | undefined,
  /**
   * Also for a runbook whose machine is optional: the caller asks this only when the machine
   * question would otherwise be asked first (an employee with one machine is not asked which).
   */
  evenIfOptional = false,
): Record<string, string> {
  const parameter = machineParameterOf(instruction)
  const requester = turn.session.requester
  if (!access || !parameter || !requester || turn.session.known[parameter] !== undefined) return {}
  // "my laptop" from a technician acting for someone is the technician's, not theirs.
  if (actingForOf(turn)) return {}
  // "my laptop", or any first-person problem ("my wifi keeps dropping", "I can't print") with
  // a task that cannot go without a machine: the one they have is the one it is about.
  const required =
    evenIfOptional || instruction.parameters.find((spec) => spec.name === parameter)?.required
  // "I'm in the meeting room and the pc is slow" is about the room's machine, not theirs.
  const elsewhere =
    OTHER_DEVICE.test(message) || SHARED_MACHINE.test(message) || SOMEONE_ELSE.test(message)
  const employee = turn.actor === undefined || turn.actor.role === 'requester'
  const implied = required && (FIRST_PERSON.test(message) || employee) && !elsewhere
  if (!MY_MACHINE.test(message) && !implied) return {}
  // Several machines: "my desktop", "the laptop" still picks one of them by its class.
  const only = assignedMachineOf(turn, access) ?? ownMachineOfClass(message, turn, access)
  if (!only) return {}
  const platform = platformParameterOf(instruction)
  return { [parameter]: only.name, ...(platform ? { [platform]: only.os } : {}) }
}

/**
 * The note saying which machine was taken, when the plan runs on the requester's own machine
 * and the message did not name it; undefined otherwise.
 */
export function ownMachineTaken(
  instruction: Instruction,
  own: Readonly<Record<string, string>>,
  slots: Pick<SlotState, 'values' | 'fromMessage'>,
  access: AccessPolicy | undefined,
): string | undefined {
  const parameter = machineParameterOf(instruction)
  const name = parameter ? own[parameter] : undefined
  if (!parameter || name === undefined || parameter in slots.fromMessage) return undefined
  if (slots.values[parameter] !== name) return undefined
  const machine = access?.machine(name)
  return machine ? ownMachineNote(machine.name, machineClassOf(machine)) : undefined
}

/**
 * The one workstation or laptop assigned to the requester, which "my laptop" means; undefined
 * when they have none or several, when the one they have is shared with their group, or when
 * someone else (a technician) sends the turn.
 */
export function assignedMachineOf(
  turn: Pick<TurnState, 'session' | 'actor'>,
  access: AccessPolicy | undefined,
): Target | undefined {
  const requester = turn.session.requester
  if (!access || !requester) return undefined
  if (actingForOf(turn)) return undefined
  const machines = access.ownMachines(requester)
  const only = machines.length === 1 ? machines[0] : undefined
  // A machine given to a whole group (finance's shared workstation) is never assumed to be theirs.
  return only && assignedInPerson(only, requester) ? only : undefined
}

/** Assigned to the person by name, not only through a group they are in. */
function assignedInPerson(target: Target, username: string): boolean {
  return (target.assignedTo ?? []).some(
    (assignee) => !assignee.startsWith('group:') && samePerson(assignee, username),
  )
}

/** "kwong's laptop", "maria.garcia's work pc": a person's name, then a machine word. */
const SOMEONES_MACHINE =
  /\b([a-z][a-z0-9._-]{1,40}?)['\u2019]s\s+((?:own\s+|usual\s+|main\s+)?(?:work\s+|company\s+|office\s+)?(?:laptop|notebook|desktop|workstation|tower|computer|pc|machine|device))\b/i

/** Possessives that are no person: "the company's laptop", "today's pc". */
const NOT_A_PERSON = new Set([
  'it',
  'that',
  'this',
  'company',
  'today',
  'everyone',
  'someone',
  'somebody',
  'colleague',
  'user',
  'employee',
  'manager',
  'team',
  'office',
  'my',
  'our',
  'their',
  'his',
  'her',
  'one',
])

/**
 * For a technician: the machine "kwong's laptop" means, the one of that class (or the only
 * one) assigned to kwong, with a note saying which was taken; undefined when the message names
 * no one's machine, or the person has none or several that fit.
 */
export function someonesMachineOf(
  instruction: Instruction,
  message: string,
  turn: Pick<TurnState, 'session' | 'actor'>,
  access: AccessPolicy | undefined,
): { values: Record<string, string>; note: string } | undefined {
  const parameter = machineParameterOf(instruction)
  if (!access || !parameter || turn.actor === undefined || turn.actor.role === 'requester')
    return undefined
  if (turn.session.known[parameter] !== undefined) return undefined
  const found = SOMEONES_MACHINE.exec(message)
  const person = found?.[1]?.toLowerCase()
  if (!found || person === undefined || NOT_A_PERSON.has(person)) return undefined
  const machines = access.ownMachines(person)
  const named = machineOfClassNamed(
    `the ${found[2] ?? ''}`,
    machines.map((machine) => ({
      name: machine.name,
      class: machineClassOf(machine),
      ...(machine.os ? { os: machine.os } : {}),
    })),
  )
  const machine = machines.find((each) => each.name === named?.name)
  if (!machine) return undefined
  const platform = platformParameterOf(instruction)
  return {
    values: { [parameter]: machine.name, ...(platform ? { [platform]: machine.os } : {}) },
    note: `I've taken ${person}'s ${machineClassOf(machine)} to be ${machine.name}, the one assigned to them. If it's another computer, tell me its name.`,
  }
}

/**
 * The machine question for someone whose machine was not assumed (two or more, or one shared
 * with their group): their machines become the options, by name and what they are, so they
 * pick one rather than look its name up. Any other question is returned as it is.
 */
export function withOwnMachineOptions(
  question: MissingParameter,
  instruction: Instruction,
  turn: Pick<TurnState, 'session' | 'actor'>,
  access: AccessPolicy | undefined,
): MissingParameter {
  if (question.parameter !== machineParameterOf(instruction) || question.options) return question
  const requester = turn.session.requester
  const machines = ownMachinesOf(turn, access)
  if (!requester || machines.length === 0) return question
  const labels = machines.map((machine) => {
    const whose = assignedInPerson(machine, requester) ? 'your' : 'the shared'
    const what = machine.description ? ` (${machine.description})` : ''
    return `${whose} ${machineClassOf(machine)} ${machine.name}${what}`
  })
  const listed =
    labels.length === 1 ? labels[0] : `${labels.slice(0, -1).join(', ')} or ${labels.at(-1)}`
  return {
    ...question,
    question: `${question.question} Is it ${listed}?`,
    options: machines.map((machine, index) => {
      const label = labels[index] ?? machine.name
      return {
        value: machine.name,
        label: `${label.charAt(0).toUpperCase()}${label.slice(1)}`,
        answer: machine.name,
      }
    }),
  }
}

/** The requester's own workstations and laptops, when they send the turn themselves. */
export function ownMachinesOf(
  turn: Pick<TurnState, 'session' | 'actor'>,
  access: AccessPolicy | undefined,
): Target[] {
  const requester = turn.session.requester
  if (!access || !requester) return []
  if (actingForOf(turn)) return []
  return access.ownMachines(requester)
}

/** The one machine of theirs a class phrase means ("the laptop" of a laptop and a desktop). */
function ownMachineOfClass(
  message: string,
  turn: Pick<TurnState, 'session' | 'actor'>,
  access: AccessPolicy | undefined,
): Target | undefined {
  const requester = turn.session.requester ?? ''
  // A group's shared machine is never taken for "my computer"; it is offered in the question.
  const machines = ownMachinesOf(turn, access).filter((machine) =>
    assignedInPerson(machine, requester),
  )
  const named = machineOfClassNamed(
    message,
    machines.map((machine) => ({
      name: machine.name,
      class: machineClassOf(machine),
      ...(machine.os ? { os: machine.os } : {}),
    })),
  )
  return named ? machines.find((machine) => machine.name === named.name) : undefined
}

/**
 * The operating system of a machine the inventory knows, for the runbook's platform parameter:
 * LT-0424 runs Linux, so its steps are the Linux ones whatever the runbook's default says.
 */
export function inventoryPlatformOf(
  instruction: Instruction,
  values: Readonly<Record<string, string>>,
  access: AccessPolicy | undefined,
): Record<string, string> {
  const parameter = machineParameterOf(instruction)
  const platform = platformParameterOf(instruction)
  const name = parameter ? values[parameter] : undefined
  if (!access || !platform || name === undefined) return {}
  const machine = access.machine(name)
  return machine ? { [platform]: machine.os } : {}
}

/**
 * Slot filling, again with the inventory's operating system when the machine it found is in
 * the inventory and the platform differs (the runbook's default or the message said otherwise).
 */
export function fillWithInventory(
  instruction: Instruction,
  fill: (overrides: Record<string, string>) => SlotState,
  access: AccessPolicy | undefined,
): SlotState {
  const slots = fill({})
  const platform = inventoryPlatformOf(instruction, slots.values, access)
  const differs = Object.entries(platform).some(([name, os]) => slots.values[name] !== os)
  return differs ? fill(platform) : slots
}

/**
 * Someone other than the sender, not yet named: "a user needs their password reset", "someone
 * is locked out", "my colleague can't log in". The account is then asked for, never taken to be
 * the sender's own (a technician got a plan for his own account that way). "On a colleague's pc"
 * is only where they are: the account is still their own.
 */
const SOMEONE_ELSE =
  /\b(?:someone|somebody|a\s+(?:new\s+)?(?:user|colleague|co-?worker|employee|staff\s+member|starter|hire|joiner|contractor|intern|team\s?mate)|an\s+(?:employee|intern|external)|one\s+of\s+(?:my|our|the)\s+(?:users|colleagues|co-?workers|employees|team|staff)|my\s+(?:colleague|co-?worker|team\s?mate|new\s+starter)|the\s+(?:user(?!\s+(?:account|name|profile|id)\b)|employee|new\s+starter|new\s+hire)|(?:his|her|their)\s+(?:password|account|login|logon|username))\b/i

/** "a colleague's pc": whose machine, not whose account. */
const SOMEONE_ELSES_ACCOUNT = new RegExp(
  `${SOMEONE_ELSE.source}(?!['\u2019]?s?\\s+(?:pc|laptop|computer|machine|desk|workstation)\\b)`,
  'i',
)

/** The requester, for parameters that default to them, unless the message is about someone else. */
export function requesterDefault(
  message: string,
  requester: string | undefined,
): string | undefined {
  return requester !== undefined && !SOMEONE_ELSES_ACCOUNT.test(message) ? requester : undefined
}

/**
 * An account parameter holding a person's helpdesk name becomes their account on the system in
 * question (`alice` -> `alice.smith` in Active Directory): where it fell back to the requester,
 * and where a technician named the person ("unlock maria.garcia" unlocks `m.garcia`; technicians
 * name people as the helpdesk knows them). A requester's typed name is kept as typed (and
 * refused unless it is their own account), and so is a name the account map does not know.
 */
export function ownAccountByDefault(
  instruction: Instruction,
  slots: SlotState,
  known: Readonly<Record<string, string>>,
  requester: string | undefined,
  access: AccessPolicy | undefined,
  technician = false,
): void {
  if (!access) return
  const systemSpec = instruction.parameters.find((spec) => spec.kind === 'system')
  const systemValue = systemSpec ? slots.values[systemSpec.name] : undefined
  const system = ACCOUNT_SYSTEMS.find((each) => each === systemValue) ?? 'active_directory'
  for (const spec of instruction.parameters) {
    const value = slots.values[spec.name]
    if (spec.kind !== 'username' || value === undefined) continue
    const given = spec.name in slots.fromMessage || known[spec.name] !== undefined
    // The requester's own name only where it stands in for them by default.
    const fallback = !given && spec.defaultFromRequester === true && value === requester
    if (!fallback && !(given && technician)) continue
    slots.values[spec.name] = access.accountOf(value, system)
  }
}

/**
 * Why this actor may not have this task planned (someone else's account, a machine that is not
 * theirs, a whole group), or undefined when they may. Checked with the values known so far, so
 * a requester naming another person is told at once rather than asked more questions first.
 */
export function refusalOf(
  access: AccessPolicy | undefined,
  turn: Pick<TurnState, 'actor'>,
  instruction: Instruction,
  values: Readonly<Record<string, string>>,
  group: string | undefined,
): string | undefined {
  if (!access || !turn.actor) return undefined
  const steps = selectActions(instruction.actions, values).flatMap((action) => {
    const target = action.target ? values[action.target] : undefined
    return target ? [{ target }] : []
  })
  const decision = access.checkPlan(turn.actor, instruction, { parameters: values, steps }, group)
  return decision.ok ? undefined : decision.reason
}

/** The employee a technician acts for in this turn, or undefined when the sender is the requester. */
export function actingForOf(turn: Pick<TurnState, 'session' | 'actor'>): string | undefined {
  const requester = turn.session.requester
  return turn.actor && requester && !samePerson(turn.actor.username, requester)
    ? requester
    : undefined
}
