/**
 * The turns the dialogue decides on its own, without planning: small talk, "talk to a person",
 * help for "I don't know", and what no runbook covers. Split from helpdesk-core.ts, which calls
 * `respondToAct` right after `classifyMessage`.
 * @module
 */

import { machineClassOf } from '../../inventory/inventory-schema.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import type { AccessPolicy } from '../../policy/access-policy.ts'
import type { RequestRouter, RouteDecision } from '../../retrieval/request-router.ts'
import type { HelpdeskCoreOptions } from './core-types.ts'
import type { DialogueAct, DialogueContext } from './dialogue-act.ts'
import {
  clarifyReply,
  dontKnowReply,
  handoffReply,
  optionLabel,
  RECORDS_REPLY,
  skippedNote,
  smallTalkReply,
  unsupportedReply,
} from './dialogue-replies.ts'
import { canSkip, withoutActionsNeeding } from './optional-parameters.ts'
import { assignedMachineOf, ownMachinesOf } from './own-resources.ts'
import { GENERIC_HANDOFF } from './reply-writer.ts'
import type { Session } from './session.ts'
import { type MissingParameter, parameterOptions } from './slot-filling.ts'
import type { TurnEvent, TurnResult, TurnState } from './turn.ts'

export interface DialogueDependencies {
  instruction(taskType: string): Instruction
  access?: AccessPolicy
}

/** What the classifier needs to know about the conversation. */
export function dialogueContextOf(turn: TurnState, dependencies: DialogueDependencies) {
  const { session, message } = turn
  const pending = session.pending
  const currentTask = pending?.taskType ?? session.lastTasks?.[0]
  const own = assignedMachineOf(turn, dependencies.access)
  const machines = ownMachinesOf(turn, dependencies.access).map((machine) => ({
    name: machine.name,
    class: machineClassOf(machine),
    ...(machine.os ? { os: machine.os } : {}),
  }))
  const context: DialogueContext = {
    message,
    known: session.known,
    ...(pending
      ? {
          pending: {
            instruction: dependencies.instruction(pending.taskType),
            parameter: pending.parameter,
          },
        }
      : {}),
    ...(currentTask ? { current: dependencies.instruction(currentTask) } : {}),
    ...(own ? { ownMachine: own.name } : {}),
    ...(machines.length > 0 ? { ownMachines: machines } : {}),
  }
  return context
}

type Decided = Omit<TurnResult, 'sessionId'>

/**
 * The turn's whole result when the act settles it (small talk, a hand-off, help to find a
 * value); undefined when routing and planning carry on (an answer, a correction, a new request,
 * or an optional value skipped).
 */
export function respondToAct(
  act: DialogueAct,
  turn: TurnState,
  dependencies: DialogueDependencies,
): Decided | undefined {
  const { session } = turn
  const pending = session.pending
  const open = pending
    ? openQuestion(dependencies.instruction(pending.taskType), pending)
    : undefined
  switch (act.kind) {
    case 'handoff_request':
      return handOff(turn, 'requested', dependencies)
    case 'records_question':
      // Nothing to fix: answered in words; an open question stays open, as after small talk.
      return decided(RECORDS_REPLY, [])
    case 'small_talk': {
      if (act.topic === 'goodbye') {
        // The person is done: nothing is left waiting to follow a later, unrelated reply.
        delete session.pending
        session.queue = []
        return decided(smallTalkReply(act.topic), [])
      }
      // A pause: the question is not asked again, the person is finding the answer to it.
      if (act.topic === 'pause') return decided(smallTalkReply(act.topic), open ? [open] : [])
      // The open question stays open, re-asked once (not under every "thanks").
      const reAsk = pending && open && !pending.reminded ? open : undefined
      if (pending && reAsk) pending.reminded = true
      return decided(smallTalkReply(act.topic, reAsk?.question), reAsk ? [reAsk] : [])
    }
    case 'unsupported_value': {
      // The task stays; its question is asked again with the options it has.
      const instruction = dependencies.instruction(act.taskType)
      const spec = instruction.parameters.find((each) => each.name === act.parameter)
      if (!spec) return undefined
      const options = parameterOptions(spec)
      const question = {
        taskType: act.taskType,
        parameter: act.parameter,
        question: spec.question,
        ...(options ? { options } : {}),
      }
      delete session.known[act.parameter]
      session.pending = { taskType: act.taskType, parameter: act.parameter }
      session.queue = [act.taskType, ...session.queue.filter((task) => task !== act.taskType)]
      return {
        ...decided(unsupportedReply(instruction.title, optionLabel(act.value), spec.question), [
          question,
        ]),
        tasks: [act.taskType],
      }
    }
    case 'clarify': {
      if (!pending || !open) return undefined
      const spec = dependencies
        .instruction(pending.taskType)
        .parameters.find((each) => each.name === pending.parameter)
      if (!spec) return undefined
      const options = parameterOptions(spec)
      const choices = options?.map((option) => option.label) ?? []
      const own = assignedMachineOf(turn, dependencies.access)
      return {
        ...decided(clarifyReply(spec, open.question, choices, own?.name), [
          { ...open, ...(options ? { options } : {}) },
        ]),
        tasks: [pending.taskType],
      }
    }
    case 'dont_know': {
      if (!pending || !open) return undefined
      const instruction = dependencies.instruction(pending.taskType)
      if (canSkip(instruction, pending.parameter)) {
        // Optional: planned without the steps that need it, and said so.
        session.skipped = [...(session.skipped ?? []), `${pending.taskType}:${pending.parameter}`]
        const { left } = withoutActionsNeeding(instruction, new Set([pending.parameter]))
        turn.notes = [
          ...(turn.notes ?? []),
          skippedNote(
            pending.parameter,
            left.map((action) => action.title),
          ),
        ]
        delete session.pending
        turn.planText = ''
        return undefined
      }
      if (pending.helped) return handOff(turn, 'needs_a_person', dependencies)
      pending.helped = true
      const spec = instruction.parameters.find((each) => each.name === pending.parameter)
      if (!spec) return undefined
      const own = assignedMachineOf(turn, dependencies.access)
      // Still on the same task: the turn is about it, though nothing is planned yet.
      return {
        ...decided(dontKnowReply(spec, open.question, own?.name), [open]),
        tasks: [pending.taskType],
      }
    }
    default:
      return undefined
  }
}

