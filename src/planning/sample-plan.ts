/**
 * A runbook's actions rendered for sample values, as the runbook manager shows them: exactly what
 * each action would run, quoted by the same renderer as a real plan, for one made-up request.
 * Each parameter gets its default, else the first allowed value (enum, system, platform), else a
 * sample of its kind; every sample passes the kind's validation (sample-plan.test.ts).
 * @module
 */
import { validateParameter } from '../agent/core/parameter-validation.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { ParameterSpec } from '../knowledge/instructions/instruction-schema.ts'
import type { ParameterKind } from '../knowledge/instructions/parameter-kinds.ts'
import type { PlanStep } from './plan.ts'
import { buildStep } from './planner.ts'

/** One value of each free-text kind, the kind's own example where its rule names one. */
export const SAMPLE_VALUES: Readonly<
  Record<Exclude<ParameterKind, 'enum' | 'system' | 'platform'>, string>
> = {
  username: 'jdoe',
  group: 'finance-team',
  hostname: 'LT-0423',
  unc_path: '\\\\fs01\\finance',
  email: 'jane.doe@example.com',
  application: 'Outlook',
  printer: 'PRN-3F-EAST',
  package_name: 'Microsoft.VisualStudioCode',
  error_code: '809',
  url: 'https://intranet.example.com/',
  service: 'nginx',
  process: 'java',
  package: 'nginx',
  path: '/etc/nginx/nginx.conf',
  file_name: 'motd.txt',
  port: '443',
  hours: '24',
  version: '1.24.0',
}

export interface SamplePlan {
  /** The value each parameter was given. */
  values: Record<string, string>
  /** Every action, in runbook order, rendered with those values. */
  steps: PlanStep[]
}

/** The sample value of one parameter (validated and canonicalised like a person's). */
export function sampleValue(parameter: ParameterSpec): string {
  const candidates = [
    parameter.default,
    ...(parameter.kind === 'enum' ? Object.keys(parameter.values ?? {}) : []),
    ...(parameter.kind === 'system' ? (parameter.systems ?? []) : []),
    ...(parameter.kind === 'platform' ? (parameter.platforms ?? []) : []),
    parameter.kind in SAMPLE_VALUES
      ? SAMPLE_VALUES[parameter.kind as keyof typeof SAMPLE_VALUES]
      : undefined,
  ]
  for (const candidate of candidates) {
    if (candidate === undefined) continue
    const checked = validateParameter(parameter, candidate)
    if (checked.ok) return checked.value
  }
  // The schema makes enum, system and platform list their values, so this is a runbook the
  // loader would have refused.
  throw new Error(`no sample value for parameter "${parameter.name}" (${parameter.kind})`)
}

export function samplePlan(instruction: Instruction): SamplePlan {
  const values: Record<string, string> = {}
  for (const parameter of instruction.parameters) values[parameter.name] = sampleValue(parameter)
  return {
    values,
    steps: instruction.actions.map((action) => buildStep(instruction.id, action, values)),
  }
}
