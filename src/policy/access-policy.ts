/**
 * Whose account and whose machine: the one policy every path asks before a plan is made, a step
 * runs or an approval request is opened. Technicians and admins may act for anyone (separation
 * of duties then applies to who approves: see approvals/approval-rules.ts). A requester may act
 * only on their own account on each system (the account map) and only on machines assigned to
 * them that are workstations or laptops; servers and machine groups are for technicians.
 * @module
 */

import type { Role } from '../identity/user.ts'
import { samePerson } from '../identity/user.ts'
import { type MachineClass, machineClassOf, type Target } from '../inventory/inventory-schema.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import { ACCOUNT_SYSTEMS, type AccountSystem } from '../knowledge/instructions/parameter-kinds.ts'
import type { Plan, PlanStep } from '../planning/plan.ts'
import type { AccountMap } from './account-map.ts'

/** The signed-in person who caused a request: who sent the chat turn. */
export interface Actor {
  username: string
  role: Role
}

/** The machines the policy knows: the inventory, read-only. */
export interface MachineDirectory {
  /** The machine of that name (any letter case), or undefined. */
  find(name: string): Target | undefined
  list(): readonly Target[]
}

export type AccessDecision =
  | { ok: true }
  | {
      ok: false
      /** `account`: someone else's account; `machine`: not their machine; `group`: a whole group. */
      kind: 'account' | 'machine' | 'group'
      /** Plain words for the person who asked; never lists the inventory or an address. */
      reason: string
    }

/** Classes of machine a requester may work on when the machine is assigned to them. */
const PERSONAL_CLASSES: readonly MachineClass[] = ['workstation', 'laptop']

/** Where a person who needs a technician is sent. */
export const TECHNICIAN_CONTACT =
  'contact the IT service desk (phone or the IT portal) and a technician will do it for them'

export function isTechnician(role: Role): boolean {
  return role === 'technician' || role === 'admin'
}

export class AccessPolicy {
  private readonly accounts: AccountMap
  private readonly machines: MachineDirectory | undefined

  constructor(options: { accounts: AccountMap; machines?: MachineDirectory }) {
    this.accounts = options.accounts
    this.machines = options.machines
  }

  /** The user's own account on a system (same name unless the account map says otherwise). */
  accountOf(username: string, system: AccountSystem): string {
    return this.accounts.accountOf(username, system)
  }

  /**
   * May this actor have this plan made and run? Checked before planning is shown, again before
   * each step runs, and when an approval request is opened.
   * @param group the machine group the plan is one member's share of, if any
   */
  checkPlan(
    actor: Actor,
    instruction: Pick<Instruction, 'parameters'>,
    plan: { parameters: Plan['parameters']; steps: ReadonlyArray<Pick<PlanStep, 'target'>> },
    group?: string,
  ): AccessDecision {
    if (isTechnician(actor.role)) return { ok: true }
    if (group !== undefined) {
      return {
        ok: false,
        kind: 'group',
        reason: `Requests for a whole group of machines ("${group}") are handled by technicians; ${TECHNICIAN_CONTACT}.`,
      }
    }
    const account = this.checkAccounts(actor, instruction, plan.parameters)
    if (!account.ok) return account
    for (const step of plan.steps) {
      if (step.target === undefined) continue
      const machine = this.checkMachine(actor, step.target)
      if (!machine.ok) return machine
    }
    return { ok: true }
  }

  /** A requester's machine check on its own, for a step about to run on `name`. */
  checkMachine(actor: Actor, name: string): AccessDecision {
    if (isTechnician(actor.role) || !this.machines) return { ok: true }
    const target = this.machines.find(name)
    if (!target || !this.isAssigned(target, actor.username)) {
      // Whether the machine exists is not said: a requester learns nothing about the inventory.
      return {
        ok: false,
        kind: 'machine',
        reason: `${name} isn't one of the computers assigned to you, so I can't run anything on it. If it is yours, ask the IT service desk to assign it to you; for someone else's computer, ${TECHNICIAN_CONTACT}.`,
      }
    }
    if (!PERSONAL_CLASSES.includes(machineClassOf(target))) {
      return {
        ok: false,
        kind: 'machine',
        reason: `${target.name} is a ${machineClassOf(target)}, and only technicians work on those; ${TECHNICIAN_CONTACT}.`,
      }
    }
    return { ok: true }
  }

  /** The inventory's machine of that name (any letter case), for its operating system. */
  machine(name: string): Target | undefined {
    return this.machines?.find(name)
  }

  /** The workstations and laptops assigned to this user, for "my laptop". */
  ownMachines(username: string): Target[] {
    return (this.machines?.list() ?? []).filter(
      (target) =>
        PERSONAL_CLASSES.includes(machineClassOf(target)) && this.isAssigned(target, username),
    )
  }

  private isAssigned(target: Target, username: string): boolean {
    const groups = this.accounts.groupsOf(username)
    return (target.assignedTo ?? []).some((assignee) =>
      assignee.startsWith('group:')
        ? groups.includes(assignee.slice('group:'.length).toLowerCase())
        : samePerson(assignee, username),
    )
  }

  private checkAccounts(
    actor: Actor,
    instruction: Pick<Instruction, 'parameters'>,
    values: Readonly<Record<string, string>>,
  ): AccessDecision {
    const systemParameter = instruction.parameters.find((spec) => spec.kind === 'system')
    const systemValue = systemParameter ? values[systemParameter.name] : undefined
    const system = ACCOUNT_SYSTEMS.find((each) => each === systemValue)
    // Accounts named without a system (Jira, mail, OneDrive) are the directory account; while
    // the system is still to be asked, any of the person's own accounts may be meant.
    const systems: readonly AccountSystem[] = system
      ? [system]
      : systemParameter
        ? ACCOUNT_SYSTEMS
        : ['active_directory']
    const ownAccounts = systems.map((each) => this.accounts.accountOf(actor.username, each))
    const own = ownAccounts[0] ?? actor.username
    for (const spec of instruction.parameters) {
      if (spec.kind !== 'username') continue
      const value = values[spec.name]
      if (value === undefined || ownAccounts.some((account) => samePerson(value, account))) continue
      return {
        ok: false,
        kind: 'account',
        reason: `I can only help with your own account (${own}), so I haven't done anything for ${value}. Only a technician can do this for another person: ${TECHNICIAN_CONTACT}.`,
      }
    }
    return { ok: true }
  }
}
