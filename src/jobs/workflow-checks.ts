/**
 * What `JobEngine.start` checks before it stores anything: a workflow it can run as given, on
 * machines the inventory knows, with the approval its changing steps need. Each refusal names
 * the field and what was expected; a refused job changes nothing.
 * @module
 */

import { validateParameter } from '../agent/core/parameter-validation.ts'
import { HelpdeskError } from '../errors/index.ts'
import type { Inventory } from '../inventory/inventory.ts'
import type { Target } from '../inventory/inventory-schema.ts'
import { destinationMismatch } from '../operations/build-workflow.ts'
import type { PlatformScripts, Workflow, WorkflowStep } from '../operations/workflow.ts'
import type { StartJobOptions } from './job-engine.ts'
import { platformOf } from './workflow-script-runner.ts'

const STEP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
/** A whole job is capped so one request cannot queue an unbounded amount of work. */
export const MAX_TARGETS = 1000
export const MAX_STEPS = 50
export const MAX_CONCURRENCY = 200
/** Longest time limit a step may ask for: a day. */
const MAX_TIMEOUT_SECONDS = 86_400

/** @returns the inventory entry of every target, in the workflow's order */
export function checkWorkflow(
  workflow: Workflow,
  options: StartJobOptions,
  inventory: Inventory,
): Target[] {
  if (!options.requester) invalid('requester: expected the username the job is for')
  if (workflow.steps.length === 0 || workflow.steps.length > MAX_STEPS)
    invalid(`steps: expected 1 to ${MAX_STEPS} steps, got ${workflow.steps.length}`)
  if (workflow.targets.length === 0 || workflow.targets.length > MAX_TARGETS)
    invalid(`targets: expected 1 to ${MAX_TARGETS} machines, got ${workflow.targets.length}`)
  if (
    options.concurrency !== undefined &&
    (!Number.isInteger(options.concurrency) ||
      options.concurrency < 1 ||
      options.concurrency > MAX_CONCURRENCY)
  )
    invalid(`concurrency: expected a whole number from 1 to ${MAX_CONCURRENCY}`)
  const seenSteps = new Set<string>()
  for (const [index, step] of workflow.steps.entries()) {
    if (!STEP_ID.test(step.id)) invalid(`steps[${index}].id: expected letters, digits, . _ -`)
    if (seenSteps.has(step.id)) invalid(`steps[${index}].id: "${step.id}" appears twice`)
    seenSteps.add(step.id)
    if (
      !Number.isInteger(step.timeoutSeconds) ||
      step.timeoutSeconds < 1 ||
      step.timeoutSeconds > MAX_TIMEOUT_SECONDS
    )
      invalid(
        `steps[${index}].timeoutSeconds: expected whole seconds from 1 to ${MAX_TIMEOUT_SECONDS}`,
      )
    if (step.transfer !== undefined) checkTransfer(step.transfer, index)
  }
  const seenTargets = new Set<string>()
  const targets = workflow.targets.map((name, index) => {
    const target = inventory.find(name)
    if (!target) invalid(`targets[${index}]: "${name.slice(0, 80)}" is not in the inventory`)
    if (seenTargets.has(target.name.toUpperCase()))
      invalid(`targets[${index}]: "${target.name}" appears twice`)
    seenTargets.add(target.name.toUpperCase())
    const platform = platformOf(target)
    if (!platform)
      invalid(
        `targets[${index}]: ${target.name} runs ${target.os}; workflows run on Linux and Windows`,
      )
    for (const step of workflow.steps) {
      const parts: Array<[string, PlatformScripts | undefined]> = [
        ['scripts', step.scripts],
        ['condition.scripts', step.condition?.scripts],
        ['backup', step.backup],
        ['verify', step.verify],
        ['rollback', step.rollback],
      ]
      for (const [field, scripts] of parts) {
        if (scripts === undefined) continue
        if (typeof scripts[platform] !== 'string' || scripts[platform] === '')
          invalid(`steps.${step.id}.${field}: no ${platform} script for ${target.name}`)
      }
      const copyMismatch =
        step.transfer &&
        destinationMismatch(step.transfer.destination, {
          linux: platform === 'linux' ? [target.name] : [],
          windows: platform === 'windows' ? [target.name] : [],
        })
      if (copyMismatch) invalid(`steps.${step.id}.transfer.${copyMismatch}`)
    }
    return target
  })
  const changing = workflow.steps.filter((step) => step.changes)
  if (changing.length > 0 && !options.approval) {
    throw new HelpdeskError({
      code: 'AWAITING_APPROVAL',
      message: `approval: ${changing.map((step) => step.id).join(', ')} change machines and need an approval`,
    })
  }
  return targets
}

/**
 * A copy's file, as a stored or API-given workflow carries it: the same kinds as the catalog's
 * parameters (a name in the files directory, an absolute destination), a SHA-256, a size.
 */
function checkTransfer(transfer: NonNullable<WorkflowStep['transfer']>, index: number): void {
  const field = `steps[${index}].transfer`
  const kinds = [
    ['source', 'file_name'],
    ['destination', 'path'],
  ] as const
  for (const [name, kind] of kinds) {
    const value = transfer[name]
    const result = validateParameter(
      {
        name,
        kind,
        description: name,
        question: name,
        required: true,
        defaultFromRequester: false,
      },
      typeof value === 'string' ? value : '',
    )
    if (!result.ok || result.value !== value)
      invalid(`${field}.${name}: ${result.ok ? 'expected it as validated' : result.reason}`)
  }
  if (typeof transfer.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(transfer.sha256))
    invalid(`${field}.sha256: expected 64 lower-case hex digits`)
  if (!Number.isInteger(transfer.size) || transfer.size < 0)
    invalid(`${field}.size: expected a whole number of bytes`)
}

function invalid(message: string): never {
  throw new HelpdeskError({ code: 'INVALID_INPUT', message })
}
