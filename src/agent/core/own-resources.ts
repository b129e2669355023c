/**
 * A person's own account and own machine, filled in where they did not name one: "my laptop"
 * is the one machine assigned to them, and an account parameter that defaults to the requester
 * is their account on the system in question (the account map may name it differently).
 * @module
 */

import { samePerson } from '../../identity/user.ts'
import type { Target } from '../../inventory/inventory-schema.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import { ACCOUNT_SYSTEMS } from '../../knowledge/instructions/parameter-kinds.ts'
import type { AccessPolicy } from '../../policy/access-policy.ts'
import { machineParameterOf, platformParameterOf } from './machine-groups.ts'
import { type SlotState, selectActions } from './slot-filling.ts'
import type { TurnState } from './turn.ts'

const MY_MACHINE =
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
 * question that way), or speaks in the first person of a task that needs a machine ("my wifi
 * keeps dropping"). Otherwise nothing: the machine is asked for as usual.
 */
export function ownMachineOf(
  instruction: Instruction,
  message: string,
  turn: Pick<TurnState, 'session' | 'actor'>,
  access: AccessPolicy | undefined,
): Record<string, string> {
  const parameter = machineParameterOf(instruction)
  const requester = turn.session.requester
  if (!access || !parameter || !requester || turn.session.known[parameter] !== undefined) return {}
  // "my laptop" from a technician acting for someone is the technician's, not theirs.
  if (turn.actor && !samePerson(turn.actor.username, requester)) return {}
  // "my laptop", or any first-person problem ("my wifi keeps dropping", "I can't print") with
  // a task that cannot go without a machine: the one they have is the one it is about.
  const required = instruction.parameters.find((spec) => spec.name === parameter)?.required
  // "I'm in the meeting room and the pc is slow" is about the room's machine, not theirs.
  const elsewhere = OTHER_DEVICE.test(message) || SHARED_MACHINE.test(message)
  const implied = required && FIRST_PERSON.test(message) && !elsewhere
  if (!MY_MACHINE.test(message) && !implied) return {}
  const only = assignedMachineOf(turn, access)
  if (!only) return {}
  const platform = platformParameterOf(instruction)
  return { [parameter]: only.name, ...(platform ? { [platform]: only.os } : {}) }
}

/**
 * The one workstation or laptop assigned to the requester, which "my laptop" means; undefined
 * when they have none or several, or when someone else (a technician) sends the turn.
 */
export function assignedMachineOf(
  turn: Pick<TurnState, 'session' | 'actor'>,
  access: AccessPolicy | undefined,
): Target | undefined {
  const requester = turn.session.requester
  if (!access || !requester) return undefined
  if (turn.actor && !samePerson(turn.actor.username, requester)) return undefined
  const machines = access.ownMachines(requester)
  return machines.length === 1 ? machines[0] : undefined
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
 * the sender's own (a technician got a plan for his own account that way).
 */
const SOMEONE_ELSE =
  /\b(?:someone|somebody|a\s+(?:new\s+)?(?:user|colleague|co-?worker|employee|staff\s+member|starter|hire|joiner|contractor|intern|team\s?mate)|an\s+(?:employee|intern|external)|one\s+of\s+(?:my|our|the)\s+(?:users|colleagues|co-?workers|employees|team|staff)|my\s+(?:colleague|co-?worker|team\s?mate|new\s+starter)|the\s+(?:user(?!\s+(?:account|name|profile|id)\b)|employee|new\s+starter|new\s+hire)|(?:his|her|their)\s+(?:password|account|login|logon|username))\b/i

/** The requester, for parameters that default to them, unless the message is about someone else. */
export function requesterDefault(
  message: string,
  requester: string | undefined,
): string | undefined {
  return requester !== undefined && !SOMEONE_ELSE.test(message) ? requester : undefined
}

/**
 * An account parameter that fell back to the requester's helpdesk name becomes their account on
 * the system in question (`alice` -> `alice.smith` in Active Directory). A name the person typed
 * or gave earlier is never changed.
 */
export function ownAccountByDefault(
  instruction: Instruction,
  slots: SlotState,
  known: Readonly<Record<string, string>>,
  requester: string | undefined,
  access: AccessPolicy | undefined,
): void {
  if (!access || !requester) return
  const systemSpec = instruction.parameters.find((spec) => spec.kind === 'system')
  const systemValue = systemSpec ? slots.values[systemSpec.name] : undefined
  const system = ACCOUNT_SYSTEMS.find((each) => each === systemValue) ?? 'active_directory'
  for (const spec of instruction.parameters) {
    if (spec.kind !== 'username' || !spec.defaultFromRequester) continue
    if (spec.name in slots.fromMessage || known[spec.name] !== undefined) continue
    if (slots.values[spec.name] !== requester) continue
    slots.values[spec.name] = access.accountOf(requester, system)
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
