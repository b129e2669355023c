import { validateParameter } from '../agent/core/parameter-validation.ts'
import { accountNameProblems } from '../agent/core/slot-filling.ts'
import { HelpdeskError } from '../errors/index.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { Plan, PlanStep } from '../planning/plan.ts'
import { buildPlan } from '../planning/planner.ts'

/**
 * The step exactly as the runbook renders it from re-validated parameters, optionally for another
 * machine. The execution service runs this, never the step object it was handed, so a plan that
 * was edited on its way (in a browser, a queue, a checkpoint) cannot smuggle in a script.
 * @throws {HelpdeskError} INVALID_INPUT naming the parameter, or when the step is not in the runbook.
 */
export function replanForTarget(
  instructions: ReadonlyMap<string, Instruction>,
  plan: Plan,
  step: PlanStep,
  target?: string,
): PlanStep {
  const instruction = instructions.get(plan.taskType)
  if (!instruction) throw invalid(`unknown task type "${plan.taskType.slice(0, 60)}"`)
  const action = instruction.actions.find((each) => each.id === step.actionId)
  if (!action)
    throw invalid(`runbook ${instruction.id} has no step "${step.actionId.slice(0, 60)}"`)
  const values: Record<string, string> = {}
  for (const [name, raw] of Object.entries(plan.parameters)) {
    const spec = instruction.parameters.find((parameter) => parameter.name === name)
    if (!spec) throw invalid(`runbook ${instruction.id} has no parameter "${name.slice(0, 60)}"`)
    const checked = validateParameter(spec, raw)
    if (!checked.ok) throw invalid(checked.reason)
    values[name] = checked.value
  }
  // The account system's own name rules, as when the plan was filled: a plan edited on its way
  // cannot carry a name the system would refuse or read differently.
  const [refused] = accountNameProblems(instruction, values)
  if (refused) throw invalid(`${refused[0]}: ${refused[1]}`)
  if (target !== undefined) {
    if (!action.target)
      throw invalid(`step ${step.id} does not run on a machine, so it cannot take a target`)
    const spec = instruction.parameters.find((parameter) => parameter.name === action.target)
    const checked = spec
      ? validateParameter(spec, target)
      : { ok: false as const, reason: 'no target parameter' }
    if (!checked.ok) throw invalid(checked.reason)
    values[action.target] = checked.value
  }
  const rendered = buildPlan(instruction, values).steps.find((each) => each.id === step.id)
  if (!rendered) {
    throw invalid(
      `step ${step.id} does not apply with these parameters (its "when" condition does not hold)`,
    )
  }
  return rendered
}

function invalid(message: string): HelpdeskError {
  return new HelpdeskError({ code: 'INVALID_INPUT', message })
}
