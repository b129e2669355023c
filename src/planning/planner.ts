import { selectActions } from '../agent/core/slot-filling.ts'
import { HelpdeskError } from '../errors/index.ts'
import { findOperation } from '../executors/operation-catalog.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { ActionSpec, RiskLevel } from '../knowledge/instructions/instruction-schema.ts'
import { approvalLevelFor } from '../policy/approval-policy.ts'
import { renderBash, renderPowerShell, type ScriptBinding } from '../rendering/script-renderer.ts'
import type { Invocation, Plan, PlanStep, RenderedProbe } from './plan.ts'

const RISK_ORDER: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical']

/**
 * Builds the plan for a runbook from validated parameter values: the actions whose conditions
 * hold, each rendered into exactly what it would run.
 * @throws {HelpdeskError} RENDER_FAILED when a step needs a value that is not there.
 */
export function buildPlan(
  instruction: Instruction,
  values: Readonly<Record<string, string>>,
): Plan {
  const steps = selectActions(instruction.actions, values).map((action) =>
    buildStep(instruction.id, action, values),
  )
  const changing = steps.filter((step) => !step.readOnly)
  const risk = changing.reduce<RiskLevel>(
    (highest, step) =>
      RISK_ORDER.indexOf(step.risk) > RISK_ORDER.indexOf(highest) ? step.risk : highest,
    'low',
  )
  return {
    taskType: instruction.id,
    title: instruction.title,
    risk,
    parameters: { ...values },
    steps,
  }
}

/**
 * One action rendered with `values`, whatever its `when` conditions say (the runbook manager
 * shows every action of a runbook rendered with sample values).
 * @throws {HelpdeskError} RENDER_FAILED when the action needs a value that is not there.
 */
export function buildStep(
  taskType: string,
  action: ActionSpec,
  values: Readonly<Record<string, string>>,
): PlanStep {
  const bindings = action.uses.map((name) => ({ name, value: required(values, name, action) }))
  const target = action.target ? required(values, action.target, action) : undefined
  const step: PlanStep = {
    id: `${taskType}.${action.id}`,
    actionId: action.id,
    title: action.title,
    executor: action.executor,
    risk: action.risk,
    readOnly: action.readOnly,
    approvalLevel: approvalLevelFor(action),
    invocation: invocationFor(
      action,
      action.operation,
      action.script ?? action.text,
      bindings,
      action.arguments,
    ),
    ...(target ? { target } : {}),
  }
  if (action.verification) step.verification = probe(action, action.verification, bindings)
  if (action.rollback) step.rollback = probe(action, action.rollback, bindings)
  return step
}

function probe(
  action: ActionSpec,
  spec: NonNullable<ActionSpec['verification']>,
  bindings: readonly ScriptBinding[],
): RenderedProbe {
  const body = spec.operation ?? spec.script
  return {
    description: spec.description,
    ...(spec.expect ? { expect: spec.expect } : {}),
    ...(body
      ? { invocation: invocationFor(action, spec.operation, spec.script, bindings, {}) }
      : {}),
  }
}

function invocationFor(
  action: ActionSpec,
  operation: string | undefined,
  text: string | undefined,
  bindings: readonly ScriptBinding[],
  fixedArguments: Readonly<Record<string, string | number | boolean>> = {},
): Invocation {
  switch (action.executor) {
    case 'active_directory':
    case 'aws_iam': {
      const name = operation ?? ''
      const spec = findOperation(action.executor, name)
      const argumentsObject: Record<string, string | number | boolean> = {}
      for (const binding of bindings) argumentsObject[binding.name] = binding.value
      Object.assign(argumentsObject, fixedArguments)
      return {
        type: 'operation',
        executor: action.executor,
        operation: name,
        description: spec?.description ?? name,
        arguments: argumentsObject,
      }
    }
    case 'bash':
      return { type: 'script', language: 'bash', ...renderBash(text ?? '', bindings) }
    case 'powershell':
      return { type: 'script', language: 'powershell', ...renderPowerShell(text ?? '', bindings) }
    case 'guidance':
      return { type: 'guidance', text: text ?? '' }
  }
}

function required(
  values: Readonly<Record<string, string>>,
  name: string,
  action: ActionSpec,
): string {
  const value = values[name]
  if (value === undefined) {
    throw new HelpdeskError({
      code: 'RENDER_FAILED',
      category: 'SYSTEM',
      message: `step "${action.id}" needs parameter "${name}", which has no value`,
      details: { action: action.id, parameter: name },
    })
  }
  return value
}
