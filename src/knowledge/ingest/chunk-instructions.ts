import { createHash } from 'node:crypto'
import type { Instruction } from '../instructions/instruction.ts'
import { CHUNK_KINDS, type ChunkKind, type KnowledgeChunk } from '../knowledge-chunk.ts'
import type { OutOfScopeTopic } from '../out-of-scope.ts'

export const OUT_OF_SCOPE_PREFIX = 'out_of_scope:'

/** Splits runbooks (and the out-of-scope topics) into the chunks the vector store holds. */
export function chunkKnowledge(
  instructions: readonly Instruction[],
  outOfScope: readonly OutOfScopeTopic[],
  outOfScopeSource: string,
): KnowledgeChunk[] {
  const chunks = new Map<string, KnowledgeChunk>()
  const add = (
    taskType: string,
    kind: ChunkKind,
    text: string,
    source: string,
    heading?: string,
  ) => {
    const chunk = makeChunk(taskType, kind, text, source, heading)
    chunks.set(chunk.id, chunk)
  }
  for (const instruction of instructions) {
    const { id, file } = instruction
    add(id, 'summary', `${instruction.title}. ${instruction.summary}`, file)
    for (const example of instruction.examples) add(id, 'example', example, file)
    for (const keyword of instruction.keywords) add(id, 'keyword', keyword, file)
    for (const action of instruction.actions) {
      const detail = action.text ?? action.verification?.description ?? ''
      add(
        id,
        'step',
        `${action.title} (${action.executor}, risk ${action.risk})${detail ? `. ${detail}` : ''}`,
        file,
        action.id,
      )
    }
    for (const section of instruction.sections) {
      add(id, 'section', `${section.heading}\n${section.text}`, file, section.heading)
    }
  }
  for (const topic of outOfScope) {
    for (const example of topic.examples) {
      add(`${OUT_OF_SCOPE_PREFIX}${topic.topic}`, 'out_of_scope', example, outOfScopeSource)
    }
  }
  return [...chunks.values()]
}

/** The task type and kind a chunk id names (`taskType:kind:hash`), or undefined for another id. */
export function chunkIdentity(id: string): { taskType: string; kind: ChunkKind } | undefined {
  const parts = id.split(':')
  if (parts.length < 3) return undefined
  const kind = parts[parts.length - 2] as ChunkKind
  if (!(CHUNK_KINDS as readonly string[]).includes(kind)) return undefined
  const taskType = parts.slice(0, -2).join(':')
  return taskType ? { taskType, kind } : undefined
}

function makeChunk(
  taskType: string,
  kind: ChunkKind,
  text: string,
  source: string,
  heading?: string,
): KnowledgeChunk {
  const textHash = sha256(text).slice(0, 16)
  const contentHash = sha256(JSON.stringify([taskType, kind, text, source, heading ?? '']))
  return {
    id: `${taskType}:${kind}:${textHash}`,
    taskType,
    kind,
    text,
    contentHash,
    source,
    ...(heading ? { heading } : {}),
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
