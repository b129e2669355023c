import { createHash } from 'node:crypto'
import type { LiveRouter } from '../../app/live-router.ts'
import type { AuditLog } from '../../audit/audit-log.ts'
import { HelpdeskError, isHelpdeskError } from '../../errors/index.ts'
import type { IngestReport } from '../ingest/ingest-knowledge.ts'
import type { Instruction } from '../instructions/instruction.ts'
import { type RunbookProblem, validateRunbookText } from '../instructions/runbook-text.ts'
import type { KnowledgeBase } from '../knowledge-base.ts'
import { type OutOfScopeTopic, parseOutOfScopeText } from '../out-of-scope.ts'
import { type DraftRouting, routeAgainstDraft } from './draft-routing.ts'
import type {
  RunbookChangeKind,
  RunbookStore,
  RunbookVersion,
  RunbookWrite,
} from './runbook-store.ts'
import {
  OUT_OF_SCOPE_ID,
  readStoredSet,
  type SeedFiles,
  STORED_OUT_OF_SCOPE_FILE,
  seedIfEmpty,
} from './stored-sources.ts'

/**
 * The instruction manager's service: runbooks and out-of-scope topics read from and written to
 * the runbook store, and every change put to work at once, without a restart: the knowledge
 * base's maps are replaced in place, Chroma gets the changed chunks (and loses the removed ones)
 * and the router is retrained, so the next chat turn routes with the new set. Changes are
 * serialised in this process; the store's versions keep two processes from overwriting each other.
 * @module
 */

/** Who changes something, and why. */
export interface RunbookAuthor {
  username: string
  reason: string
}

/** The result of a change: the runbook as now in use, its version, and whether Chroma has it. */
export interface RunbookChange {
  instruction: Instruction | undefined
  version: RunbookVersion
  /** False when Chroma could not be written: readiness re-ingests once it answers again. */
  indexed: boolean
}

const NO_REASON = '(no reason given)'

/** The name a stored runbook gets as its `file` (also its name in an export). */
export const runbookFileName = (id: string) => `${id}.md`

export class RunbookLibrary {
  private readonly store: RunbookStore
  private readonly knowledge: KnowledgeBase
  private readonly router: LiveRouter
  private readonly audit: Pick<AuditLog, 'append'>
  private readonly log: (line: string) => void
  private readonly seed: SeedFiles
  private texts = new Map<string, RunbookVersion>()
  private outOfScopeVersion: RunbookVersion | undefined
  private seenRevision = -1
  private queue: Promise<unknown> = Promise.resolve()

  constructor(options: {
    store: RunbookStore
    knowledge: KnowledgeBase
    router: LiveRouter
    audit: Pick<AuditLog, 'append'>
    seed: SeedFiles
    log?: (line: string) => void
  }) {
    this.store = options.store
    this.knowledge = options.knowledge
    this.router = options.router
    this.audit = options.audit
    this.seed = options.seed
    this.log = options.log ?? (() => {})
  }

  /**
   * Seeds an empty store from `data/instructions/` and the out-of-scope file (validated by the
   * loader first: an invalid seed stops start-up), then puts the store's set to work.
   */
  async start(options: { ingest?: boolean } = {}): Promise<void> {
    await this.serialised(async () => {
      await seedIfEmpty(this.store, this.seed, this.log)
      await this.reload(options.ingest ?? true)
    })
  }

  /** Re-reads the store when another process changed it (several replicas on one database). */
  async refreshIfChanged(): Promise<boolean> {
    return this.serialised(async () => {
      if ((await this.store.revision()) === this.seenRevision) return false
      await this.reload()
      return true
    })
  }

  /** The stored version of a current runbook. */
  current(id: string): RunbookVersion | undefined {
    return this.texts.get(id)
  }

  /** Every current runbook's stored version, by id. */
  currentVersions(): ReadonlyMap<string, RunbookVersion> {
    return this.texts
  }

  get outOfScope(): RunbookVersion | undefined {
    return this.outOfScopeVersion
  }

  /** "Which runbook would this message hit?" against the current set with the draft in it. */
  routeDraft(message: string, draft?: { text: string; id?: string }): Promise<DraftRouting> {
    return routeAgainstDraft({ knowledge: this.knowledge, router: this.router }, message, draft)
  }

  async versions(id: string): Promise<RunbookVersion[]> {
    const versions = await this.store.versions('runbook', id)
    if (versions.length === 0) throw notFound(id)
    return versions
  }

  /** The deletion of each runbook that is deleted now (its old versions stay readable). */
  deletions(): Promise<RunbookVersion[]> {
    return this.store.deleted('runbook')
  }

  async outOfScopeVersions(): Promise<RunbookVersion[]> {
    return this.store.versions('out_of_scope', OUT_OF_SCOPE_ID)
  }

