import type { InventoryData, Target } from '../inventory/inventory-schema.ts'
import {
  type AccessPolicy,
  type Actor,
  isTechnician,
  TECHNICIAN_CONTACT,
} from '../policy/access-policy.ts'
import { buildWorkflow, type WorkflowPlan } from './build-workflow.ts'
import type { FilesDirectory } from './files-directory.ts'
import { answerInventoryQuestion } from './inventory-answers.ts'
import { OfflineRequestReader } from './offline-request-reader.ts'
import type { OperationCatalog } from './operation-catalog.ts'
import type { OperationRequestReader } from './operation-request-reader.ts'
import { namesAnAction } from './request-fallback.ts'
import { escapeRegExp } from './request-groups.ts'
import { evaluationRecord, type OperationRequest, type ReadRequest } from './request-reader.ts'
import { mixedTargetsRefusal } from './request-target-sets.ts'
import { findTargets, fleetOf, hasTarget } from './request-targets.ts'
import { cutValueRefusal } from './request-whole-values.ts'
import { type MachineProposal, proposalsFor } from './script-proposal.ts'
import { previewWorkflow } from './workflow-preview.ts'

/**
 * The chat's door to operations: reads a message with the offline reader and, when it is work on
 * machines or a question about the inventory, answers it here (the preview of the workflow, or
 * the inventory's answer) instead of the employee runbooks. Technicians and admins only: a
 * requester asking for work on servers or groups gets the access policy's plain refusal, and a
 * requester's work on their own laptop goes on to the employee runbooks. Nothing runs here: the
 * workflow is handed back for the job engine to run after approval.
 * @module
 */

/** What the desk needs of an inventory: its machines and its groups, read-only. */
export interface InventoryView {
  list(): readonly Target[]
  groupNames(): string[]
  members(name: string): Array<{ name: string }> | undefined
}

export interface OperationsTurn {
  /**
   * `clarify`: fleet work the reader could not read in full; the reply asks what it missed.
   * `proposal`: work no catalog operation expresses, as a configured model scripted it
   * (`proposals`, one per machine, for the `propose_script` approvals).
   */
  kind: 'operation' | 'inventory' | 'refused' | 'clarify' | 'proposal'
  reply: string
  /** What the reader read (the evaluation record of docs/operations.md). */
  request: OperationRequest
  /** For an operation: the workflow to run after approval, and what the preview said. */
  plan?: WorkflowPlan
  /** For a refusal: why, in the access policy's words. */
  refused?: string[]
  /** For a proposal: the script per machine, each to be approved in full before it runs. */
  proposals?: MachineProposal[]
}

/** "same for LT-0423", "and the same on web02", "do the same thing for the finance group". */
const SAME_FOR =
  /^\s*(?:(?:and|ok|okay|now|then|great|thanks)[,!.]?\s+)*(?:(?:please\s+)?(?:do\s+)?(?:the\s+)?same\s+(?:thing\s+)?(?:for|on|with)|likewise\s+(?:for|on)|(?:now\s+|also\s+)?(?:again\s+)?on)\s+(?=\S)/i

/** How many earlier messages a follow-up looks back through for the operation it repeats. */
const FOLLOW_UP_REACH = 5

/** What the desk needs of the employee router: whether the runbooks know a message's problem. */
export interface RunbookRouter {
  route(text: string): Promise<{ tasks: readonly string[] }>
}

export class OperationsDesk {
  private readonly catalog: OperationCatalog
  private readonly inventory: InventoryView
  private readonly access: AccessPolicy
  private readonly files: FilesDirectory | undefined
  private readonly runbooks: RunbookRouter | undefined
  private readonly reader: OperationRequestReader
  /** The offline rules: requesters' messages and the earlier messages of a follow-up. */
  private readonly rules = new OfflineRequestReader()

  constructor(options: {
    catalog: OperationCatalog
    inventory: InventoryView
    access: AccessPolicy
    /** Where file copies come from (HELPDESK_FILES_DIRECTORY); without it copies are refused. */
    files?: FilesDirectory
    /** The employee router, for `defersToRunbooks`; without it the desk always asks. */
    runbooks?: RunbookRouter
    /** How messages are read; the offline rules unless a model is configured. */
    reader?: OperationRequestReader
  }) {
    this.catalog = options.catalog
    this.inventory = options.inventory
    this.access = options.access
    this.files = options.files
    this.runbooks = options.runbooks
    this.reader = options.reader ?? new OfflineRequestReader()
  }

