import type { StepResult } from '../../executors/executor.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import type { Plan } from '../../planning/plan.ts'
import { APPROVAL_LEVEL_NAMES } from '../../policy/approval-policy.ts'
import type { MissingParameter } from './slot-filling.ts'

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
}): string {
  const paragraphs: string[] = []
  if (parts.acknowledged) paragraphs.push(parts.acknowledged)
  for (const { plan, instruction, results } of parts.plans) {
    paragraphs.push(describePlan(plan, instruction, results))
  }
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
  const lines = [
    `**${plan.title}**${parameters ? ` (${parameters})` : ''}`,
    'Here is exactly what I would do. This is a dry run: nothing has been changed.',
  ]
  plan.steps.forEach((step, index) => {
    const where = step.target ? ` on ${step.target}` : ''
    const approval = APPROVAL_LEVEL_NAMES[step.approvalLevel]
    const result = results.find((each) => each.stepId === step.id)
    const status = result ? ` [${result.status.replace('_', '-')}]` : ''
    lines.push(`${index + 1}. ${step.title}${where} (risk ${step.risk}; ${approval})${status}`)
  })
  const guidance = plan.steps
    .filter((step) => step.invocation.type === 'guidance')
    .map((step) => (step.invocation.type === 'guidance' ? step.invocation.text : ''))
  const firstSection = instruction.sections[0]
  if (guidance.length > 0) lines.push('', `What you can do: ${guidance.join(' ')}`)
  else if (firstSection) lines.push('', `${firstSection.heading}: ${firstLines(firstSection.text)}`)
  return lines.join('\n')
}

function firstLines(text: string): string {
  const paragraph = text.split(/\n\s*\n/)[0] ?? text
  return paragraph.length > 400 ? `${paragraph.slice(0, 397)}...` : paragraph
}
