import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { validateParameter } from '../src/agent/core/parameter-validation.ts'
import type { TurnResult } from '../src/agent/core/turn.ts'
import { trimPunctuation } from '../src/agent/core/value-tokens.ts'
import { HelpdeskError } from '../src/errors/index.ts'
import type { ParameterSpec } from '../src/knowledge/instructions/instruction-schema.ts'
import { quoteBash, quotePowerShell } from '../src/rendering/quoting.ts'
import { renderBash } from '../src/rendering/script-renderer.ts'
import { buildMemoryRuntime } from './support/memory-runtime.ts'

const corpus = readFileSync('tests/fixtures/hostile-inputs.jsonl', 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as { category: string; value: string })

const FREE_FORM_KINDS: ParameterSpec['kind'][] = [
  'username',
  'group',
  'hostname',
  'unc_path',
  'email',
  'application',
  'printer',
  'package_name',
  'error_code',
  'url',
]
const spec = (kind: ParameterSpec['kind']): ParameterSpec => ({
  name: kind,
  kind,
  description: 'test',
  question: '?',
  required: true,
  defaultFromRequester: false,
})

describe(`the hostile-input corpus (${corpus.length} inputs)`, () => {
  it('has at least 200 inputs across every category', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200)
    expect(new Set(corpus.map((entry) => entry.category))).toEqual(
      new Set([
        'shell-metacharacters',
        'powershell-injection',
        'ldap-filter-and-dn-injection',
        'path-traversal',
        'unicode-look-alikes',
        'invisible-characters',
        'control-characters',
        'oversized',
        'template-and-url',
      ]),
    )
  })

  it('is rejected by every free-form parameter kind, each time with a reason', () => {
    const accepted: string[] = []
    for (const { value } of corpus) {
      for (const kind of FREE_FORM_KINDS) {
        const result = validateParameter(spec(kind), value)
        if (result.ok) accepted.push(`${kind} accepted ${JSON.stringify(value)}`)
        else expect(result.reason.length).toBeGreaterThan(10)
      }
    }
    expect(accepted).toEqual([])
  })

  it('names the invisible character of every invisible-character value, for every kind', () => {
    const invisible = corpus.filter((entry) => entry.category === 'invisible-characters')
    expect(invisible.length).toBeGreaterThanOrEqual(20)
    for (const { value } of invisible) {
      for (const kind of FREE_FORM_KINDS) {
        const result = validateParameter(spec(kind), value)
        expect(result.ok ? '' : result.reason, `${kind} ${JSON.stringify(value)}`).toMatch(
          /contains U\+[0-9A-F]{4,5} [A-Z]/,
        )
      }
    }
  })

  it('typed into a chat request, is refused whole or taken exactly, never shortened', async () => {
    const { core } = await buildMemoryRuntime()
    const outcomes = { refusedAtInput: 0, askedAgain: 0, takenWhole: 0 }
    for (const { value } of corpus) {
      // One token: a space ends a value in free text, as it does for anyone reading it.
      // Punctuation alone ("!!") is prose, not a value.
      if (/\p{White_Space}/u.test(value) || trimPunctuation(value) === '') continue
      for (const [message, parameter] of [
        [`unlock user ${value}`, 'username'],
        [`my laptop ${value} is slow`, 'device'],
      ] as const) {
        const turn: TurnResult | unknown = await core
          .handleTurn({ message, requester: 'a.smith' })
          .catch((error: unknown) => error)
        if (turn instanceof HelpdeskError) {
          expect(turn.code, message).toMatch(/INVALID_INPUT|MESSAGE_TOO_LONG/)
          outcomes.refusedAtInput++
          continue
        }
        if (!isTurnResult(turn)) throw turn
        // What was planned is the whole value (less sentence punctuation after it), never a
        // piece of it and never someone else (the requester).
        const whole = [value, trimPunctuation(value)].map((each) => each.toLowerCase())
        for (const plan of turn.plan) {
          const used = plan.parameters[parameter]
          if (used !== undefined) expect(whole, message).toContain(used.toLowerCase())
        }
        if (turn.plan.length === 0) outcomes.askedAgain++
        else outcomes.takenWhole++
      }
    }
    expect(outcomes.refusedAtInput).toBeGreaterThanOrEqual(20)
    expect(outcomes.askedAgain).toBeGreaterThan(200)
  }, 60_000)

  it('stays one literal argument in a real bash even if validation were bypassed', () => {
    const printable = corpus.filter(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
      ({ value }) => !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(value),
    )
    const rendered = renderBash('printf "%s\\0" "$value"', [
      { name: 'value', value: 'placeholder' },
    ])
    for (const { value } of printable) {
      const command = rendered.script
      const run = spawnSync('bash', ['-c', `bash -s -- ${quoteBash(value)}`], {
        input: command,
        encoding: 'utf8',
      })
      expect(run.stdout, JSON.stringify(value)).toBe(`${value}\0`)
    }
  })

  it('is refused by both quoting functions when it carries control characters', () => {
    for (const { value } of corpus.filter((entry) => entry.category === 'control-characters')) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
      if (/^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$/.test(value)) continue
      expect(() => quoteBash(value)).toThrow(/control character/)
      expect(() => quotePowerShell(value)).toThrow(/control character/)
    }
  })
})

function isTurnResult(value: unknown): value is TurnResult {
  return typeof value === 'object' && value !== null && 'plan' in value
}