  /**
   * Adds a new runbook.
   * @throws {HelpdeskError} INVALID_RUNBOOK (with `problems`), INSTRUCTION_EXISTS.
   */
  async create(text: string, author: RunbookAuthor): Promise<RunbookChange> {
    const instruction = valid(text)
    return this.serialised(async () => {
      if (this.texts.has(instruction.id)) {
        throw new HelpdeskError({
          code: 'INSTRUCTION_EXISTS',
          message: `a runbook "${instruction.id}" exists; change it with PUT /api/instructions/${instruction.id}`,
          details: { id: instruction.id },
        })
      }
      return this.write(instruction.id, 'created', text, author, 0)
    })
  }

  /**
   * Replaces a runbook's text; `baseVersion` (from `If-Match`) guards against overwriting a
   * change made since the editor loaded it.
   * @throws {HelpdeskError} INVALID_RUNBOOK, INSTRUCTION_NOT_FOUND, RUNBOOK_CONFLICT.
   */
  async update(
    id: string,
    text: string,
    author: RunbookAuthor,
    baseVersion?: number,
  ): Promise<RunbookChange> {
    valid(text, id)
    return this.serialised(async () => {
      const stored = this.texts.get(id)
      if (!stored) throw notFound(id)
      if (stored.text === text && baseVersion === undefined) {
        return { instruction: this.knowledge.instructions.get(id), version: stored, indexed: true }
      }
      return this.write(id, 'updated', text, author, baseVersion ?? stored.version)
    })
  }

  /** @throws {HelpdeskError} INSTRUCTION_NOT_FOUND */
  async delete(id: string, author: RunbookAuthor): Promise<RunbookChange> {
    return this.serialised(async () => {
      const stored = this.texts.get(id)
      if (!stored) throw notFound(id)
      return this.write(id, 'deleted', '', author, stored.version)
    })
  }

  /**
   * Makes an old version current again (also of a deleted runbook). The old text must pass
   * today's schema.
   * @throws {HelpdeskError} INSTRUCTION_NOT_FOUND, INVALID_RUNBOOK.
   */
  async restore(id: string, version: number, author: RunbookAuthor): Promise<RunbookChange> {
    return this.serialised(async () => {
      const old = (await this.store.versions('runbook', id)).find(
        (each) => each.version === version,
      )
      if (!old || old.change === 'deleted') {
        throw new HelpdeskError({
          code: 'INSTRUCTION_NOT_FOUND',
          message: `runbook "${id.slice(0, 80)}" has no version ${version} with a text to restore; GET /api/instructions/${id.slice(0, 80)}/versions lists them`,
        })
      }
      valid(old.text, id)
      return this.write(
        id,
        'restored',
        old.text,
        { ...author, reason: author.reason || `restored version ${version}` },
        this.texts.get(id)?.version ?? 0,
      )
    })
  }

  /**
   * Writes several runbooks as one batch (the import): all of them or none.
   * @throws {HelpdeskError} RUNBOOK_CONFLICT when one changed meanwhile (then none is written).
   */
  async writeBatch(
    writes: ReadonlyArray<{ id: string; text: string }>,
    author: RunbookAuthor,
    change: RunbookChangeKind = 'imported',
  ): Promise<RunbookVersion[]> {
    return this.serialised(async () => {
      const batch: RunbookWrite[] = writes.map((each) => ({
        id: each.id,
        change,
        text: each.text,
        baseVersion: this.texts.get(each.id)?.version ?? 0,
      }))
      const versions = await this.store.apply('runbook', batch, {
        author: author.username,
        reason: author.reason || NO_REASON,
      })
      await this.reload()
      for (const version of versions) await this.record(version)
      return versions
    })
  }

  /**
   * Replaces the out-of-scope topics (the YAML of `data/routing/out-of-scope.yaml`).
   * @throws {HelpdeskError} INVALID_RUNBOOK naming each field.
   */
  async replaceOutOfScope(
    text: string,
    author: RunbookAuthor,
    change: RunbookChangeKind = 'updated',
  ): Promise<{ topics: OutOfScopeTopic[]; version: RunbookVersion; indexed: boolean }> {
    const parsed = parseOutOfScopeText(text)
    if (!parsed.ok) throw invalidRunbook(parsed.problems, 'the out-of-scope topics')
    return this.serialised(async () => {
      const [version] = await this.store.apply(
        'out_of_scope',
        [
          {
            id: OUT_OF_SCOPE_ID,
            change,
            text,
            baseVersion: this.outOfScopeVersion?.version ?? 0,
          },
        ],
        { author: author.username, reason: author.reason || NO_REASON },
      )
      if (!version) throw new Error('the store wrote no version')
      const indexed = await this.reload()
      await this.record(version)
      return { topics: parsed.topics, version, indexed }
    })
  }