  /** How this desk reads messages, for the start-up log. */
  get readerDescription(): string {
    return this.reader.description
  }

  /**
   * Whether a technician's message that names machines but asks for no operation is a problem the
   * runbooks know ("SRV-FILE-01 is running slow"): then the runbook's diagnostics serve them
   * better than "What should I do on SRV-FILE-01?". Work without machines ("install htop") stays
   * fleet work and is asked about.
   */
  async defersToRunbooks(turn: OperationsTurn, message: string): Promise<boolean> {
    if (turn.kind !== 'clarify' || turn.request.kind === 'employee' || !this.runbooks) return false
    // "restart the service on web01" asks for work and is asked which service.
    if (turn.request.operations.length > 0 || namesAnAction(message)) return false
    return (await this.runbooks.route(message)).tasks.length > 0
  }

  /** Whether the message only points the earlier request at other machines ("same for LT-0423"). */
  isFollowUp(message: string): boolean {
    return SAME_FOR.test(message)
  }

  /**
   * "same for LT-0423" after "restart the Spooler service on WS-FIN-12" (`earlier`: the user's
   * earlier messages, latest first): the earlier operation's
   * work on the machines the follow-up names, checked and previewed like a request of its own
   * (the earlier message supplies the values, so they are checked whole against it). Undefined
   * when the earlier message was no operation read in full or the follow-up names no machine.
   */
  async answerFollowUp(
    earlier: readonly string[],
    message: string,
    actor: Actor | undefined,
  ): Promise<OperationsTurn | undefined> {
    if (!actor || !this.isFollowUp(message)) return undefined
    const fleet = fleetOf(this.snapshot())
    // The latest earlier message that was an operation read in full ("same for web02" twice in a
    // row repeats the operation before them).
    let previous: string | undefined
    let before: ReadRequest | undefined
    for (const text of earlier.slice(0, FOLLOW_UP_REACH)) {
      // The rules, not a model: deterministic and free, five messages back.
      const read = await this.rules.read(text, fleet)
      if (read.kind === 'operation' && read.clarify === null && read.operations.length > 0) {
        previous = text
        before = read
        break
      }
    }
    if (previous === undefined || before === undefined) return undefined
    const now = findTargets(message.replace(SAME_FOR, ' '), fleet)
    if (!hasTarget(now)) return undefined
    const read: ReadRequest = {
      ...before,
      targets: now.targets,
      unknownMachines: now.unknownMachines,
      machineClass: now.allClass,
    }
    return this.answer(`${previous}\n${message}`, actor, { read })
  }

