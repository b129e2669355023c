import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** The glibc sysroot for Chroma is shared by every test, so it is fetched once per machine. */
export const RUNTIME_CACHE_DIRECTORY = path.resolve('.helpdesk/runtime')

export async function temporaryDirectory(
  prefix: string,
): Promise<{ path: string; remove: () => Promise<void> }> {
  const directory = await mkdtemp(path.join(tmpdir(), `${prefix}-`))
  return { path: directory, remove: () => rm(directory, { recursive: true, force: true }) }
}
