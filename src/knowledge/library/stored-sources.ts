import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { isHelpdeskError } from '../../errors/index.ts'
import type { Instruction } from '../instructions/instruction.ts'
import { loadInstructions } from '../instructions/instruction-loader.ts'
import { validateRunbookText } from '../instructions/runbook-text.ts'
import type { KnowledgeSources } from '../knowledge-base.ts'
import { loadOutOfScopeTopics, type OutOfScopeTopic, parseOutOfScopeText } from '../out-of-scope.ts'
import type { RunbookStore, RunbookVersion, RunbookWrite } from './runbook-store.ts'

/**
 * The runbook store as the source of the knowledge base: seeded once from the files, read from
 * the store ever after (so the files may be missing, or on a read-only file system).
 * @module
 */

/** The id of the one out-of-scope document. */
export const OUT_OF_SCOPE_ID = 'topics'
/** The `file` of the out-of-scope chunks when the topics come from the store. */
export const STORED_OUT_OF_SCOPE_FILE = 'out-of-scope.yaml'

export interface SeedFiles {
  instructionsDirectory: string
  outOfScopeFile: string
}

/**
 * Writes the files into a store that was never written (an emptied one is not re-seeded). The
 * loader validates every file first: an invalid seed stops start-up, naming each problem.
 */
export async function seedIfEmpty(
  store: RunbookStore,
  seed: SeedFiles,
  log: (line: string) => void,
): Promise<void> {
  const author = { author: 'system', reason: 'seeded from the files at start-up' }
  try {
    if (!(await store.everWritten('runbook'))) {
      await loadInstructions(seed.instructionsDirectory)
      const names = (await readdir(seed.instructionsDirectory))
        .filter((name) => name.endsWith('.md'))
        .sort()
      const writes: RunbookWrite[] = []
      for (const name of names) {
        const text = await readFile(path.join(seed.instructionsDirectory, name), 'utf8')
        writes.push({ id: path.basename(name, '.md'), change: 'seeded', text, baseVersion: 0 })
      }
      await store.apply('runbook', writes, author)
      log(`runbook store seeded with ${writes.length} runbooks from ${seed.instructionsDirectory}`)
    }
    if (!(await store.everWritten('out_of_scope'))) {
      await loadOutOfScopeTopics(seed.outOfScopeFile)
      const text = await readFile(seed.outOfScopeFile, 'utf8')
      await store.apply(
        'out_of_scope',
        [{ id: OUT_OF_SCOPE_ID, change: 'seeded', text, baseVersion: 0 }],
        author,
      )
    }
  } catch (error) {
    // Another replica seeded at the same moment: its seed stands.
    if (!(isHelpdeskError(error) && error.code === 'RUNBOOK_CONFLICT')) throw error
  }
}

/** The store's current set, parsed. */
export interface StoredSet {
  instructions: Instruction[]
  texts: Map<string, RunbookVersion>
  outOfScope: OutOfScopeTopic[] | undefined
  outOfScopeVersion: RunbookVersion | undefined
  revision: number
}

/**
 * Reads the current set. A stored runbook that no longer passes the schema (after an upgrade
 * tightened it) is left out and logged, rather than stopping the server.
 */
export async function readStoredSet(
  store: RunbookStore,
  log: (line: string) => void,
): Promise<StoredSet> {
  const revision = await store.revision()
  const instructions: Instruction[] = []
  const texts = new Map<string, RunbookVersion>()
  for (const version of await store.current('runbook')) {
    const checked = validateRunbookText(version.text, version.id)
    if (checked.ok) {
      instructions.push(checked.instruction)
      texts.set(version.id, version)
    } else {
      log(
        `runbook ${version.id} version ${version.version} is left out: ${checked.problems.map((each) => `${each.field}: ${each.reason}`).join('; ')}`,
      )
    }
  }
  const [outOfScopeVersion] = await store.current('out_of_scope')
  let outOfScope: OutOfScopeTopic[] | undefined
  if (outOfScopeVersion) {
    const parsed = parseOutOfScopeText(outOfScopeVersion.text)
    if (parsed.ok) outOfScope = parsed.topics
    else log('the stored out-of-scope topics are invalid; the previous ones stay in use')
  }
  return { instructions, texts, outOfScope, outOfScopeVersion, revision }
}

/** Seeds if needed and reads the set: the knowledge base's sources at start-up. */
export async function loadStoredSources(
  store: RunbookStore,
  seed: SeedFiles,
  log: (line: string) => void,
): Promise<KnowledgeSources> {
  await seedIfEmpty(store, seed, log)
  const set = await readStoredSet(store, log)
  return {
    instructions: set.instructions,
    outOfScope: set.outOfScope ?? [],
    outOfScopeFile: STORED_OUT_OF_SCOPE_FILE,
    revision: set.revision,
  }
}