/**
 * An answer, a correction or a skipped value: the value is kept and the queue goes on. A
 * correction plans its task again with the new value; an answer given with more than the
 * value has the rest read for the task's other values, or routed (`routeRest`) as a request.
 */
export async function takeValue(
  act: Extract<DialogueAct, { kind: 'answer' | 'correction' | 'dont_know' }>,
  turn: TurnState,
  routeRest: (remainder: string) => Promise<void>,
): Promise<void> {
  const { session } = turn
  if (act.kind !== 'dont_know') session.known[act.parameter] = act.value
  if (act.kind === 'correction') {
    // The value changes, not the task: the corrected task is planned again with it (and with
    // what else the correction's words name, read as a message).
    turn.planText = act.said ?? ''
    if (!session.pending)
      session.queue = [act.taskType, ...session.queue.filter((task) => task !== act.taskType)]
  }
  if (act.kind === 'answer' && act.remainder) {
    turn.planText = act.remainder
    turn.answerTaken = true
    if (act.request) await routeRest(act.remainder)
  }
  turn.tasks = [...session.queue]
}

/** "LT-0423, and my vpn is down too": the second request is queued after the answered one. */
export async function routeRemainder(
  turn: TurnState,
  remainder: string,
  router: RequestRouter,
  minimumScore: number,
): Promise<void> {
  const decision = await router.route(remainder)
  if ((decision.ranked[0]?.score ?? 0) < minimumScore) return
  const added = decision.tasks.filter((task) => !turn.session.queue.includes(task))
  turn.session.queue.push(...added)
  turn.ranked = decision.ranked
}

/** What no runbook covers: where to go instead (the topic's own hand-off, or the generic one). */
export function outOfScopeResult(
  session: Session,
  decision: RouteDecision,
  handoffs: ReadonlyMap<string, string>,
): Decided {
  const topic = decision.outOfScopeTopic
  const specific = topic ? handoffs.get(topic) : undefined
  const handoff = specific
    ? `That isn't something I can handle here, so I haven't done anything. ${specific}`
    : GENERIC_HANDOFF
  // An open question survives a detour ("what's the weather?"), and so does its task.
  if (!session.pending) session.queue = []
  return {
    ...decided(handoff, []),
    ranked: decision.ranked,
    outOfScope: { ...(topic ? { topic } : {}), handoff },
  }
}

function openQuestion(
  instruction: Instruction,
  pending: { taskType: string; parameter: string },
): MissingParameter | undefined {
  const spec = instruction.parameters.find((each) => each.name === pending.parameter)
  return spec
    ? { taskType: pending.taskType, parameter: pending.parameter, question: spec.question }
    : undefined
}

/** A person takes over: nothing is kept waiting here, so no question follows later replies. */
function handOff(
  turn: TurnState,
  reason: 'requested' | 'needs_a_person',
  dependencies: DialogueDependencies,
): Decided {
  const { session } = turn
  const taskType = session.pending?.taskType ?? session.queue[0] ?? session.lastTasks?.[0]
  const topic = taskType ? dependencies.instruction(taskType).title : undefined
  delete session.pending
  session.queue = []
  return { ...decided(handoffReply(reason, topic), []), handoff: { reason } }
}

function decided(reply: string, missing: MissingParameter[]): Decided {
  return { reply, tasks: [], plan: [], results: [], missing, ranked: [] }
}

/**
 * A how-to or why question (`options.answers`) ends the turn without a plan: answered from the
 * runbooks' prose, or handed off when they do not cover it. An open question stays open.
 * True when it did; routeTurn then says 'out_of_scope' (nothing to plan) and the answer is
 * the turn's result.
 */
export async function answerQuestion(
  turn: TurnState,
  decision: RouteDecision,
  options: Pick<HelpdeskCoreOptions, 'answers' | 'handoffs'>,
  onEvent: (event: TurnEvent) => void,
): Promise<boolean> {
  const session = turn.session
  const taskType = session.pending?.taskType ?? session.lastTasks?.[0]
  // What they said before this message (the history ends with this message itself).
  const said = session.history
    .slice(0, -1)
    .filter((entry) => entry.role === 'user')
    .at(-1)?.text
  const topic = taskType && said ? { taskType, said } : undefined
  const response = await options.answers?.respond(turn.message, decision, topic)
  if (!response) return false
  onEvent({ type: 'route-end', tasks: [], ranked: decision.ranked })
  turn.outOfScope =
    response.kind === 'answer'
      ? {
          reply: response.answer.text,
          tasks: [],
          plan: [],
          results: [],
          missing: [],
          ranked: decision.ranked,
          answer: response.answer,
        }
      : outOfScopeResult(turn.session, decision, options.handoffs)
  return true
}
