import { describe, expect, it } from 'vitest'
import { validateParameter } from '../agent/core/parameter-validation.ts'
import { loadInstructions } from '../knowledge/instructions/instruction-loader.ts'
import { PARAMETER_KINDS } from '../knowledge/instructions/parameter-kinds.ts'
import { quoteBash, quotePowerShell } from '../rendering/quoting.ts'
import { SAMPLE_VALUES, samplePlan, sampleValue } from './sample-plan.ts'

const runbooks = await loadInstructions('data/instructions')

describe('sample values for the runbook manager', () => {
  it('every free-text kind has a sample its own validation accepts, unchanged', () => {
    const freeText = PARAMETER_KINDS.filter(
      (kind) => kind !== 'enum' && kind !== 'system' && kind !== 'platform',
    )
    expect(Object.keys(SAMPLE_VALUES).sort()).toEqual([...freeText].sort())
    for (const kind of freeText) {
      const value = SAMPLE_VALUES[kind]
      const checked = validateParameter(
        {
          name: kind,
          kind,
          description: 'x',
          question: 'x?',
          required: true,
          defaultFromRequester: false,
        },
        value,
      )
      expect(checked, kind).toEqual({ ok: true, value })
    }
  })

  it('a default wins; an enum, system or platform takes its first allowed value', () => {
    const base = { description: 'x', question: 'x?', required: true, defaultFromRequester: false }
    expect(sampleValue({ ...base, name: 'hours', kind: 'hours', default: '8' })).toBe('8')
    expect(
      sampleValue({ ...base, name: 'system', kind: 'system', systems: ['aws_iam', 'local'] }),
    ).toBe('aws_iam')
    expect(
      sampleValue({ ...base, name: 'size', kind: 'enum', values: { small: ['s'], large: ['l'] } }),
    ).toBe('small')
    // A default the kind refuses is not used.
    expect(sampleValue({ ...base, name: 'port', kind: 'port', default: 'http' })).toBe('443')
  })

  it('renders every action of every shipped runbook, the values quoted into the scripts', () => {
    expect(runbooks.length).toBeGreaterThan(20)
    for (const runbook of runbooks) {
      const sample = samplePlan(runbook)
      expect(
        sample.steps.map((step) => step.actionId),
        runbook.id,
      ).toEqual(runbook.actions.map((action) => action.id))
      for (const step of sample.steps) {
        if (step.invocation.type !== 'script') continue
        const action = runbook.actions.find((each) => each.id === step.actionId)
        for (const name of action?.uses ?? []) {
          const value = sample.values[name] ?? ''
          // Bash gets the value as a quoted positional argument, PowerShell as a named one.
          if (step.invocation.language === 'bash')
            expect(step.invocation.commandLine, `${runbook.id}.${step.actionId}`).toContain(
              quoteBash(value),
            )
          else
            expect(step.invocation.script, `${runbook.id}.${step.actionId}`).toContain(
              `-${name} ${quotePowerShell(value)}`,
            )
        }
      }
    }
  })

  it('password_reset shows the reset for the sample account with its arguments', () => {
    const passwordReset = runbooks.find((runbook) => runbook.id === 'password_reset')
    if (!passwordReset) throw new Error('password_reset must be shipped')
    const sample = samplePlan(passwordReset)
    expect(sample.values.username).toBe('jdoe')
    const operations = sample.steps.flatMap((step) =>
      step.invocation.type === 'operation' ? [step.invocation] : [],
    )
    expect(operations.length).toBeGreaterThan(0)
    for (const operation of operations) expect(operation.arguments.username).toBe('jdoe')
  })
})
