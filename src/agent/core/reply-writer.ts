import {
  describeFailedPrecondition,
  failedPrecondition,
} from '../../approvals/approval-preconditions.ts'
import type { StepResult } from '../../executors/executor.ts'
import { splitSteps } from '../../knowledge/instructions/guidance-steps.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import type { Plan } from '../../planning/plan.ts'
import { APPROVAL_LEVEL_NAMES, type ApprovalLevel } from '../../policy/approval-policy.ts'
import { writeEmployeeReply } from './employee-reply.ts'
import type { MissingParameter } from './slot-filling.ts'
import type { PendingApproval } from './turn.ts'

/** How every hand-off reply opens: `isHandoffReply` recognises a conversation handed off by it. */
export const HANDOFF_OPENING = "That isn't something I can handle here"

export const GENERIC_HANDOFF =
  `${HANDOFF_OPENING}, so I haven't done anything. I help with IT problems ` +
  'such as passwords and lockouts, VPN and Wi-Fi, Outlook, Teams, OneDrive, printers, sound, ' +
  'monitors, slow or crashing computers and software installs. For anything else, please open ' +
  'a request in the IT portal or contact the service desk.'

/** Whether a reply sent the person elsewhere (the service desk, the IT portal). */
export function isHandoffReply(text: string): boolean {
  return text.startsWith(HANDOFF_OPENING)
}

/** Who reads a reply: `requester` (an employee) gets the short one, `technician` the full one. */
export type ReplyAudience = 'requester' | 'technician'

/** A turn's audience: the short reply for a signed-in requester, the full one otherwise. */
export function audienceOf(actor: { role: string } | undefined): ReplyAudience {
  return actor?.role === 'requester' ? 'requester' : 'technician'
}

/**
 * Composes the reply text; the structured plan travels beside it for the page to render. For a
 * requester it is the short, plain reply of `writeEmployeeReply`.
 */
export function writeReply(parts: {
  plans: ReadonlyArray<{
    plan: Plan
    instruction: Instruction
    results: readonly StepResult[]
    /** The machine group the plan is one member's share of. */
    group?: string
  }>
  question?: MissingParameter
  questionTitle?: string
  handoff?: string
  acknowledged?: string
  approvals?: readonly PendingApproval[]
  /** Default `technician`: the full reply, with steps, risks, statuses and outputs. */
  audience?: ReplyAudience
}): string {
  if (parts.audience === 'requester') {
    const short = writeEmployeeReply(parts)
    return [parts.acknowledged, short, parts.handoff].filter(Boolean).join('\n\n')
  }
  const paragraphs: string[] = []
  if (parts.acknowledged) paragraphs.push(parts.acknowledged)
  paragraphs.push(...describeGroups(parts.plans))
  const described = new Set<string>()
  // A technician asking for someone: level 1 is theirs or that person's to confirm, not "you".
  const forSomeone = parts.approvals?.find((each) => each.actor)?.requester
  const levelName = (level: ApprovalLevel) =>
    level === 1 && forSomeone
      ? `${forSomeone} or a technician confirms`
      : APPROVAL_LEVEL_NAMES[level]
  for (const { plan, instruction, results } of parts.plans) {
    // The same runbook on a group's next machine: its advice was already given once.
    paragraphs.push(
      describePlan(plan, instruction, results, !described.has(plan.taskType), levelName),
    )
    described.add(plan.taskType)
  }
  paragraphs.push(...(parts.approvals ?? []).map(describeApproval))
  if (parts.question) {
    const prefix = parts.questionTitle ? `For "${parts.questionTitle}": ` : ''
    const problem = parts.question.problem ? `${parts.question.problem}. ` : ''
    paragraphs.push(`${problem}${prefix}${parts.question.question}`)
  }
  if (parts.handoff) paragraphs.push(parts.handoff)
  return paragraphs.join('\n\n')
}