  /**
   * Puts an older version of the out-of-scope topics back (a new version with its text).
   * @throws {HelpdeskError} INSTRUCTION_NOT_FOUND when there is no such version.
   */
  async restoreOutOfScope(version: number, author: RunbookAuthor) {
    const old = (await this.outOfScopeVersions()).find((each) => each.version === version)
    if (!old) {
      throw new HelpdeskError({
        code: 'INSTRUCTION_NOT_FOUND',
        message: `the out-of-scope topics have no version ${version}; GET /api/out-of-scope/versions lists them`,
      })
    }
    const reason = author.reason || `restored version ${version}`
    return this.replaceOutOfScope(old.text, { ...author, reason }, 'restored')
  }

  private async write(
    id: string,
    change: RunbookChangeKind,
    text: string,
    author: RunbookAuthor,
    baseVersion: number,
  ): Promise<RunbookChange> {
    const [version] = await this.store.apply('runbook', [{ id, change, text, baseVersion }], {
      author: author.username,
      reason: author.reason || NO_REASON,
    })
    if (!version) throw new Error('the store wrote no version')
    const indexed = await this.reload()
    await this.record(version)
    return { instruction: this.knowledge.instructions.get(id), version, indexed }
  }

  /** Every change is audited: who, what, which version, why, and the hash of the text. */
  private async record(version: RunbookVersion): Promise<void> {
    await this.audit.append({
      actor: version.author,
      action: version.kind === 'runbook' ? `runbook-${version.change}` : 'out-of-scope-update',
      target: version.id,
      detail: {
        kind: version.kind,
        version: version.version,
        reason: version.reason,
        sha256: createHash('sha256').update(version.text).digest('hex'),
      },
    })
  }

  /**
   * Reads the store's current set and puts it to work: knowledge maps, Chroma, router.
   * @returns whether Chroma took the changes.
   */
  private async reload(ingest = true): Promise<boolean> {
    const set = await readStoredSet(this.store, this.log)
    const outOfScope = set.outOfScope ?? this.knowledge.outOfScope
    this.texts = set.texts
    this.outOfScopeVersion = set.outOfScopeVersion
    this.seenRevision = set.revision
    this.knowledge.replaceSources({
      instructions: set.instructions,
      outOfScope,
      outOfScopeFile: STORED_OUT_OF_SCOPE_FILE,
      revision: set.revision,
    })
    let indexed = ingest
    try {
      if (ingest) this.log(describeReindex(set.revision, await this.knowledge.reingest()))
    } catch (error) {
      indexed = false
      this.log(
        `the runbooks changed but the vector store could not be updated (readiness retries): ${isHelpdeskError(error) ? error.message : String(error)}`,
      )
    }
    this.router.rebuild(set.instructions, outOfScope)
    return indexed
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work)
    this.queue = run.catch(() => undefined)
    return run
  }
}

/** One log line per re-index: what was embedded, or why nothing was (replicas). */
function describeReindex(revision: number, report: IngestReport): string {
  if (report.skipped === 'current')
    return `runbooks revision ${revision}: the shared collection already holds it; nothing embedded`
  if (report.skipped === 'newer-elsewhere')
    return `runbooks revision ${revision}: the shared collection holds a newer one (${report.markedRevision}); nothing embedded`
  return (
    `runbooks revision ${revision} re-indexed: ${report.added} added, ${report.updated} updated, ` +
    `${report.deleted} deleted in ${report.durationMs} ms`
  )
}

/** The parsed runbook, or INVALID_RUNBOOK with every problem. */
export function valid(text: string, expectedId?: string): Instruction {
  const checked = validateRunbookText(text, expectedId)
  if (checked.ok) return checked.instruction
  throw invalidRunbook(checked.problems, `runbook ${checked.id ?? ''}`.trim())
}

/** INVALID_RUNBOOK that keeps each problem whole (field, line, reason) for the API's answer. */
export class InvalidRunbookError extends HelpdeskError {
  readonly problems: readonly RunbookProblem[]

  constructor(problems: readonly RunbookProblem[], what: string) {
    const lines = problems.map(
      (each) => `${each.field}${each.line ? ` (line ${each.line})` : ''}: ${each.reason}`,
    )
    super({
      code: 'INVALID_RUNBOOK',
      message: `${problems.length} problem(s) in ${what}: ${lines.join('; ')}`,
      details: { problems: lines },
    })
    this.problems = problems
  }
}

export function invalidRunbook(
  problems: readonly RunbookProblem[],
  what: string,
): InvalidRunbookError {
  return new InvalidRunbookError(problems, what)
}

function notFound(id: string): HelpdeskError {
  return new HelpdeskError({
    code: 'INSTRUCTION_NOT_FOUND',
    message: `no instruction "${id.slice(0, 80)}"; GET /api/instructions lists the ids`,
  })
}
