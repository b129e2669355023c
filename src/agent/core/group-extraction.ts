import { NOT_USERNAMES } from './username-extraction.ts'
import { quotedAt, trimPunctuation, trimTrailingPunctuation } from './value-tokens.ts'

/**
 * Finding a group (or Jira project) name in free text. Directory group names have spaces
 * ("Enterprise Admins", "Finance Team"), so a name runs over several words: quoted, to its
 * closing quote; unquoted, to the end of the clause (punctuation, or a word such as "and",
 * "please", "for" that starts the rest of the sentence). A name is never cut at its first space:
 * "add alice to group Enterprise Admins" names "Enterprise Admins", not "Enterprise". A name
 * that itself holds one of those words needs quotes ("group 'Access for Contractors'").
 * Split from parameter-extraction.ts, which uses it for the `group` kind.
 * @module
 */

/** Words that end an unquoted name: the rest of the sentence starts there. */
const CLAUSE_WORDS = new Set(
  (
    'and or but so because since as for on in at by from with without until till before after ' +
    'please pls plz thanks thank too also then if when where which who that today tomorrow ' +
    'yesterday now asap again is are was were be has have had will would can could should ' +
    'to the a an of my our his her their me him us them group project space'
  ).split(' '),
)
/** At most this many words unquoted; a longer run has no clear end, so it is asked for. */
const MAX_UNQUOTED_WORDS = 6
/**
 * The first word of an unquoted name after a bare "group": a shape of its own (jira-fin-users,
 * FIN, SG_Finance_RW, Enterprise), since a plain lower-case word is usually prose ("the group
 * yesterday").
 */
const SHAPED_WORD = /^(?=[A-Za-z0-9._-]*[A-Z0-9._-])[A-Za-z0-9][A-Za-z0-9._-]+/
const PLAIN_WORD = /^[A-Za-z0-9][A-Za-z0-9._-]+/

const CUES: ReadonlyArray<{ cue: RegExp; firstWord: RegExp }> = [
  { cue: /\b(?:group|project|space)\s+(?:called|named|is)\s+/gi, firstWord: PLAIN_WORD },
  { cue: /\b(?:group|project|space)\s*[:=]\s*/gi, firstWord: PLAIN_WORD },
  { cue: /\b(?:group|project|space)\s+/g, firstWord: SHAPED_WORD },
  // "add kwong to jira-fin-users", "needs adding to FS-Finance-RW": where someone is added.
  {
    cue: /\b(?:add|adding|added|put|include)\s+(?:\S+\s+){0,3}?(?:to|in|into)\s+(?:the\s+)?/gi,
    firstWord: SHAPED_WORD,
  },
]

export function findGroup(text: string): string | undefined {
  for (const { cue, firstWord } of CUES) {
    for (const match of text.matchAll(cue)) {
      const found = nameAt(text, match.index + match[0].length, firstWord)
      if (found !== undefined) return found
    }
  }
  return nameBeforeGroupWord(text) ?? namedAlone(text)
}

/**
 * "bob needs a jira licence, jira-software-users please": a clause that is only a compound
 * name (words joined by - or _, each starting with a letter, so never a machine such as
 * LT-0424 or WS-ENG-07) names the group without a cue.
 */
const ALONE =
  /(?:^|[,;:]\s*)([A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z][A-Za-z0-9]*)+)(?=(?:\s+(?:please|pls|plz|thanks|thank\s+you|i\s+think))?\s*[.!?]*\s*(?:$|[,;]))/g

function namedAlone(text: string): string | undefined {
  const names = [...text.matchAll(ALONE)].map((match) => match[1] ?? '')
  const [name, ...others] = names
  return name !== undefined && others.length === 0 && !NOT_USERNAMES.has(name.toLowerCase())
    ? name
    : undefined
}

/** The name starting at `start`: quoted whole, or unquoted up to the end of the clause. */
function nameAt(text: string, start: number, firstWord: RegExp): string | undefined {
  // Quoted: to the closing quote; an unclosed quote has no clear end, so it is asked for.
  if (/["'‘“«]/.test(text[start] ?? '')) return quotedAt(text, start) || undefined
  const words: string[] = []
  for (const raw of text.slice(start).split(/\p{White_Space}+/u)) {
    const word = trimPunctuation(raw)
    if (words.length === 0) {
      const shape = firstWord.exec(word)?.[0]
      if (!shape || NOT_USERNAMES.has(shape.toLowerCase())) return undefined
    } else if (word.length === 0 || CLAUSE_WORDS.has(word.toLowerCase())) {
      break
    }
    if (words.length === MAX_UNQUOTED_WORDS) return undefined
    // Trimmed at its start only if it opened the name; inside, the word is taken whole.
    words.push(words.length === 0 ? word : trimTrailingPunctuation(raw))
    // Sentence punctuation (or a possessive) after a word ends the name there.
    if (/[.,;:!?)\]}>"'`’”»]$/u.test(raw) || /['’]s$/u.test(raw)) break
  }
  return words.join(' ') || undefined
}

/** "the Finance Team group", "the 'Finance Team' group", "the FIN project". */
function nameBeforeGroupWord(text: string): string | undefined {
  // In a lookahead, so "the laptop of the HR group" can try from the second "the" too.
  const pattern = /\bthe\s+(?=((?:\S+\s+){0,5}?\S+)\s+(?:group|project)\b)/gi
  for (const match of text.matchAll(pattern)) {
    const span = match[1] ?? ''
    const quoted = /^["'‘“«](.+)["'’”»]$/u.exec(span)?.[1]
    if (quoted !== undefined) return quoted
    const words = span.split(/\s+/)
    const first = SHAPED_WORD.exec(words[0] ?? '')?.[0]
    if (!first || NOT_USERNAMES.has(first.toLowerCase())) continue
    if (words.some((word) => CLAUSE_WORDS.has(word.toLowerCase()))) continue
    return span
  }
  return undefined
}
