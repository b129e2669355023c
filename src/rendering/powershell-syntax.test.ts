import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import type { Node } from 'web-tree-sitter'
import { allRunbookSteps } from '../executors/executor-contract.case.test.ts'
import { loadInstructions } from '../knowledge/instructions/instruction-loader.ts'
import {
  checkPowerShellSyntax,
  loadPowerShellGrammar,
  prepareForGrammar,
  withPowerShellTree,
} from './powershell-syntax.ts'
import { quotePowerShell } from './quoting.ts'
import { renderPowerShell } from './script-renderer.ts'

beforeAll(async () => {
  await loadPowerShellGrammar()
})

const BODY = "Get-ADUser -Identity $username | Select-Object Name, Enabled\nWrite-Output 'done'"

/** The tree as the sequence of its named node types, depth-first: the script's structure. */
function shape(script: string): string[] {
  return withPowerShellTree(script, (root) => {
    const types: string[] = []
    const walk = (node: Node) => {
      types.push(node.isMissing ? `MISSING ${node.type}` : node.type)
      for (const child of node.namedChildren) if (child) walk(child)
    }
    walk(root)
    return types
  })
}

/** The original text of every verbatim string node, in order. */
function verbatimStrings(script: string): string[] {
  return withPowerShellTree(script, (root) =>
    root
      .descendantsOfType('verbatim_string_characters')
      .flatMap((node) => (node ? [script.slice(node.startIndex, node.endIndex)] : [])),
  )
}

function rendered(value: string, quote?: (value: string) => string): string {
  const script = renderPowerShell(BODY, [{ name: 'username', value }]).script
  if (!quote) return script
  // A stand-in quoting function, to show the structural test catches a weak one.
  return script.replace(quotePowerShell(value), quote(value))
}

function quotable(value: string): boolean {
  try {
    quotePowerShell(value)
    return true
  } catch {
    return false
  }
}

describe('checkPowerShellSyntax', () => {
  it('passes every PowerShell script of every runbook as the planner renders it', async () => {
    const steps = allRunbookSteps(await loadInstructions('data/instructions'))
    const scripts = steps.flatMap((step) =>
      [step.invocation, step.verification?.invocation, step.rollback?.invocation].flatMap(
        (invocation) =>
          invocation?.type === 'script' && invocation.language === 'powershell'
            ? [{ id: step.id, script: invocation.script }]
            : [],
      ),
    )
    expect(scripts.length).toBeGreaterThan(50)
    for (const { id, script } of scripts) {
      expect(checkPowerShellSyntax(script), `${id}\n${script}`).toEqual({ ok: true })
    }
  })

  it('reports an unclosed brace, an unterminated string and a stray parenthesis with their line', () => {
    const unclosed = checkPowerShellSyntax("Write-Output 'a'\nif ($true) {\n  Write-Output 'b'\n")
    expect(unclosed).toMatchObject({ ok: false, errors: [{ line: 3, message: 'missing "}"' }] })
    const unterminated = checkPowerShellSyntax(
      "Write-Output 'a'\nWrite-Output 'b\nWrite-Output 'c'\n",
    )
    expect(unterminated).toMatchObject({ ok: false, errors: [{ line: 2, column: 1 }] })
    if (!unterminated.ok) expect(unterminated.errors[0]?.message).toMatch(/left open/)
    const stray = checkPowerShellSyntax("Write-Output 'a'\nGet-Process )\nWrite-Output 'c'\n")
    expect(stray).toMatchObject({
      ok: false,
      errors: [{ line: 2, column: 13, message: expect.stringContaining('")"') }],
    })
  })

  it('sees typographic quotes as PowerShell does: they end a single-quoted string', () => {
    expect(checkPowerShellSyntax("$x = 'It's'\n").ok).toBe(false)
    expect(checkPowerShellSyntax("$x = 'It\u2019s'\n").ok).toBe(false)
    expect(checkPowerShellSyntax("$x = 'It\u2019\u2019s'\n")).toEqual({ ok: true })
  })

  it('accepts bareword lists and capital multipliers, which the grammar alone would refuse', () => {
    expect(
      checkPowerShellSyntax('Get-Service -Name A, BITS | Select-Object Name, Status\n'),
    ).toEqual({ ok: true })
    expect(checkPowerShellSyntax('[math]::Round($size / 1GB, 1)\n')).toEqual({ ok: true })
    expect(checkPowerShellSyntax("& { param($value_2) $value_2 } -value_2 'x'\n")).toEqual({
      ok: true,
    })
    // The workaround changes no structure: a real error next to a list is still found.
    expect(checkPowerShellSyntax('Select-Object Name, Status)\n').ok).toBe(false)
    expect(checkPowerShellSyntax("Select-Object Name, 'Status\n").ok).toBe(false)
  })

  it('prepares text for the grammar one character for one, touching no quote, bracket or operator', () => {
    const punctuation = /[^A-Za-z0-9_.-]/g
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(...'ab Z_.-,1GBkb\'"`$(){}[];|&@#\n\t\u2019\u201c\u2013'),
        }),
        (text) => {
          const prepared = prepareForGrammar(text)
          expect(prepared.length).toBe(text.length)
          const folded = text
            .replace(/[\u2018-\u201b]/g, "'")
            .replace(/[\u201c-\u201e]/g, '"')
            .replace(/[\u2013-\u2015]/g, '-')
          expect(
            [...prepared.matchAll(punctuation)].map((match) => [match.index, match[0]]),
          ).toEqual([...folded.matchAll(punctuation)].map((match) => [match.index, match[0]]))
        },
      ),
    )
  })

  it('throws a clear error when used before the grammar is loaded', async () => {
    // A fresh module instance has no grammar yet.
    vi.resetModules()
    const fresh = await import('./powershell-syntax.ts')
    expect(() => fresh.checkPowerShellSyntax('Write-Output 1')).toThrow(/loadPowerShellGrammar/)
  })
})

