import { forcedToolArguments } from '../models/chat-completion.ts'
import type { ModelEndpoint } from '../models/model-endpoint.ts'
import {
  COMPOSE_SCHEMA,
  checkComposedRequest,
  INVENTORY_OPERATIONS,
} from './model-request-answer.ts'
import type { OperationCatalog } from './operation-catalog.ts'
import type { OperationRequestReader } from './operation-request-reader.ts'
import { namesAnAction } from './request-fallback.ts'
import { evaluationRecord, type ReadRequest } from './request-reader.ts'
import { type Fleet, findTargets, hasTarget } from './request-targets.ts'

export const COMPOSE_TOOL = 'compose_operations'

const SYSTEM_PROMPT = [
  "You read technicians' requests for work on machines and groups, and questions about the",
  'machine inventory. Call compose_operations once. kind "operation": the catalog operations in',
  'the order they must run, each with only the parameters the message gives, values exactly as',
  'written (never guess a service, package, path, host or port); the targets by inventory names',
  '(machines, groups, or all with an optional os, and except for what the message leaves out);',
  'a condition only when the message limits a change ("only where it is running"). kind',
  '"inventory": a question about the machines themselves, answered from the inventory, with one',
  'inventory.* operation and no parameters. kind "employee": someone\'s own problem (their',
  'laptop, account, application) and no work asked on fleet machines. kind "script": work on',
  'named machines that no catalog operation can express: give a Bash script for Linux targets',
  'and a PowerShell script for Windows targets and the reason; a technician reads it in full',
  'and approves it before anything runs. "draft" is what offline rules read; correct it.',
].join(' ')

/**
 * A configured LLM composes the request from the catalog (one forced tool call over chat
 * completions, through the endpoint's guarded fetch: time limit, retries, tool-call checks). It
 * is told the message, the catalog (ids, titles, descriptions, parameter names and kinds), the
 * inventory's machine names with their operating system and class, the group names, and the
 * offline rules' reading as a draft; never addresses, accounts, credentials or scripts of the
 * catalog. Its answer is checked whole (model-request-answer.ts); when it cannot be asked or
 * its answer is refused, the offline reading stands and the reason is logged (never the message).
 */
export class ModelRequestReader implements OperationRequestReader {
  readonly description: string
  private readonly endpoint: ModelEndpoint
  private readonly catalog: OperationCatalog
  private readonly offline: OperationRequestReader
  private readonly log: (line: string) => void

  constructor(options: {
    endpoint: ModelEndpoint
    catalog: OperationCatalog
    /** The reading kept when the model's answer is refused, and shown to it as a draft. */
    offline: OperationRequestReader
    log: (line: string) => void
  }) {
    this.endpoint = options.endpoint
    this.catalog = options.catalog
    this.offline = options.offline
    this.log = options.log
    this.description = `${options.endpoint.model} at ${options.endpoint.baseURL}, checked against the catalog and inventory`
  }

  async read(message: string, fleet: Fleet): Promise<ReadRequest> {
    const draft = await this.offline.read(message, fleet)
    // An employee's problem with no machine, group or work named: nothing for the model to
    // compose, so the turn does not wait on it.
    if (
      draft.kind === 'employee' &&
      !hasTarget(findTargets(message, fleet)) &&
      !namesAnAction(message)
    )
      return draft
    let answer: unknown
    try {
      answer = await this.ask(message, fleet, draft)
    } catch (error) {
      this.log(
        `operations: the model could not be asked, the offline reading stands: ${(error as Error).message}`,
      )
      return draft
    }
    const checked = checkComposedRequest(answer, { message, catalog: this.catalog, fleet })
    if (!checked.ok) {
      this.log(
        `operations: the model's answer was refused, the offline reading stands: ${checked.reason}`,
      )
      return draft
    }
    return checked.read
  }

  private async ask(message: string, fleet: Fleet, draft: ReadRequest): Promise<unknown> {
    const catalog = [
      ...this.catalog.list().map((operation) => ({
        id: operation.id,
        title: operation.title,
        description: operation.description,
        changes: operation.changes,
        parameters: operation.parameters.map((spec) => ({
          name: spec.name,
          kind: spec.kind,
          required: spec.required && spec.default === undefined,
          description: spec.description,
        })),
      })),
      ...INVENTORY_OPERATIONS.map((id) => ({ id, description: INVENTORY_DESCRIPTIONS[id] })),
    ]
    const inventory = {
      machines: fleet.machines.map(({ name, os, class: machineClass }) => ({
        name,
        os,
        class: machineClass,
      })),
      groups: Object.keys(fleet.groups).sort(),
    }
    return forcedToolArguments(this.endpoint, {
      system: SYSTEM_PROMPT,
      user: JSON.stringify({
        message,
        catalog,
        inventory,
        draft: { ...evaluationRecord(draft), clarify: draft.clarify },
      }),
      tool: {
        name: COMPOSE_TOOL,
        description: 'Report the operations, targets and condition the message asks for.',
        parameters: COMPOSE_SCHEMA,
      },
    })
  }
}

const INVENTORY_DESCRIPTIONS: Record<string, string> = {
  'inventory.count': 'How many machines (optionally by OS, group, class)',
  'inventory.describe': "One machine's details",
  'inventory.list': 'Which machines are in a group or match an OS or class',
}
