import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { isHelpdeskError } from '../../errors/index.ts'
import { loadInstructions, parseInstruction } from './instruction-loader.ts'

const reference = await readFile('data/instructions/password_reset.md', 'utf8')

async function loadFailure(files: Record<string, string>): Promise<string[]> {
  const directory = await mkdtemp(path.join(tmpdir(), 'runbooks-'))
  for (const [name, text] of Object.entries(files))
    await writeFile(path.join(directory, name), text)
  try {
    await loadInstructions(directory)
  } catch (error) {
    if (isHelpdeskError(error) && error.code === 'INVALID_INSTRUCTION') {
      return (error.details.problems as string[] | undefined) ?? [error.message]
    }
    throw error
  }
  throw new Error('expected the load to fail')
}

describe('runbook loader', () => {
  it('accepts the reference runbook with its parameters, actions and sections', () => {
    const result = parseInstruction('password_reset.md', reference)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.instruction.examples.length).toBeGreaterThanOrEqual(12)
    expect(result.instruction.sections.map((section) => section.heading)).toContain('When to use')
    expect(result.instruction.contentHash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('names the file, field and reason of every problem in every file', async () => {
    const problems = await loadFailure({
      'password_reset.md': reference.replace('risk: high\nsummary', 'risk: extreme\nsummary'),
      'other.md': reference
        .replace('id: password_reset', 'id: other')
        .replace(
          'operation: get_user_status\n    uses: [username]\n    risk: low',
          'operation: drop_domain\n    uses: [username]\n    risk: low',
        ),
    })
    expect(problems.some((line) => /password_reset\.md: risk: .*expected one of/.test(line))).toBe(
      true,
    )
    expect(
      problems.some((line) =>
        /other\.md: actions\.0\.operation: unknown active_directory operation "drop_domain"/.test(
          line,
        ),
      ),
    ).toBe(true)
  })

  it('rejects broken YAML, a missing front matter and an id that does not match the file', async () => {
    expect(await loadFailure({ 'a.md': '---\nid: [unclosed\n---\n## x\ny\n' })).toEqual([
      expect.stringMatching(/a\.md: \(front matter\): invalid YAML/),
    ])
    expect(await loadFailure({ 'b.md': '# just prose\n' })).toEqual([
      expect.stringMatching(/b\.md: \(file\): no YAML front matter/),
    ])
    expect(await loadFailure({ 'c.md': reference })).toEqual([
      expect.stringMatching(/c\.md: id: id "password_reset" must match the file name "c"/),
    ])
  })

  it('rejects a step that refers to an undeclared parameter or lacks its script', async () => {
    const broken = reference
      .replace(
        '    target: device\n    uses: [username]',
        '    target: laptop\n    uses: [username]',
      )
      .replace(
        '    title: Deliver the temporary password out of band\n    executor: guidance',
        '    title: Deliver the temporary password out of band\n    executor: bash',
      )
    const problems = await loadFailure({ 'password_reset.md': broken })
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/actions\.4\.target: unknown parameter "laptop"/),
        expect.stringMatching(/actions\.5\.script: a bash action needs "script"/),
      ]),
    )
  })

  it('reports an unreadable directory and an empty one', async () => {
    await expect(loadInstructions('/nonexistent/runbooks')).rejects.toThrow(
      /cannot read the instructions directory/,
    )
    const empty = await mkdtemp(path.join(tmpdir(), 'empty-'))
    await expect(loadInstructions(empty)).rejects.toThrow(/no runbooks/)
  })
})
