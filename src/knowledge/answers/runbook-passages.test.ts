import { beforeAll, describe, expect, it } from 'vitest'
import { loadKnowledgeSources } from '../knowledge-base.ts'
import { RunbookPassages, splitPassages } from './runbook-passages.ts'

describe('splitPassages', () => {
  it('keeps a numbered step whole: its wrapped lines joined, its sub-items under it', () => {
    const passages = splitPassages(
      [
        '1. Read the account status.',
        '2. Recurring lockouts are an old password replayed by something:',
        '   - a **phone or tablet**: ActiveSync mail, the office Wi-Fi',
        '     (802.1X/PEAP with domain credentials);',
        '   - **mapped drives** saved with the old password;',
        '3. Find the source from the DC side.',
      ].join('\n'),
    )
    expect(passages).toEqual([
      '1. Read the account status.',
      [
        '2. Recurring lockouts are an old password replayed by something:',
        '   - a **phone or tablet**: ActiveSync mail, the office Wi-Fi (802.1X/PEAP with domain credentials);',
        '   - **mapped drives** saved with the old password;',
      ].join('\n'),
      '3. Find the source from the DC side.',
    ])
  })

  it('reads a table row by row as "cell: cell", without its header', () => {
    const passages = splitPassages(
      [
        '| Message | Meaning |',
        '|---|---|',
        '| System error 67 | The share name is wrong |',
        '| System error 85 | The drive letter is taken |',
      ].join('\n'),
    )
    expect(passages).toEqual([
      'System error 67: The share name is wrong',
      'System error 85: The drive letter is taken',
    ])
  })

  it('splits a paragraph into sentences, but not at a dot in code, in a quote or in "e.g."', () => {
    const passages = splitPassages(
      'Run `gpupdate /force. Then` wait, e.g. Two minutes. "Not licensed. Ask your admin" means\nno licence. Sign out and\nin again. The drive returns.',
    )
    expect(passages).toEqual([
      'Run `gpupdate /force. Then` wait, e.g. Two minutes.',
      '"Not licensed. Ask your admin" means no licence.',
      'Sign out and in again.',
      'The drive returns.',
    ])
  })
})

describe('RunbookPassages over the real runbooks', () => {
  let passages: RunbookPassages
  beforeAll(async () => {
    const sources = await loadKnowledgeSources({
      instructionsDirectory: 'data/instructions',
      outOfScopeFile: 'data/routing/out-of-scope.yaml',
    })
    passages = new RunbookPassages(sources.instructions)
  })

  it('never offers the scope or escalation sections as an answer', () => {
    // "When to use" of outlook_sync is the only place signatures are mentioned (out of scope).
    const found = passages.search('how do I change my outlook signature', { limit: 500 })
    expect(found.map(({ passage }) => passage.section)).not.toContain('When to use')
    const escalation = passages.search('escalate to the messaging team', { limit: 500 })
    expect(escalation.map(({ passage }) => passage.section)).not.toContain('Escalation')
  })

  it('searches only the runbooks asked for, best first', () => {
    const found = passages.search('map a network drive again', {
      runbooks: new Set(['shared_drive_access']),
    })
    expect(found.length).toBeGreaterThan(0)
    expect(new Set(found.map(({ passage }) => passage.runbook))).toEqual(
      new Set(['shared_drive_access']),
    )
    const scores = found.map(({ score }) => score)
    expect(scores).toEqual([...scores].sort((left, right) => right - left))
    expect(found.some(({ passage }) => passage.text.includes('remove and map again'))).toBe(true)
  })
})
