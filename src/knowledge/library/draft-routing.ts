import type { LiveRouter } from '../../app/live-router.ts'
import type { RouteDecision } from '../../retrieval/request-router.ts'
import { chunkKnowledge } from '../ingest/chunk-instructions.ts'
import type { Instruction } from '../instructions/instruction.ts'
import { type RunbookProblem, validateRunbookText } from '../instructions/runbook-text.ts'
import type { KnowledgeBase } from '../knowledge-base.ts'
import type { ChunkKind, ScoredChunk } from '../knowledge-chunk.ts'
import { MemoryVectorStore } from '../memory-vector-store.ts'
import type { VectorStore } from '../vector-store.ts'

/**
 * "Which runbook would this message hit?" for the instruction manager: routes a message against
 * the draft set (the current runbooks with the one being edited replaced by its draft, or added)
 * exactly as the chat would after the save: a router trained on the draft set, whose
 * nearest-neighbour vote reads Chroma for every other runbook and an in-process index of the
 * draft's own chunks. Nothing is written anywhere.
 * @module
 */

export interface DraftRouting {
  decision: RouteDecision & { ranked: Array<{ taskType: string; score: number; title?: string }> }
  /** Whether the draft was used: false when it has problems (then the current set routed). */
  usedDraft: boolean
  problems: RunbookProblem[]
}

export async function routeAgainstDraft(
  parts: { knowledge: KnowledgeBase; router: LiveRouter },
  message: string,
  draft?: { text: string; id?: string },
): Promise<DraftRouting> {
  const { knowledge, router } = parts
  let problems: RunbookProblem[] = []
  let decision: RouteDecision
  let set = [...knowledge.instructions.values()]
  let usedDraft = false
  if (draft && draft.text.trim() !== '') {
    const checked = validateRunbookText(draft.text, draft.id)
    if (checked.ok) {
      const edited = checked.instruction
      set = [...set.filter((each) => each.id !== edited.id && each.id !== draft.id), edited]
      const overlay = await draftOverlay(knowledge, edited, draft.id)
      decision = await router.draft(set, knowledge.outOfScope, overlay).route(message)
      usedDraft = true
    } else {
      problems = checked.problems
      decision = await router.route(message)
    }
  } else {
    decision = await router.route(message)
  }
  const titles = new Map(set.map((each) => [each.id, each.title]))
  return {
    decision: {
      ...decision,
      ranked: decision.ranked.map((each) => {
        const title = titles.get(each.taskType)
        return title ? { ...each, title } : each
      }),
    },
    usedDraft,
    problems,
  }
}

/** Chroma for every runbook but the edited one, whose draft chunks are searched in process. */
async function draftOverlay(
  knowledge: KnowledgeBase,
  edited: Instruction,
  replacedId: string | undefined,
): Promise<VectorStore> {
  const local = new MemoryVectorStore()
  await local.open(knowledge.embedding.fingerprint)
  const chunks = chunkKnowledge([edited], [], '')
  await local.upsert(chunks, await knowledge.embedding.embed(chunks.map((chunk) => chunk.text)))
  const hidden = new Set([edited.id, ...(replacedId ? [replacedId] : [])])
  return new OverlayStore(knowledge.store, local, hidden)
}

/** Reads only: queries both stores and merges by similarity, hiding the replaced runbook's chunks. */
class OverlayStore implements VectorStore {
  readonly id = 'draft-overlay'
  private readonly base: VectorStore
  private readonly draft: VectorStore
  private readonly hidden: ReadonlySet<string>

  constructor(base: VectorStore, draft: VectorStore, hidden: ReadonlySet<string>) {
    this.base = base
    this.draft = draft
    this.hidden = hidden
  }

  open(): Promise<{ reset: boolean }> {
    return Promise.resolve({ reset: false })
  }
  listHashes(): Promise<Map<string, string>> {
    return this.base.listHashes()
  }
  upsert(): Promise<void> {
    return Promise.reject(new Error('the draft overlay is read-only'))
  }
  delete(): Promise<void> {
    return Promise.reject(new Error('the draft overlay is read-only'))
  }
  count(): Promise<number> {
    return this.base.count()
  }
  ping(): Promise<void> {
    return this.base.ping()
  }

  async query(
    embeddings: readonly number[][],
    options: { limit: number; kinds?: readonly ChunkKind[] },
  ): Promise<ScoredChunk[][]> {
    // Twice the limit from the base: the replaced runbook's own chunks may fill its top places.
    const [base, draft] = await Promise.all([
      this.base.query(embeddings, { ...options, limit: options.limit * 2 }),
      this.draft.query(embeddings, options),
    ])
    return embeddings.map((_, index) =>
      [
        ...(base[index] ?? []).filter((hit) => !this.hidden.has(hit.chunk.taskType)),
        ...(draft[index] ?? []),
      ]
        .sort((left, right) => right.similarity - left.similarity)
        .slice(0, options.limit),
    )
  }
}