  /**
   * The answer when the message is an operation or an inventory question for this actor; undefined
   * when the employee runbooks should take it (an employee's request, or a requester's own machine).
   */
  async answer(
    message: string,
    actor: Actor | undefined,
    followUp?: { read: ReadRequest },
  ): Promise<OperationsTurn | undefined> {
    // Without sign-in nobody is known to be a technician: the employee path keeps the turn.
    if (!actor) return undefined
    const data = this.snapshot()
    // A configured model reads technicians' messages only: a requester's access is decided on
    // the rules' reading, and their turns never wait on the model.
    const reader = isTechnician(actor.role) ? this.reader : this.rules
    const read = followUp?.read ?? (await reader.read(message, fleetOf(data)))
    const request = evaluationRecord(read)
    const cut = read.kind === 'operation' ? cutValueRefusal(message, read) : null
    if (cut !== null) {
      const shown = isTechnician(actor.role) ? request : withoutTargets(request)
      return { kind: 'refused', reply: cut, request: shown, refused: [cut] }
    }
    if (read.kind === 'employee') {
      // "install htop" with no machine: an employee's software request by its words, but from a
      // technician it is fleet work, so they are asked which machines, never given a runbook.
      return isTechnician(actor.role) && read.clarify !== null
        ? { kind: 'clarify', reply: read.clarify, request }
        : undefined
    }
    // A requester who mentions a server without asking for any work ("the intranet on web02 is
    // down for me") has a problem for the employee runbooks, not fleet work to refuse.
    if (!isTechnician(actor.role) && read.clarify !== null) return undefined
    if (!isTechnician(actor.role))
      return this.forRequester(actor, message, read.kind, request, read.unknownMachines)
    // Named servers or groups but not read in full: ask, never an employee runbook.
    if (read.clarify !== null) return { kind: 'clarify', reply: read.clarify, request }
    // A follow-up names one set of machines for the earlier request's work.
    const mixed =
      read.kind === 'operation' && !followUp ? mixedTargetsRefusal(message, fleetOf(data)) : null
    if (mixed !== null) return { kind: 'refused', reply: mixed, request, refused: [mixed] }
    if (read.kind === 'inventory') {
      return { kind: 'inventory', reply: answerInventoryQuestion(read, data), request }
    }
    if (read.proposal) {
      const proposed = proposalsFor(read, data)
      return proposed.ok
        ? { kind: 'proposal', reply: proposed.reply, request, proposals: proposed.proposals }
        : {
            kind: 'refused',
            reply: `I can't prepare that as written: ${proposed.reason}`,
            request,
            refused: [proposed.reason],
          }
    }
    const built = buildWorkflow(read, this.catalog, data, this.files)
    if (!built.ok) {
      return {
        kind: 'refused',
        reply: `I can't prepare that as written: ${built.reason}`,
        request,
        refused: [built.reason],
      }
    }
    return { kind: 'operation', reply: previewWorkflow(built.plan), request, plan: built.plan }
  }

  /**
   * A requester's refusal names only what they typed and is the same whether a machine exists or
   * not: the targets the reader resolved (a machine found by a role's initials, a group by its
   * words, which names the inventory knows) are left out of the answer.
   */
  private forRequester(
    actor: Actor,
    message: string,
    kind: 'operation' | 'inventory',
    request: OperationRequest,
    unknownMachines: readonly string[],
  ): OperationsTurn | undefined {
    const shown = withoutTargets(request)
    if (kind === 'inventory') {
      const reason = `Questions about the machine inventory are for technicians; ${TECHNICIAN_CONTACT}.`
      return { kind: 'refused', reply: reason, request: shown, refused: [reason] }
    }
    const { targets } = request
    const refusals = new Set<string>()
    const group = targets.all ? 'all machines' : targets.groups[0]
    if (group !== undefined) {
      const named = targets.all || typedIn(message, group) ? group : 'the machines you named'
      const decision = this.access.checkPlan(
        actor,
        { parameters: [] },
        { parameters: {}, steps: [] },
        named,
      )
      if (!decision.ok) refusals.add(decision.reason)
    }
    for (const name of [...targets.machines, ...unknownMachines]) {
      const decision = this.access.checkMachine(actor, name)
      if (decision.ok) continue
      refusals.add(
        typedIn(message, name)
          ? decision.reason
          : `The machines you named aren't computers assigned to you, so I can't run anything on them; ${TECHNICIAN_CONTACT}.`,
      )
    }
    // Only their own laptop or workstation: the employee runbooks handle it as any request.
    if (refusals.size === 0) return undefined
    return {
      kind: 'refused',
      reply: [...refusals].join('\n'),
      request: shown,
      refused: [...refusals],
    }
  }

  private snapshot(): Pick<InventoryData, 'targets' | 'groups'> {
    const groups: Record<string, string[]> = {}
    for (const name of this.inventory.groupNames()) {
      groups[name] = (this.inventory.members(name) ?? []).map((member) => member.name)
    }
    return { targets: [...this.inventory.list()], groups }
  }
}

/** The request as a requester may see it back: what was asked, not which machines it resolved to. */
function withoutTargets(request: OperationRequest): OperationRequest {
  return { ...request, targets: { machines: [], groups: [], all: false, os: null } }
}

/** Did the message name this machine or group itself, as a word of its own (any letter case)? */
function typedIn(message: string, name: string): boolean {
  const escaped = escapeRegExp(name)
  return new RegExp(`(?<![A-Za-z0-9_.-])${escaped}(?![A-Za-z0-9_-])`, 'i').test(message)
}
