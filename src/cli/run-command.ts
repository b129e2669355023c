import { randomUUID } from 'node:crypto'
import { userInfo } from 'node:os'
import { validateParameter } from '../agent/core/parameter-validation.ts'
import { fillSlots } from '../agent/core/slot-filling.ts'
import { buildExecution, type ExecutionRuntime } from '../app/build-execution.ts'
import { loadConfig } from '../config/load-config.ts'
import { HelpdeskError } from '../errors/index.ts'
import { runFleet } from '../execution/fleet-runner.ts'
import type { StepResult } from '../executors/executor.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import { loadInstructions } from '../knowledge/instructions/instruction-loader.ts'
import type { Plan } from '../planning/plan.ts'
import { buildPlan } from '../planning/planner.ts'
import type { ApprovalRecord } from '../policy/approval-record.ts'
import { log } from './commands.ts'

export interface RunOptions {
  param: string[]
  target?: string
  group?: string
  dryRun?: boolean
  yes?: boolean
  requester?: string
  json?: boolean
}

/**
 * `helpdesk run TASK_TYPE --param name=value ... [--target T | --group G] [--dry-run] [--yes]`.
 * Exit codes: 0 every step succeeded (or was dry-run); 1 a step failed or awaits approval;
 * 2 the command line was invalid and nothing ran. This contract is used outside the repository.
 */
export async function runCommand(taskType: string, options: RunOptions): Promise<void> {
  const config = loadConfig()
  const instructions = new Map(
    (await loadInstructions(config.INSTRUCTIONS_DIR)).map((each) => [each.id, each]),
  )
  const instruction = instructions.get(taskType)
  if (!instruction) {
    throw invalid(
      `unknown task type "${taskType.slice(0, 60)}"; valid: ${[...instructions.keys()].join(', ')}`,
    )
  }
  if (options.target && options.group) throw invalid('give --target or --group, not both')
  const operator = userInfo().username
  const requester = options.requester ?? `cli:${operator}`
  const execution = await buildExecution(config, instructions, options.json ? () => undefined : log)
  try {
    const members = options.group
      ? requireInventory(execution, '--group')
          .group(options.group)
          .map((each) => each.name)
      : undefined
    const values = parameterValues(instruction, options, execution, members?.[0])
    const plan = buildPlan(instruction, values)
    const approval: ApprovalRecord | undefined = options.yes
      ? {
          id: randomUUID(),
          approver: operator,
          approvedAt: new Date().toISOString(),
          level: 3,
          scope: 'step',
          stepIds: plan.steps.map((step) => step.id),
          via: 'cli --yes',
        }
      : undefined
    const requestId = randomUUID()
    const outcome: Array<{ stepId: string; target?: string; result: StepResult }> = []
    for (const step of plan.steps) {
      const base = {
        plan,
        step,
        requester,
        requestId,
        actor: operator,
        ...(approval ? { approval } : {}),
        ...(options.dryRun ? { dryRun: true } : {}),
      }
      if (members && step.target) {
        const fleet = await runFleet(execution.service, {
          ...base,
          targets: members,
          concurrency: config.FLEET_CONCURRENCY,
          onEvent: (event) => {
            if (!options.json && event.type === 'fleet-progress')
              log(
                `${step.id}: ${event.done}/${event.total} done, ${event.failed} failed, about ${Math.round(event.etaMs / 1000)} s left`,
              )
          },
        })
        for (const each of fleet.results)
          outcome.push({ stepId: step.id, target: each.target, result: each.result })
        if (fleet.failed > 0) break
      } else {
        const result = await execution.service.executeStep(base)
        outcome.push({ stepId: step.id, ...(step.target ? { target: step.target } : {}), result })
        if (!['succeeded', 'skipped', 'dry_run'].includes(result.status)) break
      }
    }
    const ok = outcome.every(({ result }) =>
      ['succeeded', 'skipped', 'dry_run'].includes(result.status),
    )
    report(plan, outcome, options, ok)
    process.exitCode = ok ? 0 : 1
  } finally {
    await execution.close()
  }
}