describe('hostile values keep the statement structure', () => {
  const corpus = readFileSync('tests/fixtures/hostile-inputs.jsonl', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { value: string }).value)
  const benignShape = () => shape(rendered('jdoe'))

  it('renders every quotable hostile value as one verbatim string argument', () => {
    const values = corpus.filter(quotable)
    expect(values.length).toBeGreaterThan(150)
    const expected = benignShape()
    expect(expected.filter((type) => type === 'command').length).toBe(4)
    for (const value of values) {
      const script = rendered(value)
      expect(checkPowerShellSyntax(script), value).toEqual({ ok: true })
      expect(shape(script), value).toEqual(expected)
      // The preamble's and the body's own literals, then the argument: exactly the quoted value, nothing more.
      expect(verbatimStrings(script), value).toEqual(["'Stop'", "'done'", quotePowerShell(value)])
    }
  })

  it('catches a quoting function that forgets the typographic quotes', () => {
    const naive = (value: string) => `'${value.replace(/'/g, "''")}'`
    const script = rendered('jdoe\u2019; Remove-Item C:\\ -Recurse; \u2019', naive)
    const broken =
      checkPowerShellSyntax(script).ok === false || shape(script).join() !== benignShape().join()
    expect(broken).toBe(true)
  })

  it('holds for arbitrary values, typographic quotes and line breaks included (property)', () => {
    const expected = benignShape()
    const unit = fc.oneof(
      fc.constantFrom(...'\'\u2018\u2019\u201a\u201b"\u201c`$(){};|&@#<>,\n\t -\u2013 '),
      fc.string({ unit: 'binary', maxLength: 2 }),
    )
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }).filter(quotable), (value) => {
        const script = rendered(value)
        expect(shape(script)).toEqual(expected)
        expect(verbatimStrings(script)).toEqual(["'Stop'", "'done'", quotePowerShell(value)])
      }),
      { numRuns: 150 },
    )
  }, 60_000)
})
