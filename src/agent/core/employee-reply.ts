/**
 * The reply an employee (a requester) reads: short, in second person, saying what was done or
 * found, what happens next and who acts, and the runbook's advice as numbered steps. It never
 * carries scripts, risk levels, step statuses, request ids, machine addresses, ports or error
 * codes: those stay in the structured plan and results, which the page shows collapsed, and in
 * the technician's reply (`writeReply` without `audience: 'requester'`).
 * @module
 */
import { failedPrecondition } from '../../approvals/approval-preconditions.ts'
import type { StepResult } from '../../executors/executor.ts'
import { employeeSteps } from '../../knowledge/instructions/guidance-steps.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import type { RiskLevel } from '../../knowledge/instructions/instruction-schema.ts'
import type { Plan } from '../../planning/plan.ts'
import { leftOutNote, stepsForPlatform } from './platform-steps.ts'
import { changePhrase, type MissingParameter } from './slot-filling.ts'
import type { PendingApproval } from './turn.ts'

/**
 * How long a technician typically takes to approve a change of each risk, in minutes: what the
 * employee is told to expect. A typical time, said as such, not a promise.
 */
export const TYPICAL_APPROVAL_MINUTES: Readonly<Record<RiskLevel, number>> = {
  low: 15,
  medium: 30,
  high: 60,
  critical: 120,
}

const RISK_ORDER: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical']

export interface EmployeeReplyParts {
  /** `group`: the machine group the plan is one member's share of (the machine is then named). */
  plans: ReadonlyArray<{
    plan: Plan
    results: readonly StepResult[]
    group?: string
    /** Its category says whether it grants something (access, an application) or fixes it. */
    instruction?: Pick<Instruction, 'id' | 'category'>
  }>
  question?: MissingParameter
  questionTitle?: string
  approvals?: readonly PendingApproval[]
}

export function writeEmployeeReply(parts: EmployeeReplyParts): string {
  const paragraphs: string[] = []
  const advised = new Set<string>()
  for (const { plan, results, group, instruction } of parts.plans) {
    const approvals = (parts.approvals ?? []).filter(
      (approval) =>
        approval.taskType === plan.taskType &&
        (approval.target === undefined ||
          plan.steps.some((step) => step.target === approval.target)),
    )
    const machine = group ? plan.steps.find((step) => step.target)?.target : undefined
    const granting = instruction ? ourChange(plan, instruction) : undefined
    paragraphs.push(
      describeForEmployee(plan, results, approvals, !advised.has(plan.taskType), machine, granting),
    )
    advised.add(plan.taskType)
  }
  if (parts.question) {
    const problem = parts.question.problem ? `${redactForRequester(parts.question.problem)}. ` : ''
    // Under the plan of another request ("the vpn ... since my password expired"), the question
    // says which request it is for.
    const taskType = parts.question.taskType
    const another =
      parts.plans.length > 0 && parts.plans.every(({ plan }) => plan.taskType !== taskType)
    const prefix = another && parts.questionTitle ? `For "${parts.questionTitle}": ` : ''
    // A detail only a technician's change by hand needs: say who acts and why it is asked.
    const purpose = parts.question.purpose
      ? `To ${parts.question.purpose}, a technician needs one detail from you. `
      : ''
    paragraphs.push(`${problem}${prefix}${purpose}${parts.question.question}`)
  }
  return paragraphs.join('\n\n')
}

function describeForEmployee(
  plan: Plan,
  results: readonly StepResult[],
  approvals: readonly PendingApproval[],
  withAdvice: boolean,
  machine: string | undefined,
  granting: OurChange | undefined,
): string {
  const lines = [`**${plan.title}**${machine ? ` on ${machine}` : ''}`]
  const checked = results.filter((each) => each.status === 'succeeded').length
  const failed = results.filter((each) => each.status === 'failed').length
  const held = results.filter((each) => each.status === 'awaiting_approval')
  const blocked = held.length > 0 ? failedPrecondition(plan, results) : undefined
  const done: string[] = []
  if (checked > 0 || failed > 0) {
    done.push(
      `I ran ${checked + failed === 1 ? 'a check' : 'some checks'}; nothing has been changed yet.`,
    )
  } else {
    done.push("I've worked out what to do; nothing has been changed yet.")
  }
  if (failed > 0 && !blocked) {
    done.push(
      `${failed === 1 ? 'One check' : `${failed} checks`} could not finish; a technician can see why in the details.`,
    )
  }
  lines.push(done.join(' '))
  const advice = withAdvice
    ? plan.steps.flatMap((step) =>
        step.invocation.type === 'guidance' ? (employeeSteps(step.invocation.text) ?? []) : [],
      )
    : []
  // A Linux machine gets no Windows-only steps ("Task Manager > Startup apps").
  const { steps, leftOut } = stepsForPlatform(advice, plan.parameters.platform)
  const note = leftOutNote(steps.length, leftOut)
  lines.push(nextStep(plan, held, approvals, blocked !== undefined, steps.length > 0, granting))
  if (steps.length > 0) {
    // A request's advice is for after it is done ("the program shows in the Start menu").
    lines.push('', granting === 'request' ? 'Once it is done:' : 'What you can do now:')
    steps.forEach((step, index) => {
      lines.push(`${index + 1}. ${step}`)
    })
  }
  if (note) lines.push('', note)
  return lines.join('\n')
}

