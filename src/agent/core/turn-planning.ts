/**
 * Phase 3 of a turn: fills each queued task's parameters (message, conversation, inventory,
 * requester) and plans it, or asks the first question it needs; refuses what the actor may not
 * do. Split from helpdesk-core.ts, whose `planTurn` calls `planQueued`.
 * @module
 */
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import { buildPlan } from '../../planning/planner.ts'
import type { AccessPolicy } from '../../policy/access-policy.ts'
import { deferredNote } from './dialogue-replies.ts'
import { type MachineGroups, machineParameterOf, machinesOf } from './machine-groups.ts'
import {
  deferOptional,
  followUpOf,
  onlyActions,
  skippedOf,
  withoutActionsNeeding,
} from './optional-parameters.ts'
import {
  fillWithInventory,
  ownAccountByDefault,
  ownMachineOf,
  ownMachineTaken,
  refusalOf,
  requesterDefault,
  someonesMachineOf,
  withOwnMachineOptions,
} from './own-resources.ts'
import { audienceOf } from './reply-writer.ts'
import type { PendingQuestion } from './session.ts'
import { fillSlots } from './slot-filling.ts'
import type { TurnEvent, TurnState } from './turn.ts'

/** What planning needs of the core: its runbooks and options. */
export interface PlanningDependencies {
  instruction(taskType: string): Instruction
  machineGroups?: MachineGroups
  access?: AccessPolicy
}

/**
 * The employee's one assigned machine where the runbook's machine is optional but its question
 * would be asked first ("my S: drive is gone" from someone with one laptop): taken, and the
 * reply says so, as for a runbook that needs the machine. Undefined when the machine is not the
 * first question, a value was already found, or `ownMachineOf` finds none to take.
 */
function optionalOwnMachine(
  instruction: Instruction,
  message: string,
  turn: TurnState,
  own: Readonly<Record<string, string>>,
  slots: ReturnType<typeof fillSlots>,
  access: AccessPolicy | undefined,
): Record<string, string> | undefined {
  const parameter = machineParameterOf(instruction)
  const first = slots.missing[0]
  if (!parameter || first?.parameter !== parameter || first.problem !== undefined) return undefined
  if (parameter in own || deferOptional(instruction, slots.missing, slots.values)) return undefined
  const taken = ownMachineOf(instruction, message, turn, access, true)
  return Object.keys(taken).length > 0 ? { ...own, ...taken } : undefined
}

