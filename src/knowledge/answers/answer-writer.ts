import type { QuestionForm } from './question-form.ts'
import type { Passage } from './runbook-passages.ts'

/** Where an answer comes from: a runbook (its id) and a section heading in it. */
export interface AnswerSource {
  runbook: string
  section: string
}

/** An answer to a how-to or why question, with the runbook sections it was taken from. */
export interface RunbookAnswer {
  text: string
  sources: AnswerSource[]
}

/** What a writer answers from: the question and the passages retrieved for it, best first. */
export interface AnswerRequest {
  question: string
  form: QuestionForm
  runbookTitle: string
  passages: readonly Passage[]
}

/**
 * Writes the answer to a question from the retrieved runbook passages. Implementations:
 * `ExtractiveAnswerWriter` (the passages themselves, offline, the default) and
 * `ModelAnswerWriter` (an OpenAI-compatible model writes it from the passages).
 *
 * Contract:
 * - Answers only from `passages`: every source is the runbook and section of a given passage,
 *   and an answer always has at least one source.
 * - Never fails and never answers empty for a non-empty `passages`: a writer that cannot write
 *   (a model down or answering nothing) falls back to the passages themselves.
 */
export interface AnswerWriter {
  readonly id: string
  write(request: AnswerRequest): Promise<RunbookAnswer>
}

/** The distinct sections of the passages, in order. */
export function sourcesOf(passages: readonly Passage[]): AnswerSource[] {
  const seen = new Map<string, AnswerSource>()
  for (const passage of passages) {
    const key = `${passage.runbook}\u0000${passage.section}`
    if (!seen.has(key)) seen.set(key, { runbook: passage.runbook, section: passage.section })
  }
  return [...seen.values()]
}

/** The citation line under an answer: "Source: Title › Fix" (sections joined by "; "). */
export function citationOf(runbookTitle: string, sources: readonly AnswerSource[]): string {
  return `Source: ${runbookTitle} › ${sources.map((source) => source.section).join('; ')}`
}