function parameterValues(
  instruction: Instruction,
  options: RunOptions,
  execution: ExecutionRuntime,
  firstMember: string | undefined,
): Record<string, string> {
  const given: Record<string, string> = {}
  for (const pair of options.param) {
    const separator = pair.indexOf('=')
    const name = separator > 0 ? pair.slice(0, separator) : ''
    const spec = instruction.parameters.find((parameter) => parameter.name === name)
    if (!spec) {
      throw invalid(
        `--param ${pair.slice(0, 60)}: ${instruction.id} takes ${instruction.parameters.map((parameter) => parameter.name).join(', ')} (as name=value)`,
      )
    }
    const checked = validateParameter(spec, pair.slice(separator + 1))
    if (!checked.ok) throw invalid(`--param ${name}: ${checked.reason}`)
    given[name] = checked.value
  }
  const machine = options.target ?? firstMember
  const hostParameter = instruction.parameters.find((parameter) => parameter.kind === 'hostname')
  if (machine !== undefined) {
    if (!hostParameter)
      throw invalid(`${instruction.id} does not run on a machine; drop --target/--group`)
    const checked = validateParameter(hostParameter, machine)
    if (!checked.ok) throw invalid(`--target: ${checked.reason}`)
    given[hostParameter.name] = checked.value
    const platform = instruction.parameters.find((parameter) => parameter.kind === 'platform')
    // An unknown machine is a typo to report now, not a failure after the first steps ran.
    const known = execution.inventory?.target(checked.value)
    if (platform && given[platform.name] === undefined && known) given[platform.name] = known.os
  }
  const slots = fillSlots(instruction, { message: '', mode: 'message', known: given })
  // A given value the account system refuses (an AD name over 20 characters) is an error, not
  // a missing value.
  const refused = slots.missing.find((each) => each.problem !== undefined)
  if (refused) throw invalid(`--param ${refused.parameter}: ${refused.problem}`)
  if (slots.missing.length > 0) {
    const lines = slots.missing.map((each) => `  --param ${each.parameter}=...  (${each.question})`)
    throw invalid(`${instruction.id} needs more parameters:\n${lines.join('\n')}`)
  }
  return slots.values
}

function requireInventory(execution: ExecutionRuntime, flag: string) {
  if (!execution.inventory)
    throw invalid(
      `${flag} needs an inventory: set HELPDESK_INVENTORY to its YAML file (or HELPDESK_INVENTORY_AD to read it from Active Directory)`,
    )
  return execution.inventory
}

function report(
  plan: Plan,
  outcome: Array<{ stepId: string; target?: string; result: StepResult }>,
  options: RunOptions,
  ok: boolean,
): void {
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ taskType: plan.taskType, parameters: plan.parameters, ok, results: outcome })}\n`,
    )
    return
  }
  const lines: string[] = [`${plan.title} (${plan.taskType})`]
  for (const { stepId, target, result } of outcome) {
    lines.push(
      `[${result.status}] ${stepId}${target ? ` on ${target}` : ''}${result.errorMessage ? `: ${result.errorMessage}` : ''}`,
    )
    const output = (options.dryRun ? result.wouldRun : result.stdout).trimEnd()
    if (output) lines.push(...output.split('\n').map((line) => `    ${line}`))
  }
  const held = outcome.some(({ result }) => result.status === 'awaiting_approval')
  if (held)
    lines.push(
      'Some steps need approval: re-run with --yes to approve them as the technician (this is audited).',
    )
  lines.push(ok ? 'done' : 'stopped: not every step succeeded')
  process.stdout.write(`${lines.join('\n')}\n`)
}

function invalid(message: string): HelpdeskError {
  return new HelpdeskError({ code: 'INVALID_INPUT', message })
}
