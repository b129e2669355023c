import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { diffLines, unifiedDiff } from './line-diff.ts'
import { validateRunbookText } from './runbook-text.ts'

const good = readFileSync('tests/fixtures/runbooks/smartboard_not_projecting.md', 'utf8')
const lineOf = (text: string, needle: string) =>
  text.split('\n').findIndex((line) => line.includes(needle)) + 1

describe('validateRunbookText', () => {
  it('accepts a runbook in the format of data/instructions', () => {
    const result = validateRunbookText(good)
    expect(result.ok && result.instruction.id).toBe('smartboard_not_projecting')
    expect(result.ok && result.instruction.sections.map((each) => each.heading)).toEqual([
      'When to use',
      'Escalation',
    ])
  })

  it.each([
    ['\u202E', 'U+202E'],
    ['\u2066', 'U+2066'],
    ['\u200B', 'U+200B'],
  ])(
    'refuses an invisible or format character (%#) anywhere, naming it and its line',
    (character, named) => {
      // A bidi control in a script shows the approver other text than what runs ("Trojan Source").
      const lines = good.split('\n')
      const at = lines.findIndex((line) => line.startsWith('summary:'))
      lines[at] = `${lines[at]} ${character}x`
      const result = validateRunbookText(lines.join('\n'))
      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.problems).toEqual([
        expect.objectContaining({
          field: '(file)',
          line: at + 1,
          reason: expect.stringContaining(named),
        }),
      ])
    },
  )

  it('reports every problem at once, each with its field and line', () => {
    const bad = good
      .replace('category: hardware', 'category: furniture')
      .replace('risk: low\nsummary', 'risk: extreme\nsummary')
      .replace('    executor: guidance', '    executor: telepathy')
    const result = validateRunbookText(bad)
    expect(result.ok).toBe(false)
    if (result.ok) return
    const byField = new Map(result.problems.map((each) => [each.field, each]))
    expect(byField.get('category')?.line).toBe(lineOf(bad, 'category: furniture'))
    expect(byField.get('risk')?.line).toBe(lineOf(bad, 'risk: extreme'))
    expect(byField.get('actions.0.executor')?.line).toBe(lineOf(bad, 'executor: telepathy'))
    expect(byField.get('category')?.reason).toMatch(/access|hardware/)
  })

  it('reports a YAML syntax error with its line', () => {
    const bad = good.replace('  - smartboard stays blue', '  - smartboard: [stays blue')
    const result = validateRunbookText(bad)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.problems[0]?.field).toBe('(front matter)')
    expect(result.problems[0]?.line).toBeGreaterThan(1)
  })

  it('a body without a ## section is reported together with front matter problems', () => {
    const bad = good.replace('category: hardware', 'category: x').replaceAll('## ', '')
    const result = validateRunbookText(bad)
    expect(!result.ok && result.problems.map((each) => each.field).sort()).toEqual([
      '(body)',
      'category',
    ])
  })

  it('the id must be the expected one (the PUT path, the imported file name)', () => {
    const result = validateRunbookText(good, 'other_runbook')
    expect(!result.ok && result.problems[0]).toMatchObject({ field: 'id' })
    const hostile = validateRunbookText(good, '../../etc/passwd')
    expect(!hostile.ok && hostile.problems[0]?.field).toBe('id')
  })

  it.each(['export', 'import', 'validate', 'route'])(
    'refuses the id %j: a word of the API paths, the runbook could never be read by its path',
    (id) => {
      const text = good.replace('id: smartboard_not_projecting', `id: ${id}`)
      const result = validateRunbookText(text)
      expect(!result.ok && result.problems[0]).toMatchObject({
        field: 'id',
        line: lineOf(text, `id: ${id}`),
      })
      expect(!result.ok && result.problems[0]?.reason).toContain('a word of the API')
    },
  )

  it('no front matter, and too large, are refused whole', () => {
    expect(validateRunbookText('just prose').ok).toBe(false)
    const huge = validateRunbookText(good + 'x'.repeat(70 * 1024))
    expect(!huge.ok && huge.problems[0]?.reason).toMatch(/larger than/)
  })
})

describe('line diff', () => {
  it('marks added and removed lines and writes a unified diff', () => {
    const before = 'a\nb\nc\nd'
    const after = 'a\nB\nc\nd\ne'
    expect(diffLines(before, after).map((line) => `${line.kind[0]}${line.text}`)).toEqual([
      'sa',
      'rb',
      'aB',
      'sc',
      'sd',
      'ae',
    ])
    expect(unifiedDiff(before, after, { before: 'v1', after: 'v2' }, 1)).toBe(
      '--- v1\n+++ v2\n@@ -1,4 +1,5 @@\n a\n-b\n+B\n c\n d\n+e\n',
    )
    expect(unifiedDiff(before, before, { before: 'v1', after: 'v2' })).toBe('')
  })
})