function describePlan(
  plan: Plan,
  instruction: Instruction,
  results: readonly StepResult[],
  withAdvice = true,
  levelName: (level: ApprovalLevel) => string = (level) => APPROVAL_LEVEL_NAMES[level],
): string {
  const parameters = Object.entries(plan.parameters)
    .map(([name, value]) => `${name}: ${value}`)
    .join(', ')
  const ran = results.filter((each) => each.status === 'succeeded' || each.status === 'failed')
  const held = results.filter((each) => each.status === 'awaiting_approval')
  const lines = [`**${plan.title}**${parameters ? ` (${parameters})` : ''}`]
  const blocked = held.length > 0 ? failedPrecondition(plan, results) : undefined
  if (ran.length === 0 && held.length === 0) {
    lines.push('Here is exactly what I would do. This is a dry run: nothing has been changed.')
  } else if (blocked) {
    lines.push(
      `I ran the checks that only read; nothing has been changed. ${describeFailedPrecondition(blocked)}`,
    )
  } else {
    lines.push(
      `I ran the checks that only read${ran.length ? '' : ' (none were needed)'}; nothing has been changed.` +
        (held.length
          ? ` ${held.length === 1 ? 'One step changes' : `${held.length} steps change`} something and ${held.length === 1 ? 'is' : 'are'} awaiting approval.`
          : ''),
    )
  }
  plan.steps.forEach((step, index) => {
    const where = step.target ? ` on ${step.target}` : ''
    const approval = levelName(step.approvalLevel)
    const result = results.find((each) => each.stepId === step.id)
    const status = result ? ` [${result.status.replace('_', '-')}]` : ''
    lines.push(`${index + 1}. ${step.title}${where} (risk ${step.risk}; ${approval})${status}`)
  })
  for (const result of ran) {
    const index = plan.steps.findIndex((step) => step.id === result.stepId)
    const found =
      result.status === 'failed'
        ? `could not finish: ${result.errorMessage ?? 'failed'}`
        : summariseOutput(result.stdout)
    if (found)
      lines.push(`Step ${index + 1} ${result.status === 'failed' ? found : `found: ${found}`}`)
  }
  const guidance = plan.steps
    .filter((step) => step.invocation.type === 'guidance')
    .map((step) => (step.invocation.type === 'guidance' ? step.invocation.text : ''))
  const firstSection = instruction.sections[0]
  if (!withAdvice) return lines.join('\n')
  // Steps the runbook numbered "(1) ... (2) ..." go one per line, so the page shows a list that
  // wraps; other guidance stays the runbook's paragraph (reference notes read badly cut up).
  if (guidance.length > 0) {
    const text = guidance.join(' ')
    lines.push(
      '',
      ...(/\(2\)\s/.test(text)
        ? ['What you can do:', ...splitSteps(text).map((step, index) => `${index + 1}. ${step}`)]
        : [`What you can do: ${text}`]),
    )
  } else if (firstSection)
    lines.push('', `${firstSection.heading}: ${firstLines(firstSection.text)}`)
  return lines.join('\n')
}

/** A line per machine group a request named: how each member fared, failures first. */
function describeGroups(
  plans: ReadonlyArray<{ plan: Plan; results: readonly StepResult[]; group?: string }>,
): string[] {
  const byGroup = new Map<string, Array<{ plan: Plan; results: readonly StepResult[] }>>()
  for (const each of plans) {
    if (!each.group) continue
    const key = `${each.plan.title}\u0000${each.group}`
    byGroup.set(key, [...(byGroup.get(key) ?? []), each])
  }
  return [...byGroup].map(([key, members]) => {
    const [title, group] = key.split('\u0000')
    const machines = members.map(({ plan, results }) => {
      const target = plan.steps.find((step) => step.target)?.target ?? '?'
      const failed = results.find((result) => result.status === 'failed')
      const status = failed
        ? `failed (${failed.errorMessage ?? failed.stepId})`
        : results.some((result) => result.status === 'awaiting_approval')
          ? 'checked; changes await approval'
          : results.some((result) => result.status === 'succeeded')
            ? 'done'
            : 'planned (dry run)'
      return { target, status, failed: Boolean(failed) }
    })
    const failures = machines.filter((each) => each.failed).length
    const ordered = [
      ...machines.filter((each) => each.failed),
      ...machines.filter((each) => !each.failed),
    ]
    return `**${title}** on the ${group} group (${machines.length} machines${failures ? `, ${failures} failed` : ''}): ${ordered.map((each) => `${each.target} ${each.status}`).join('; ')}.`
  })
}

/** The first few lines of a check's output: enough to see what it found; the card has the rest. */
function summariseOutput(stdout: string): string {
  const lines = stdout
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, 3)
  const text = lines.join(' | ')
  return text.length > 300 ? `${text.slice(0, 297)}...` : text
}

function firstLines(text: string): string {
  const paragraph = text.split(/\n\s*\n/)[0] ?? text
  return paragraph.length > 400 ? `${paragraph.slice(0, 397)}...` : paragraph
}

/**
 * One paragraph per approval request a turn opened, saying exactly who must act: at level 1 the
 * person it is for confirms it on the page (a technician asking for them may confirm it too); at
 * levels 2 and 3 a technician other than the one who asked approves it.
 */
export function describeApproval(approval: PendingApproval): string {
  const count = approval.stepIds.length
  const steps = count === 1 ? 'this step' : `these ${count} steps`
  const them = count === 1 ? 'it' : 'them'
  const request = `approval ${approval.id.slice(0, 8)}, open until ${approval.expiresAt.slice(0, 16).replace('T', ' ')} UTC`
  if (approval.level === 1 && approval.actor) {
    return `${approval.requester}, whom it is for, or a technician confirms ${steps} (${request}). As a technician you can: press Confirm on the plan below, or Cancel to drop ${them}. Nothing changes until then.`
  }
  if (approval.level === 1) {
    return `You confirm ${steps} (${request}): press Confirm on the plan below to carry ${them} out, or Cancel to drop ${them}. Nothing changes until you do.`
  }
  const who = approval.actor
    ? `A technician other than you and ${approval.requester} must approve`
    : 'A technician other than you must approve'
  const each =
    approval.level === 3 ? (count === 1 ? 'this step' : `each of these ${count} steps`) : steps
  return `${who} ${each} (${request}); you'll see the result here. I will carry ${them} out as soon as ${count === 1 || approval.level < 3 ? 'it is' : 'they are'} approved.`
}
