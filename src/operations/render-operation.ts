import { validateParameter } from '../agent/core/parameter-validation.ts'
import { HelpdeskError } from '../errors/index.ts'
import {
  renderBashStandalone,
  renderPowerShell,
  type ScriptBinding,
} from '../rendering/script-renderer.ts'
import type { OperationCondition, OperationDefinition } from './operation-schema.ts'
import type { PlatformScripts } from './workflow.ts'

/**
 * Renders one catalog operation with request values: every value is validated by its parameter
 * kind (closed character sets), taken whole or refused, then bound through src/rendering/ (one
 * quoting function per language). Templates only reference variables; nothing is pasted in.
 * @module
 */

export interface RenderedOperation {
  operation: OperationDefinition
  /** The validated values, by parameter name (numbers stay numbers). */
  parameters: Record<string, string | number>
  /** Plain words with the values filled in. */
  title: string
  scripts: PlatformScripts
  verify?: PlatformScripts
  rollback?: PlatformScripts
  backup?: PlatformScripts
  conditions: Partial<Record<OperationCondition, PlatformScripts>>
}

/**
 * PowerShell variables that a `param()` block cannot take (`$host` is read-only): the parameter
 * arrives as `$<name>_name` in Windows templates instead.
 */
const POWERSHELL_RESERVED = new Set(['host', 'input', 'args', 'error', 'pid', 'home', 'profile'])

export function powerShellVariable(name: string): string {
  return POWERSHELL_RESERVED.has(name) ? `${name}_name` : name
}

const NUMERIC_KINDS = new Set(['port', 'hours'])

/** @throws {HelpdeskError} INVALID_INPUT naming the operation, the parameter and what was expected. */
export function renderOperation(
  operation: OperationDefinition,
  values: Readonly<Record<string, string | number>>,
): RenderedOperation {
  const known = new Set(operation.parameters.map((parameter) => parameter.name))
  for (const name of Object.keys(values)) {
    if (!known.has(name)) {
      throw refused(
        operation,
        `has no parameter "${name.slice(0, 40)}" (it takes ${[...known].join(', ') || 'none'})`,
      )
    }
  }
  const parameters: Record<string, string | number> = {}
  const bindings: ScriptBinding[] = []
  for (const spec of operation.parameters) {
    const raw = values[spec.name]
    if (raw === undefined || raw === '') {
      if (spec.required) throw refused(operation, `needs ${spec.name}: ${spec.question}`)
      bindings.push({ name: spec.name, value: spec.default ?? '' })
      continue
    }
    if (typeof raw === 'number' && !NUMERIC_KINDS.has(spec.kind)) {
      throw refused(operation, `${spec.name} must be text, not a number`)
    }
    const result = validateParameter(spec, String(raw))
    if (!result.ok) throw refused(operation, result.reason)
    parameters[spec.name] = NUMERIC_KINDS.has(spec.kind) ? Number(result.value) : result.value
    bindings.push({ name: spec.name, value: result.value })
  }
  const render = (scripts: { linux: string; windows: string }): PlatformScripts => ({
    linux: renderBashStandalone(scripts.linux, bindings),
    windows: renderPowerShell(
      scripts.windows,
      bindings.map((binding) => ({ ...binding, name: powerShellVariable(binding.name) })),
    ).script,
  })
  const conditions: RenderedOperation['conditions'] = {}
  for (const [kind, scripts] of Object.entries(operation.conditions) as Array<
    [OperationCondition, { linux: string; windows: string }]
  >) {
    conditions[kind] = render(scripts)
  }
  return {
    operation,
    parameters,
    title: operation.title.replace(/\{([a-z_]+)\}/g, (_, name: string) =>
      String(parameters[name] ?? ''),
    ),
    scripts: render(operation.scripts),
    ...(operation.verify ? { verify: render(operation.verify) } : {}),
    ...(operation.rollback ? { rollback: render(operation.rollback) } : {}),
    ...(operation.backup ? { backup: render(operation.backup) } : {}),
    conditions,
  }
}

function refused(operation: OperationDefinition, reason: string): HelpdeskError {
  return new HelpdeskError({
    code: 'INVALID_INPUT',
    message: `${operation.id}: ${reason}`,
    details: { operation: operation.id },
  })
}
