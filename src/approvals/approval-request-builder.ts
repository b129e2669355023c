import type { AuditValue } from '../audit/audit-log.ts'
import { HelpdeskError } from '../errors/index.ts'
import { replanForTarget } from '../execution/replan.ts'
import { describeInvocation } from '../executors/describe-invocation.ts'
import type { StepResult } from '../executors/executor.ts'
import { samePerson } from '../identity/user.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { Plan } from '../planning/plan.ts'
import type { ApprovalLevel } from '../policy/approval-policy.ts'
import type {
  ApprovalStepEntry,
  DryRunSummary,
  MachineFacts,
  NewApprovalRequest,
} from './approval-store.ts'

export interface ApprovalRequestInput {
  plan: Plan
  /** Whose request it is: the person acted for. */
  requester: string
  /** Who caused it, when not the requester (a technician acting for them). */
  actor?: string
  /** What the chat's dry run or read-only checks showed, shown to the approver. */
  dryRunResults?: readonly StepResult[]
  sessionId?: string
  /** The employee's own words: the chat message that led to the plan. */
  requestText?: string
  /** The run (audit request id) whose steps were held: its job carries on under this request. */
  jobId?: string
}

const OUTPUT_SHOWN = 4096
/** As long as a chat message may be by default (MAX_MESSAGE_CHARS). */
export const REQUEST_TEXT_SHOWN = 4000

/** How the inventory describes a machine, when it knows it. */
export type MachineLookup = (name: string) => MachineFacts | undefined

/**
 * The request a person will decide on. Every step is re-rendered from the runbook and the
 * re-validated parameters, exactly as the execution service will run it, so what is shown (and
 * its approval level) cannot come from a plan edited on its way here.
 * @throws {HelpdeskError} INVALID_INPUT for a plan that needs no approval or does not fit its runbook.
 */
export function buildApprovalRequest(
  input: ApprovalRequestInput,
  context: {
    instructions: ReadonlyMap<string, Instruction>
    id: string
    createdAt: Date
    ttlMinutes: number
    machineOf?: MachineLookup
  },
): NewApprovalRequest {
  const requester = input.requester.trim()
  if (!requester || requester.length > 128)
    throw invalid('a requester (1-128 characters) is required')
  const instruction = context.instructions.get(input.plan.taskType)
  if (!instruction) throw invalid(`unknown task type "${input.plan.taskType.slice(0, 60)}"`)
  if (input.plan.steps.length === 0) throw invalid('the plan has no steps')
  const rendered = input.plan.steps.map((step) =>
    replanForTarget(context.instructions, input.plan, step),
  )
  const level = Math.max(...rendered.map((step) => step.approvalLevel)) as ApprovalLevel
  if (level === 0) throw invalid('nothing in this plan changes anything: it runs without approval')
  const steps = rendered.map(
    (step): ApprovalStepEntry => ({
      stepId: step.id,
      title: step.title,
      executor: step.executor,
      risk: step.risk,
      readOnly: step.readOnly,
      approvalLevel: step.approvalLevel,
      wouldRun: describeInvocation(step.invocation),
      ...(step.target ? { target: step.target } : {}),
      ...dryRunOf(input.dryRunResults, step.id, step.target),
    }),
  )
  const expiresAt = new Date(context.createdAt.getTime() + context.ttlMinutes * 60_000)
  const requestText = input.requestText === undefined ? undefined : wordsOf(input.requestText)
  const machines = machinesOf(steps, context.machineOf)
  return {
    id: context.id,
    requester,
    ...(input.actor !== undefined && !samePerson(input.actor, requester)
      ? { actor: input.actor }
      : {}),
    taskType: instruction.id,
    runbook: { id: instruction.id, title: instruction.title },
    level,
    plan: { ...input.plan, steps: rendered },
    steps,
    ...(input.sessionId !== undefined ? { sessionId: input.sessionId } : {}),
    ...(requestText ? { requestText } : {}),
    ...(machines.length > 0 ? { machines } : {}),
    createdAt: context.createdAt.toISOString(),
    expiresAt: expiresAt.toISOString(),
  }
}

/** The steps as the audit trail records them: what runs, where, at which level. */
export function describeSteps(steps: readonly ApprovalStepEntry[]): AuditValue {
  return steps.map((step) => ({
    stepId: step.stepId,
    approvalLevel: step.approvalLevel,
    wouldRun: step.wouldRun,
    target: step.target ?? null,
  }))
}

/**
 * The employee's words as the approver reads them. A message longer than the chat allows by
 * default keeps its start and says, in the text itself, how much is not shown: the approver
 * sees that it was shortened, and the full message stays in the conversation.
 */
function wordsOf(text: string): string | undefined {
  const trimmed = text.trim()
  if (trimmed.length <= REQUEST_TEXT_SHOWN) return trimmed || undefined
  const omitted = trimmed.length - REQUEST_TEXT_SHOWN
  return `${trimmed.slice(0, REQUEST_TEXT_SHOWN)}\n[${omitted} more characters not shown]`
}

/** The machines the held steps change, once each, as the inventory describes them. */
function machinesOf(
  steps: readonly ApprovalStepEntry[],
  machineOf: MachineLookup | undefined,
): MachineFacts[] {
  if (!machineOf) return []
  const names = [
    ...new Set(
      steps.flatMap((step) => (step.approvalLevel > 0 && step.target ? [step.target] : [])),
    ),
  ]
  return names.flatMap((name) => {
    const facts = machineOf(name)
    return facts
      ? [{ name: facts.name, class: facts.class, assignedTo: [...facts.assignedTo] }]
      : []
  })
}

function dryRunOf(
  results: readonly StepResult[] | undefined,
  stepId: string,
  target: string | undefined,
): { dryRun?: DryRunSummary } {
  const found = results?.find(
    (result) =>
      result.stepId === stepId && (result.target === undefined || result.target === target),
  )
  if (!found) return {}
  return {
    dryRun: {
      status: found.status,
      output: found.stdout.slice(0, OUTPUT_SHOWN),
      ...(found.errorMessage ? { errorMessage: found.errorMessage.slice(0, OUTPUT_SHOWN) } : {}),
      ...(found.data ? { data: found.data } : {}),
    },
  }
}

function invalid(message: string): HelpdeskError {
  return new HelpdeskError({ code: 'INVALID_INPUT', message })
}
