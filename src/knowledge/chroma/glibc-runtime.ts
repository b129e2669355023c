import { execFile } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { HelpdeskError } from '../../errors/index.ts'

/** The oldest glibc whose symbols Chroma's npm server binding links against (GLIBC_2.39). */
export const REQUIRED_GLIBC_VERSION = '2.39'

/** A private glibc: start a program as `loaderPath --library-path libraryPath program ...`. */
export interface GlibcRuntime {
  loaderPath: string
  libraryPath: string
}

const FETCH_SCRIPT = fileURLToPath(
  new URL('../../../scripts/chroma/fetch-glibc.sh', import.meta.url),
)
/** apt retries and its own timeouts bound a healthy fetch; this only catches a hung mirror. */
const FETCH_TIMEOUT_MS = 300_000
const STDERR_TAIL_CHARS = 4000

/** The glibc this process runs on, or undefined on musl, macOS, Windows. */
export function systemGlibcVersion(): string | undefined {
  if (process.platform !== 'linux') return undefined
  const report = process.report.getReport()
  if (!('header' in report) || typeof report.header !== 'object' || report.header === null) {
    return undefined
  }
  const version =
    'glibcVersionRuntime' in report.header ? report.header.glibcVersionRuntime : undefined
  return typeof version === 'string' ? version : undefined
}

/**
 * Whether the Chroma server must be started through a newer private glibc. Without glibc there is
 * nothing we can substitute, so the binding is run directly and reports its own error.
 */
export function needsGlibcRuntime(version: string | undefined = systemGlibcVersion()): boolean {
  if (version === undefined) return false
  return compareVersions(version, REQUIRED_GLIBC_VERSION) < 0
}

function compareVersions(left: string, right: string): number {
  const leftParts = left.split('.').map(Number)
  const rightParts = right.split('.').map(Number)
  for (let index = 0; index < Math.max(leftParts.length, rightParts.length); index++) {
    const difference = (leftParts[index] ?? 0) - (rightParts[index] ?? 0)
    if (difference !== 0) return difference
  }
  return 0
}

/**
 * Fetches Debian trixie's glibc into `cacheDirectory` once (later calls return at once) and
 * returns how to start a program with it.
 * @throws HelpdeskError CHROMA_RUNTIME_FAILED when the fetch fails; the script's stderr is kept in
 *   `details.stderr`.
 */
export async function ensureGlibcRuntime(cacheDirectory: string): Promise<GlibcRuntime> {
  const { stdout, stderr, error } = await runFetchScript(cacheDirectory)
  const loaderPath = stdout.trim().split('\n').at(-1) ?? ''
  if (error === undefined && loaderPath !== '' && (await isExecutable(loaderPath))) {
    return { loaderPath, libraryPath: dirname(loaderPath) }
  }
  const glibc = systemGlibcVersion() ?? 'unknown'
  throw new HelpdeskError({
    code: 'CHROMA_RUNTIME_FAILED',
    category: 'SYSTEM',
    message:
      `The embedded Chroma server needs glibc >= ${REQUIRED_GLIBC_VERSION} but this system has ` +
      `${glibc}, and fetching a private copy from Debian trixie failed` +
      `${lastLine(stderr)}. Fix one of: set CHROMA_URL to an existing Chroma server; run on a ` +
      `system with glibc >= ${REQUIRED_GLIBC_VERSION} (Debian 13, Ubuntu 24.04); or make ` +
      'apt-get able to reach deb.debian.org.',
    details: {
      glibc,
      cacheDirectory,
      script: FETCH_SCRIPT,
      exitCode: error?.code ?? null,
      stderr: stderr.slice(-STDERR_TAIL_CHARS),
    },
    cause: error,
  })
}

interface FetchResult {
  stdout: string
  stderr: string
  error: (Error & { code?: number | string | null }) | undefined
}

function runFetchScript(cacheDirectory: string): Promise<FetchResult> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      [FETCH_SCRIPT, cacheDirectory],
      { timeout: FETCH_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        // A missing bash is the one failure the script cannot explain itself.
        const explained =
          error !== null && 'code' in error && error.code === 'ENOENT'
            ? `${stderr}bash is not installed (${error.message})\n`
            : stderr
        resolve({ stdout, stderr: explained, error: error ?? undefined })
      },
    )
  })
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function lastLine(text: string): string {
  const line = text.trim().split('\n').at(-1)?.trim()
  return line ? ` (${line})` : ''
}