/** Phase 3: fills each queued task's parameters and plans it, until one needs a question. */
export function planQueued(
  turn: TurnState,
  dependencies: PlanningDependencies,
  onEvent: (event: TurnEvent) => void = () => {},
): void {
  const { session } = turn
  const message = turn.planText ?? turn.message
  let followUp: PendingQuestion | undefined
  while (session.queue.length > 0) {
    const taskType = session.queue[0] ?? ''
    // Steps needing a value the person said they don't know are left out (see dialogue-turn.ts);
    // an answer to a follow-up plans only the steps it was asked for.
    const only = followUpOf(session, taskType)
    let { instruction } = withoutActionsNeeding(
      onlyActions(dependencies.instruction(taskType), only),
      skippedOf(session.skipped, taskType),
    )
    const answered =
      session.pending?.taskType === taskType && !turn.answerTaken
        ? session.pending.parameter
        : undefined
    // The machine a first-person report implied stays meant while this task's questions are
    // answered ("PRN-2F-WEST" names no machine), and for this task only.
    const implied = session.pending?.taskType === taskType ? session.pending.implied : undefined
    // "kwong's laptop" from a technician: the one assigned to kwong, said in a note.
    const theirs = someonesMachineOf(instruction, message, turn, dependencies.access)
    let own: Record<string, string> = {
      ...implied,
      ...ownMachineOf(instruction, message, turn, dependencies.access),
      ...theirs?.values,
    }
    const fleet = machinesOf(instruction, message, answered, dependencies.machineGroups)
    const requester = requesterDefault(message, session.requester)
    const fillWith = (mine: Record<string, string>) => {
      const known = fleet
        ? // A group stands for the machine (and its system): the rest is asked for as usual.
          { ...session.known, ...fleet.members[0] }
        : { ...session.known, ...mine }
      const fill = (overrides: Record<string, string>) =>
        fillSlots(instruction, {
          message,
          mode: answered ? 'answer' : 'message',
          ...(answered ? { answering: answered } : {}),
          known,
          overrides,
          ...(requester ? { requester } : {}),
        })
      // A machine the inventory knows brings its operating system: no Windows steps for Linux.
      return {
        known,
        slots: fillWithInventory(instruction, fill, fleet ? undefined : dependencies.access),
      }
    }
    let { known, slots } = fillWith(own)
    const optionalOwn = fleet
      ? undefined
      : optionalOwnMachine(instruction, message, turn, own, slots, dependencies.access)
    if (optionalOwn) {
      own = optionalOwn
      ;({ known, slots } = fillWith(own))
    }
    const technician = turn.actor !== undefined && turn.actor.role !== 'requester'
    ownAccountByDefault(instruction, slots, known, requester, dependencies.access, technician)
    const refusal = refusalOf(dependencies.access, turn, instruction, slots.values, fleet?.name)
    if (refusal) {
      // Nothing of it is kept: the next request must not inherit another person's name.
      turn.refusals = [...new Set([...(turn.refusals ?? []), refusal])]
      if (session.pending?.taskType === taskType) delete session.pending
      // Still the topic: "my own laptop then" corrects the machine of this task.
      session.lastTasks = [taskType]
      session.queue.shift()
      continue
    }
    Object.assign(session.known, slots.fromMessage)
    const deferred = deferOptional(instruction, slots.missing, slots.values)
    const first = deferred ? undefined : slots.missing[0]
    // Someone with machines of their own picks one of them by name, not by looking it up.
    const question = first && withOwnMachineOptions(first, instruction, turn, dependencies.access)
    if (question) {
      turn.question = question
      const kept = Object.keys(own).length > 0 && !fleet ? { implied: own } : {}
      session.pending = {
        taskType,
        parameter: question.parameter,
        ...(only ? { only: [...only] } : {}),
        ...kept,
      }
      onEvent({ type: 'question', missing: question })
      break
    }
    if (deferred) {
      // The main steps now; what only the optional value enables is asked about after them.
      instruction = deferred.instruction
      const note = deferredNote(deferred.left, slots.missing, audienceOf(turn.actor))
      turn.notes = [...(turn.notes ?? []), note]
      followUp = {
        taskType,
        parameter: deferred.parameter,
        only: deferred.left.map(({ id }) => id),
      }
    }
    const machineParameter = machineParameterOf(instruction)
    const theirsUsed =
      theirs !== undefined &&
      machineParameter !== undefined &&
      slots.values[machineParameter] === theirs.values[machineParameter]
    const taken = theirsUsed
      ? theirs.note
      : ownMachineTaken(instruction, own, slots, dependencies.access)
    if (taken) turn.notes = [...new Set([...(turn.notes ?? []), taken])]
    delete session.pending
    session.queue.shift()
    // One plan per machine of a group: each runs, is approved and audited on its own, and
    // one machine failing leaves the others' results standing.
    for (const machine of fleet?.members ?? [undefined]) {
      const values = machine ? { ...slots.values, ...machine } : slots.values
      const plan = buildPlan(instruction, values)
      onEvent({ type: 'plan-end', plan })
      turn.planned.push({ plan, results: [], ...(fleet ? { group: fleet.name } : {}) })
    }
  }
  if (followUp && !session.pending) session.pending = followUp
  const alsoFor = turn.alsoFor
  if (alsoFor !== undefined && !session.pending && turn.tasks.length > 0) {
    // "... and bob's too": the same tasks again for bob, checked as any follow-up is.
    delete turn.alsoFor
    session.queue = [...new Set(turn.tasks)]
    turn.planText = `same for ${alsoFor}`
    planQueued(turn, dependencies, onEvent)
  }
}
