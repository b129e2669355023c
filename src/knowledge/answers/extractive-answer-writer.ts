import {
  type AnswerRequest,
  type AnswerWriter,
  citationOf,
  type RunbookAnswer,
  sourcesOf,
} from './answer-writer.ts'

/**
 * The offline answer: the retrieved passages as the runbook words them (a numbered step keeps
 * its number, a list item its sub-items), in the runbook's order, and where they come from.
 */
export class ExtractiveAnswerWriter implements AnswerWriter {
  readonly id = 'extractive'

  async write(request: AnswerRequest): Promise<RunbookAnswer> {
    return extractiveAnswer(request)
  }
}

/** Also the fallback of writers that cannot write (a model that fails or answers nothing). */
export function extractiveAnswer(request: AnswerRequest): RunbookAnswer {
  const ordered = [...request.passages].sort((left, right) => left.position - right.position)
  const sources = sourcesOf(ordered)
  const lines: string[] = []
  let section: string | undefined
  for (const passage of ordered) {
    // The section heading once before its passages, so a step list reads under "Fix".
    if (passage.section !== section && sources.length > 1) lines.push(`${passage.section}:`)
    section = passage.section
    lines.push(passage.text)
  }
  return {
    text: `From the runbooks (nothing was run):\n\n${lines.join('\n')}\n\n${citationOf(request.runbookTitle, sources)}`,
    sources,
  }
}