/** What happens next and who acts, with the typical time when a technician must approve. */
function nextStep(
  plan: Plan,
  held: readonly StepResult[],
  approvals: readonly PendingApproval[],
  blocked: boolean,
  withSteps: boolean,
  granting: OurChange | undefined,
): string {
  if (blocked) {
    return 'I could not reach your computer, so nothing was asked for. Check that it is switched on and connected to the network (or the VPN), then ask me again; if it stays unreachable, tell me here and I hand it to a technician.'
  }
  if (held.length === 0 && granting) {
    // Access or an application asked for, an unlock or a reset: the plan is ours to carry out,
    // so "contact the service desk" would send them to ask again for what they just asked.
    if (granting === 'request')
      return "Next: a technician checks and approves your request, then it is carried out; you don't need to contact anyone."
    return withSteps
      ? 'Next: a technician checks and approves the change, then it is carried out. Meanwhile, the steps below help.'
      : "Next: a technician checks and approves the change, then it is carried out; you don't need to contact anyone."
  }
  if (held.length === 0) {
    // This chat is the service desk: the employee is never sent elsewhere to ask again.
    const byHand = plan.steps.find((step) => step.invocation.type === 'guidance' && !step.readOnly)
    const change = byHand ? changePhrase(byHand.title) : undefined
    if (change && !withSteps)
      return `Next: a technician needs to ${change}. Say "talk to a person" and I hand it over with this plan; the answer comes here.`
    return withSteps
      ? 'Next: you try the steps below. If that does not fix it, tell me here and I hand it to a technician with what we have found.'
      : `Next: the rest needs a technician. Say "talk to a person" and I hand it over with this plan; the answer comes here.`
  }
  const confirm = approvals.find((approval) => approval.level === 1)
  if (confirm && approvals.every((approval) => approval.level === 1)) {
    return 'Next: you confirm. Press Confirm below to go ahead, or Cancel to drop it. Nothing changes until you do.'
  }
  if (approvals.length === 0) {
    // No approval request could be opened (approvals are not set up): who decides, and how the
    // employee gets there from this chat.
    return `Next: a change is needed that a technician must approve. Say "talk to a person" and I hand it to a technician with this plan; you'll be told here when it is approved and done.`
  }
  const minutes = TYPICAL_APPROVAL_MINUTES[highestRisk(plan, held)]
  return `Next: a technician reviews and approves the change, typically within ${minutes} minutes. I carry it out as soon as it is approved; you'll see the result here.`
}

/**
 * A plan whose change is ours to carry out once approved, rather than advice: `request` for
 * something asked for (runbooks named so, "software_install_request", "jira_access_request"),
 * `access` for an account or share put right (an unlock, a reset). Undefined otherwise, or when
 * no step changes anything.
 */
type OurChange = 'request' | 'access'

function ourChange(
  plan: Plan,
  instruction: Pick<Instruction, 'id' | 'category'>,
): OurChange | undefined {
  const changes = plan.steps.some((step) => !step.readOnly && step.invocation.type !== 'guidance')
  if (!changes) return undefined
  if (instruction.id.endsWith('_request')) return 'request'
  return instruction.category === 'access' ? 'access' : undefined
}

function highestRisk(plan: Plan, held: readonly StepResult[]): RiskLevel {
  const risks = plan.steps
    .filter((step) => held.some((result) => result.stepId === step.id))
    .map((step) => RISK_ORDER.indexOf(step.risk))
  return RISK_ORDER[Math.max(0, ...risks)] ?? 'low'
}

/**
 * Removes what only a technician can use from text that reaches a requester: IP addresses,
 * host:port pairs, ports, error codes (ECONNREFUSED, 0x80070005), ids of requests.
 */
export function redactForRequester(text: string): string {
  return text
    .replace(/\s*\(approval [0-9a-f]{8}\)/g, '')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '[id]')
    .replace(/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g, '[address]')
    .replace(/\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b/gi, '[address]')
    .replace(/\b[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*:\d{2,5}\b/g, '[address]')
    .replace(/\bport\s+\d{1,5}\b/gi, 'a port')
    .replace(/\b0x[0-9a-f]{4,16}\b/gi, '[code]')
    .replace(/\bE[A-Z]{4,}\b/g, '[code]')
}
