/**
 * Splits a message into the clauses a person may have joined several requests with: sentences,
 * list items, and conjunctions such as "and also", "plus", "btw". Over-splitting is harmless
 * (the router merges parts that route to the same task or route nowhere); under-splitting loses a
 * request, so the patterns lean generous.
 */
const SENTENCE_BREAK =
  /(?<=[.!?])\s+(?=[A-Za-z0-9"'(])|[\r\n]+|;\s*|\s+-\s+|\s*\(\d\)\s*|(?:^|\s)\d[.)]\s+|(?:^|\s)[a-e]\)\s+|\s+\+\s+/
const CONJUNCTION =
  /,?\s+(?:(?:and\s+)?while\s+you(?:'|\u2019)?re\s+at\s+it|(?:and\s+)?while\s+you\s+are\s+at\s+it|(?:and\s+)?one\s+more\s+thing:?|another\s+thing:?|on\s+another\s+note|separately|unrelated(?:ly)?:?|since|and\s+also|and\s+then|and\s+btw|oh\s+and|also|plus|as\s+well\s+as|additionally|on\s+top\s+of\s+that|another\s+thing|besides|btw|by\s+the\s+way|p\.?s\.?|and|&)\s+/i

/** A sentence may itself open with the joining word: "Also, the printer...". */
const LEADING_CONJUNCTION =
  /^(?:(?:and\s+)?while\s+you(?:'|\u2019)?re\s+at\s+it|(?:and\s+)?while\s+you\s+are\s+at\s+it|one\s+more\s+thing|on\s+another\s+note|separately|unrelated(?:ly)?|and\s+also|oh\s+and|and|also|plus|additionally|besides|btw|by\s+the\s+way|p\.?s\.?|another\s+thing)\b[,:]?\s*/i

const MIN_PART_CHARACTERS = 4

/**
 * A clause that only says something works ("and Teams works", "(the internet is fine)",
 * "username and password are definitely right") is context for the other clauses, not a request.
 */
const NO_PROBLEM =
  /\b(?:works?|working|worked)(?:\s+(?:fine|ok|okay|normally|perfectly|great))?[\s.!)]*$|\b(?:is|are|seems?|looks?)\s+(?:\w+\s+)?(?:fine|ok|okay|right|correct|good)\b/i

export function statesNoProblem(clause: string): boolean {
  return NO_PROBLEM.test(clause)
}

export function splitClauses(text: string): string[] {
  const parts: string[] = []
  for (const sentence of text.split(SENTENCE_BREAK)) {
    if (!sentence) continue
    for (const part of sentence.split(new RegExp(CONJUNCTION.source, 'gi'))) {
      const trimmed = part
        .trim()
        .replace(LEADING_CONJUNCTION, '')
        .replace(/^[,\s]+|[,\s]+$/g, '')
      if (trimmed.length >= MIN_PART_CHARACTERS) parts.push(trimmed)
    }
  }
  return parts
}
