/**
 * Splits a message into the clauses a person may have joined several requests with: sentences,
 * list items, and conjunctions such as "and also", "plus", "btw". Over-splitting is harmless
 * (the router merges parts that route to the same task or route nowhere); under-splitting loses a
 * request, so the patterns lean generous.
 */
const SENTENCE_BREAK =
  /(?<=[.!?])\s+(?=[A-Za-z0-9"'(])|[\r\n]+|;\s*|\s+-\s+|\s*\(\d\)\s*|(?:^|\s)\d[.)]\s+|(?:^|\s)[a-e]\)\s+|\s+\+\s+/
/**
 * "and on top of that", "and since you're at it": the announcing words are matched with the "and"
 * before them, else "and" alone is taken as the joiner and the announcing words stay in the
 * clause, which then reads as an unannounced detail.
 */
const CONJUNCTION =
  /,?\s+(?:(?:and\s+)?(?:while|since|as)\s+you(?:(?:'|\u2019)?re|\s+are)\s+at\s+it|(?:and\s+)?on\s+top\s+of\s+(?:that|this)|(?:and\s+)?one\s+more\s+thing:?|another\s+thing:?|on\s+another\s+note|separately|unrelated(?:ly)?:?|since|and\s+also|and\s+then|and\s+btw|oh\s+and|also|plus|as\s+well\s+as|additionally|another\s+thing|besides|btw|by\s+the\s+way|p\.?s\.?|and|&)\s+/i

/** A sentence may itself open with the joining word: "Also, the printer...". */
const LEADING_CONJUNCTION =
  /^(?:(?:and\s+)?(?:while|since|as)\s+you(?:(?:'|\u2019)?re|\s+are)\s+at\s+it|(?:and\s+)?on\s+top\s+of\s+(?:that|this)|one\s+more\s+thing|on\s+another\s+note|separately|unrelated(?:ly)?|and\s+also|oh\s+and|and|also|plus|additionally|besides|btw|by\s+the\s+way|p\.?s\.?|another\s+thing)\b[,:]?\s*/i

const MIN_PART_CHARACTERS = 4

/**
 * A clause that only says something works ("and Teams works", "(the internet is fine)",
 * "username and password are definitely right") is context for the other clauses, not a request.
 */
const NO_PROBLEM =
  /\b(?:works?|working|worked)(?:\s+(?:fine|ok|okay|normally|perfectly|great))?[\s.!)]*$|\b(?:is|are|seems?|looks?)\s+(?:\w+\s+)?(?:fine|ok|okay|right|correct|good|normal|unaffected)\b/i

/** "my printer is not working", "vpn stopped working": a negated "works" is the problem itself. */
const NEGATED =
  /\b(?:not|never|stopped|stops|quit|no\s+longer|cant|cannot|wont|dont|doesnt|isnt|arent)\b|n['\u2019]t\b/i

export function statesNoProblem(clause: string): boolean {
  return NO_PROBLEM.test(clause) && !NEGATED.test(clause)
}

/** Where a clause's asides start or end: commas, brackets, "but". */
const ASIDE_BREAK = /\s*[,()]\s*|\s+but\s+/i

/**
 * The clause without its asides that only say something works: "locked out of my account,
 * password is right" is about the lockout; "my internet is fine and Teams works" is nothing.
 * Empty when every aside says something works.
 */
export function withoutNoProblem(clause: string): string {
  if (!statesNoProblem(clause)) return clause
  return (
    clause
      .split(ASIDE_BREAK)
      // A lone word left over ("Teams, Outlook are fine") is a subject of the aside, not a problem.
      .filter((aside) => aside.trim().split(/\s+/).length >= 2 && !statesNoProblem(aside))
      .join(', ')
      .trim()
  )
}

/**
 * "Windows sounds and Teams calls are OK": the part after "and" says, with a plural verb, that
 * both things are fine. The short part before it is the other subject of that verb, not a
 * request of its own, so the two stay one (no-problem) clause.
 */
const PLURAL_NO_PROBLEM =
  /\b(?:are|work|seem|look)\b(?:\s+\w+)?\s+(?:fine|ok|okay|good|normal(?:ly)?|working)\b/i
const SHARED_SUBJECT_WORDS = 3

/**
 * Joiners by which a writer announces another request ("while you're at it", "also", "btw",
 * "separately", numbered or lettered items, "+"), unlike "and", "since" or a plain full stop,
 * which as often join a detail to the same request.
 */
const ANNOUNCES_REQUEST =
  /while\s+you|you(?:(?:'|\u2019)?re|\s+are)\s+at\s+it|one\s+more\s+thing|another\s+thing|another\s+note|separately|unrelated|also|plus|as\s+well\s+as|additionally|on\s+top\s+of\s+that|besides|btw|by\s+the\s+way|p\.?s|oh\s+and|\d[.)]|\(\d\)|^\s*[a-e]\)|\s[a-e]\)|\+/i

/**
 * What stood before a clause: nothing (the first), a joiner that announces a request, a cause or
 * condition ("since", "because"), a sequence ("then"), a plain "and", a sentence break, or a
 * comma. The clause gate weighs each kind; "since" and "and" as often explain the first request
 * as they add a second.
 */
export type JoinerKind = 'start' | 'announce' | 'cause' | 'then' | 'and' | 'sentence' | 'comma'

export interface Clause {
  text: string
  /** The writer set this clause apart as a request: a joiner that announces one is next to it. */
  announced: boolean
  /** The joiner before this clause. */
  joiner: JoinerKind
}

/**
 * Fine splitting also cuts at "then", "because" and a comma before a question or a request
 * ("..., can you install the newest version"), before a consequence ("locked out, so the VPN
 * fails", "which means", "hence", "that's why", ", now"; a bare "so" only before a subject, not in
 * "so slow"); with `commas`, at every comma. Pieces that are not
 * requests of their own are the clause gate's to drop.
 */
const FINE_BREAK =
  /,?\s+then\s+|\s+because\s+|,\s*(?=(?:can|could|would)\s+(?:you|u|i|someone)\b|(?:please|pls|plz)\b)|,?\s+(?:which\s+means|that(?:'|\u2019)?s\s+why|hence|as\s+a\s+result|so\s+now)\s+|,\s*so\s+|\s+so\s+(?=(?:the|my|i|i'm|im|it|it's|its|we|nothing|everything|outlook|teams|jira|zoom|excel|onedrive|vpn|wifi)\b)|,\s*now\s+/
const COMMA_BREAK = /,\s*/

/** The kind of joiner between two clauses; only spaces between them mean a sentence ended. */
export function joinerKind(joiner: string): JoinerKind {
  if (!joiner.trim()) return 'sentence'
  if (ANNOUNCES_REQUEST.test(joiner)) return 'announce'
  if (/\b(?:since|because|as|so|means|hence|why)\b/i.test(joiner)) return 'cause'
  if (/\bthen\b/i.test(joiner)) return 'then'
  if (/\band\b|&/i.test(joiner)) return 'and'
  if (/[.!?;\r\n]|\s-\s/.test(joiner)) return 'sentence'
  return 'comma'
}

export function splitClauses(text: string): string[] {
  return splitMarkedClauses(text).map((clause) => clause.text)
}

/**
 * The clauses, each with whether a joiner next to it announces a request of its own and which
 * joiner stood before it; `fine` also cuts at "then", "because" and a comma before a request,
 * `commas` at every comma.
 */
export function splitMarkedClauses(
  text: string,
  options: { fine?: boolean; commas?: boolean } = {},
): Clause[] {
  const parts: Clause[] = []
  const fine = options.commas
    ? `|${FINE_BREAK.source}|${COMMA_BREAK.source}`
    : `|${FINE_BREAK.source}`
  const conjunction = new RegExp(`(${CONJUNCTION.source}${options.fine ? fine : ''})`, 'gi')
  // Split with the separators kept (odd positions), to see which joiner stood where.
  const sentences = text.split(new RegExp(`(${SENTENCE_BREAK.source})`))
  let announceNext = false
  // The joiners since the last kept clause (a dropped piece such as "I" passes its joiner on).
  let joinerBefore = ''
  for (let at = 0; at < sentences.length; at += 2) {
    const sentence = sentences[at] ?? ''
    const breakAfter = sentences[at + 1] ?? ''
    const breakAnnounces = ANNOUNCES_REQUEST.test(breakAfter)
    const pieces = sentence.split(conjunction)
    for (let index = 0; index < pieces.length; index += 2) {
      let piece = pieces[index] ?? ''
      let joinerAfter = pieces[index + 1] ?? ''
      const next = pieces[index + 2]
      if (
        next !== undefined &&
        piece.trim().split(/\s+/).length <= SHARED_SUBJECT_WORDS &&
        PLURAL_NO_PROBLEM.test(next)
      ) {
        piece = `${piece.trim()} and ${next.trim()}`
        joinerAfter = pieces[index + 3] ?? ''
        index += 2
      }
      const leading = LEADING_CONJUNCTION.exec(piece.trim())?.[0] ?? ''
      const last = index + 2 >= pieces.length
      const announcedAfter = last ? breakAnnounces : ANNOUNCES_REQUEST.test(joinerAfter)
      const announced = announceNext || ANNOUNCES_REQUEST.test(leading) || announcedAfter
      if (ANNOUNCES_REQUEST.test(leading)) {
        const previous = parts.at(-1)
        if (previous) previous.announced = true
      }
      announceNext = announcedAfter
      const trimmed = piece
        .trim()
        .replace(LEADING_CONJUNCTION, '')
        .replace(/^[,\s]+|[,\s]+$/g, '')
      const before = `${joinerBefore} ${leading}`
      joinerBefore += ` ${leading} ${last ? breakAfter : joinerAfter}`
      if (trimmed.length >= MIN_PART_CHARACTERS) {
        parts.push({
          text: trimmed,
          announced,
          joiner: parts.length === 0 ? 'start' : joinerKind(before),
        })
        joinerBefore = last ? breakAfter : joinerAfter
      } else if (announced) {
        // "reset my password and I also need Jira": the dropped "I" stood between the two.
        const previous = parts.at(-1)
        if (previous) previous.announced = true
        // A piece too short to keep (", and since you're at it, could you...") passes the
        // announcement on to the next clause, as it passes on its joiner.
        announceNext = true
      }
    }
  }
  return parts
}
