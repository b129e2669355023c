import { HelpdeskError } from '../errors/index.ts'
import { quoteBash, quotePowerShell } from './quoting.ts'

/** A parameter bound into a script: a validated value under its runbook name. */
export interface ScriptBinding {
  name: string
  value: string
}

export interface RenderedScript {
  script: string
  commandLine: string
}

const VARIABLE_NAME = /^[a-z][a-z0-9_]*$/

/**
 * Bash: the script body is constant runbook text; values arrive as positional arguments of
 * `bash -s --`, quoted once, and are copied into variables named after the parameters.
 */
export function renderBash(body: string, bindings: readonly ScriptBinding[]): RenderedScript {
  checkNames(bindings)
  const preamble = bindings.map((binding, index) => `${binding.name}="\${${index + 1}}"`)
  const script = ['set -u', ...preamble, body.trimEnd(), ''].join('\n')
  const argumentsText = bindings.map((binding) => quoteBash(binding.value)).join(' ')
  return { script, commandLine: `bash -s --${argumentsText ? ` ${argumentsText}` : ''}` }
}

/**
 * PowerShell: the body runs inside a script block whose `param()` block declares each parameter
 * as a string; values are passed as named arguments, each a single-quoted literal.
 */
export function renderPowerShell(body: string, bindings: readonly ScriptBinding[]): RenderedScript {
  checkNames(bindings)
  const parameters = bindings.map((binding) => `[string]$${binding.name}`).join(', ')
  const argumentsText = bindings
    .map((binding) => ` -${binding.name} ${quotePowerShell(binding.value)}`)
    .join('')
  const script = `& {\nparam(${parameters})\n$ErrorActionPreference = 'Stop'\n${body.trimEnd()}\n}${argumentsText}\n`
  return {
    script,
    commandLine:
      'powershell -NoProfile -NonInteractive -EncodedCommand <script as UTF-16LE base64>',
  }
}

/** The text `-EncodedCommand` expects: base64 of the script in UTF-16LE. */
export function encodePowerShellCommand(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64')
}

function checkNames(bindings: readonly ScriptBinding[]): void {
  for (const binding of bindings) {
    if (!VARIABLE_NAME.test(binding.name)) {
      throw new HelpdeskError({
        code: 'RENDER_FAILED',
        category: 'SYSTEM',
        message: `parameter name "${binding.name}" cannot be a script variable`,
      })
    }
  }
}

/**
 * A self-contained Bash script, for a job that stores one text per step and feeds it to
 * `bash -s` on every target: the values, each quoted once by `quoteBash`, become the positional
 * parameters, then `renderBash`'s script copies them into their variables.
 */
export function renderBashStandalone(body: string, bindings: readonly ScriptBinding[]): string {
  const rendered = renderBash(body, bindings)
  const argumentsText = bindings.map((binding) => quoteBash(binding.value)).join(' ')
  return `set --${argumentsText ? ` ${argumentsText}` : ''}\n${rendered.script}`
}
