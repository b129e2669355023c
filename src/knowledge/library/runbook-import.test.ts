import { readFileSync } from 'node:fs'
import { strToU8, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { importRunbooks, unpackUpload } from './runbook-import.ts'
import type { RunbookLibrary } from './runbook-library.ts'
import type { RunbookVersion } from './runbook-store.ts'

const SMARTBOARD = readFileSync('tests/fixtures/runbooks/smartboard_not_projecting.md', 'utf8')
const file = (name: string, text: string | Uint8Array) => ({
  name,
  bytes: typeof text === 'string' ? strToU8(text) : text,
})

/** The two methods an import uses, recording the batch it would write. */
function fakeLibrary(current: Record<string, string> = {}) {
  const written: Array<Array<{ id: string; text: string }>> = []
  const library = {
    current: (id: string) =>
      current[id] === undefined
        ? undefined
        : ({ id, text: current[id], version: 1 } as RunbookVersion),
    writeBatch: async (writes: Array<{ id: string; text: string }>) => {
      written.push(writes)
      return []
    },
  }
  // Only `current` and `writeBatch` are used by the import; the rest of the class is not needed.
  return { library: library as unknown as RunbookLibrary, written }
}
const author = { username: 'tom', reason: 'import' }

describe('runbook import', () => {
  it('opens a zip, flattens folders and skips hidden entries', () => {
    const zip = zipSync({
      'set/smartboard_not_projecting.md': strToU8(SMARTBOARD),
      '__MACOSX/set/._smartboard_not_projecting.md': strToU8('junk'),
      'set/.DS_Store': strToU8('junk'),
    })
    expect(unpackUpload([file('set.zip', zip)]).map((each) => each.name)).toEqual([
      'smartboard_not_projecting.md',
    ])
  })

  it('refuses a zip that unpacks to too many files, and one that is not a zip', () => {
    const many: Record<string, Uint8Array> = {}
    for (let index = 0; index < 501; index += 1) many[`r${index}.md`] = strToU8('x')
    expect(() => unpackUpload([file('many.zip', zipSync(many))])).toThrow(/more than 500 files/)
    const broken = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3])
    expect(() => unpackUpload([file('broken.zip', broken)])).toThrow(/not a readable zip/)
    expect(() => unpackUpload([])).toThrow(/no files/)
  })

  it('reports each file and writes nothing when one is invalid', async () => {
    const { library, written } = fakeLibrary({ smartboard_not_projecting: SMARTBOARD })
    const report = await importRunbooks(
      library,
      [
        file('smartboard_not_projecting.md', SMARTBOARD),
        file('latin1.md', new Uint8Array([0xff, 0xfe, 0x41])),
        file('smartboard_not_projecting.md', SMARTBOARD),
      ],
      author,
    )
    expect(report.files.map((each) => [each.file, each.status])).toEqual([
      ['smartboard_not_projecting.md', 'unchanged'],
      ['latin1.md', 'invalid'],
      ['smartboard_not_projecting.md', 'invalid'],
    ])
    expect(report.files[1]?.reason).toBe('not UTF-8 text')
    expect(report.files[2]?.reason).toMatch(/a second file/)
    expect(report.applied).toBe(false)
    expect(written).toEqual([])
  })

  it('writes the added and updated files in one batch, and skips unchanged ones', async () => {
    const { library, written } = fakeLibrary({ smartboard_not_projecting: 'older text' })
    const other = SMARTBOARD.replaceAll('smartboard_not_projecting', 'beamer_flicker')
    const report = await importRunbooks(
      library,
      [
        file('smartboard_not_projecting.md', `\uFEFF${SMARTBOARD}`),
        file('beamer_flicker.md', other),
      ],
      author,
    )
    expect(report).toMatchObject({ applied: true, counts: { updated: 1, added: 1 } })
    expect(written).toHaveLength(1)
    // A byte order mark is dropped: the stored text is the runbook itself.
    expect(
      written[0]?.map((each) => [each.id, each.text === SMARTBOARD || each.text === other]),
    ).toEqual([
      ['smartboard_not_projecting', true],
      ['beamer_flicker', true],
    ])
  })
})
