import type { StepResult } from '../../executors/executor.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import type { Plan } from '../../planning/plan.ts'
import { APPROVAL_LEVEL_NAMES } from '../../policy/approval-policy.ts'
import type { MissingParameter } from './slot-filling.ts'
import type { PendingApproval } from './turn.ts'

export const GENERIC_HANDOFF =
  "That isn't something I can handle here, so I haven't done anything. I help with IT problems " +
  'such as passwords and lockouts, VPN and Wi-Fi, Outlook, Teams, OneDrive, printers, sound, ' +
  'monitors, slow or crashing computers and software installs. For anything else, please open ' +
  'a request in the IT portal or contact the service desk.'

/** Composes the reply text; the structured plan travels beside it for the page to render. */
export function writeReply(parts: {
  plans: ReadonlyArray<{ plan: Plan; instruction: Instruction; results: readonly StepResult[] }>
  question?: MissingParameter
  questionTitle?: string
  handoff?: string
  acknowledged?: string
  approvals?: readonly PendingApproval[]
}): string {
  const paragraphs: string[] = []
  if (parts.acknowledged) paragraphs.push(parts.acknowledged)
  for (const { plan, instruction, results } of parts.plans) {
    paragraphs.push(describePlan(plan, instruction, results))
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
): string {
  const parameters = Object.entries(plan.parameters)
    .map(([name, value]) => `${name}: ${value}`)
    .join(', ')
  const ran = results.filter((each) => each.status === 'succeeded' || each.status === 'failed')
  const held = results.filter((each) => each.status === 'awaiting_approval')
  const lines = [`**${plan.title}**${parameters ? ` (${parameters})` : ''}`]
  if (ran.length === 0 && held.length === 0) {
    lines.push('Here is exactly what I would do. This is a dry run: nothing has been changed.')
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
    const approval = APPROVAL_LEVEL_NAMES[step.approvalLevel]
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
  if (guidance.length > 0) lines.push('', `What you can do: ${guidance.join(' ')}`)
  else if (firstSection) lines.push('', `${firstSection.heading}: ${firstLines(firstSection.text)}`)
  return lines.join('\n')
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

/** One paragraph per approval request a turn opened. */
export function describeApproval(approval: PendingApproval): string {
  const count = approval.stepIds.length
  return `I asked a technician to approve ${count === 1 ? 'the step' : `${count} steps`} that change something (approval ${approval.id.slice(0, 8)}, open until ${approval.expiresAt.slice(0, 16).replace('T', ' ')} UTC). I will carry ${count === 1 ? 'it' : 'them'} out as soon as it is approved.`
}
