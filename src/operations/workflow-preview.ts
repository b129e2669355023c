import { APPROVAL_LEVEL_NAMES } from '../policy/approval-policy.ts'
import type { WorkflowPlan } from './build-workflow.ts'
import { PARALLEL_TARGETS } from './build-workflow.ts'
import type { WorkflowCondition, WorkflowPlatform, WorkflowStep } from './workflow.ts'

/**
 * The preview a technician reads before approving, written the way a senior technician would
 * brief a colleague: what will happen in plain words, on how many machines of which OS, what is
 * skipped and why, the exact scripts per OS, the approval each step needs and how long it should
 * take. Nothing has run when this is shown.
 * @module
 */

const CONDITION_WORDS: Readonly<Record<WorkflowCondition, string>> = {
  'only-where-running': 'only where it is running',
  'only-where-stopped': 'only where it is stopped',
  'only-where-installed': 'only where it is installed',
  'only-where-missing': 'only where it is not installed yet',
}

const PLATFORM_NAMES: Readonly<Record<WorkflowPlatform, string>> = {
  linux: 'Linux (Bash)',
  windows: 'Windows (PowerShell)',
}

export function previewWorkflow(plan: WorkflowPlan): string {
  const { workflow, targetsByOs } = plan
  const count = workflow.targets.length
  const lines: string[] = []
  lines.push(
    `Plan: ${workflow.steps.length} step${plural(workflow.steps.length)} on ${count} machine${plural(count)}. Nothing has run yet.`,
    '',
    'Steps:',
  )
  workflow.steps.forEach((step, index) => {
    lines.push(`${index + 1}. ${sentence(step)}`)
    if (step.transfer) lines.push(`   ${fileLine(step)}`)
    lines.push(
      `   Approval: ${step.changes ? APPROVAL_LEVEL_NAMES[plan.approvals[index] ?? 1] : APPROVAL_LEVEL_NAMES[0]} (${step.risk} risk).`,
    )
  })
  if (workflow.steps.some((step) => step.changes)) {
    lines.push(
      'A failure on one machine does not stop the others; on a machine where a later step fails, the steps already done there are rolled back where they can be.',
    )
  }
  for (const title of plan.conditionIgnored) {
    lines.push(`Note: "${title}" has no check for the condition you gave; it runs on every target.`)
  }
  lines.push('', 'Targets:')
  const osParts = (Object.keys(targetsByOs) as WorkflowPlatform[])
    .filter((platform) => targetsByOs[platform].length > 0)
    .map(
      (platform) =>
        `${platform === 'linux' ? 'Linux' : 'Windows'} ${targetsByOs[platform].length} (${targetsByOs[platform].join(', ')})`,
    )
  lines.push(count ? `- ${count} machine${plural(count)}: ${osParts.join('; ')}` : '- none')
  if (plan.excluded.length) lines.push(`- Left out as you asked: ${plan.excluded.join(', ')}`)
  if (plan.unknownMachines.length)
    lines.push(
      `- Not in the inventory, skipped: ${plan.unknownMachines.join(', ')} (check the name, or add the machine to the inventory)`,
    )
  if (plan.unsupported.length)
    lines.push(`- No script for their OS, skipped: ${plan.unsupported.join(', ')}`)
  lines.push(
    '- Reachability is checked when the job starts; a machine that cannot be reached is reported as failed and the others go on.',
  )
  const platforms = (Object.keys(targetsByOs) as WorkflowPlatform[]).filter(
    (platform) => targetsByOs[platform].length > 0,
  )
  lines.push('', 'Exact scripts:')
  workflow.steps.forEach((step, index) => {
    for (const platform of platforms) {
      const parts: Array<[string, string | undefined]> = [
        ['check first (skips the machine when it fails)', step.condition?.scripts[platform]],
        ['backup', step.backup?.[platform]],
        ['run', step.scripts[platform]],
        ['verify', step.verify?.[platform]],
        ['rollback if a later step fails', step.rollback?.[platform]],
      ]
      for (const [label, script] of parts) {
        if (!script) continue
        lines.push(`Step ${index + 1}, ${PLATFORM_NAMES[platform]}, ${label}:`)
        lines.push(fence(platform), script.trimEnd(), '```')
      }
    }
  })
  if (!platforms.length) lines.push('(no machine to run on)')
  lines.push(
    '',
    `Estimated duration: about ${duration(plan.estimatedSeconds)} (${count} machine${plural(count)}, up to ${PARALLEL_TARGETS} at a time).`,
  )
  return lines.join('\n')
}

function sentence(step: WorkflowStep): string {
  const extras: string[] = []
  if (step.condition) extras.push(CONDITION_WORDS[step.condition.kind])
  if (step.backup && step.transfer)
    extras.push(
      step.parameters.overwrite === 'yes'
        ? 'an existing file is backed up first, then replaced'
        : 'refused where the file already exists (say overwrite to replace it)',
    )
  else if (step.backup) extras.push('the current file is backed up first')
  if (step.transfer) extras.push('the file is uploaded and its size and SHA-256 checked there')
  if (step.verify) extras.push('then verified')
  if (step.changes && !step.rollback) extras.push('cannot be rolled back')
  const limit = `time limit ${step.timeoutSeconds} s per machine`
  return `${step.title}${extras.length ? `, ${extras.join('; ')}` : ''} (${step.changes ? 'changes the machine' : 'read-only'}, ${limit}).`
}

/** What a copy sends, so the approver sees the very file: name, size, SHA-256, destination. */
function fileLine(step: WorkflowStep): string {
  const file = step.transfer
  if (!file) return ''
  return `File: ${file.source} from the files directory, ${file.size.toLocaleString('en-US')} bytes, SHA-256 ${file.sha256} -> ${file.destination} (uploaded first as ${file.destination}.helpdesk-upload).`
}

function fence(platform: WorkflowPlatform): string {
  return platform === 'linux' ? '```bash' : '```powershell'
}

function plural(count: number): string {
  return count === 1 ? '' : 's'
}

function duration(seconds: number): string {
  if (seconds < 90) return `${seconds} s`
  const minutes = Math.round(seconds / 60)
  return `${minutes} min`
}
