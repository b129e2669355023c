import { analyze } from '../../embeddings/text-analysis.ts'
import { employeeSteps } from '../instructions/guidance-steps.ts'
import type { Instruction } from '../instructions/instruction.ts'

/**
 * Sections that say which runbook applies or whom to call, not how or why: "When to use" lists
 * the borders and the out-of-scope look-alikes ("signatures are out of scope"), which must never
 * read as an answer.
 */
const SCOPE_SECTIONS = /^(?:when to use|escalation)\b/i

/** The section name of the advice a runbook's guidance hands to the employee. */
export const EMPLOYEE_SECTION = 'What you can do'

/** One answerable piece of a runbook: a paragraph's sentence, a list item (a step), a table row. */
export interface Passage {
  runbook: string
  runbookTitle: string
  section: string
  /** The text as written (a numbered step keeps its number, a sub-list stays with its item). */
  text: string
  /** Order within the runbook, so an answer reads in the runbook's order. */
  position: number
}

export interface ScoredPassage {
  passage: Passage
  /** Cosine similarity of TF-IDF vectors in [0, 1]. */
  score: number
  /**
   * The question's words the passage has (stemmed), and their share of the question's words
   * weighed by rarity, in [0, 1]: "add my work calendar to my phone" is answered by the passage
   * about phones and calendars, not by the one that only says "calendar" more often.
   */
  covered: ReadonlySet<string>
  coverage: number
}

type SparseVector = Map<string, number>

/**
 * The runbooks' prose cut into passages and scored against a question by TF-IDF over the
 * passages themselves (words every runbook uses count little, "lockout" or "1219" a lot). In
 * process over the loaded runbooks: a few thousand sparse vectors, a millisecond a question.
 */
export class RunbookPassages {
  private readonly passages: Array<{ passage: Passage; vector: SparseVector }> = []
  private readonly inverseFrequency = new Map<string, number>()
  private readonly defaultInverseFrequency: number

  /**
   * `prose`: the runbooks' sections (the default). `guidance`: what their questions tell a
   * person about finding a value ("on Windows it is under Settings > System > About > Device
   * name"), kept apart so it never crowds out the prose of a runbook's own answer.
   */
  constructor(instructions: Iterable<Instruction>, source: 'prose' | 'guidance' = 'prose') {
    const cut: Passage[] = []
    // What each passage is about, for scoring: its section and text, and for guidance the
    // question it helps with ("Which computer is slow?" says it is the computer's name).
    const about: string[] = []
    const add = (instruction: Instruction, section: string, text: string, context = '') => {
      about.push(`${section} ${context} ${text}`)
      cut.push({
        runbook: instruction.id,
        runbookTitle: instruction.title,
        section,
        text,
        position: cut.length,
      })
    }
    if (source === 'guidance') {
      for (const { instruction, section, text, about } of guidanceByValue(instructions))
        add(instruction, section, text, about)
    }
    for (const instruction of source === 'prose' ? instructions : []) {
      for (const section of instruction.sections) {
        if (SCOPE_SECTIONS.test(section.heading)) continue
        for (const text of splitPassages(section.text)) add(instruction, section.heading, text)
      }
      // The advice a runbook hands to the employee, in direct address, is the plainest answer
      // to "how do I ..." about its problem: about what the runbook's title says.
      for (const action of instruction.actions) {
        const steps =
          action.executor === 'guidance' && action.text ? employeeSteps(action.text) : undefined
        if (!steps || steps.length === 0) continue
        const text = steps.map((step, index) => `${index + 1}. ${step}`).join('\n')
        add(instruction, EMPLOYEE_SECTION, text, instruction.title)
      }
    }
    // The section heading is part of what a passage is about ("Prevention" answers "how do I
    // stop it happening"), weighed once like any word.
    const counts = about.map((text) => termCounts(text))
    const documentFrequency = new Map<string, number>()
    for (const count of counts)
      for (const term of count.keys())
        documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1)
    for (const [term, frequency] of documentFrequency)
      this.inverseFrequency.set(term, Math.log((1 + cut.length) / (1 + frequency)) + 1)
    this.defaultInverseFrequency = Math.log(1 + cut.length) + 1
    cut.forEach((passage, index) => {
      this.passages.push({ passage, vector: this.weigh(counts[index] ?? new Map()) })
    })
  }

  get size(): number {
    return this.passages.length
  }

  /** Passages best first, of the given runbooks only when `runbooks` is given. */
  search(
    question: string,
    options: { runbooks?: ReadonlySet<string>; limit?: number } = {},
  ): ScoredPassage[] {
    const query = this.weigh(termCounts(question))
    // Words any passage has: one no runbook uses can be covered by none, so it weighs on none.
    // Nor does the word that names the runbook searched ("outlook" in outlook_sync): every
    // passage of it is about that, whether it says so or not.
    const named = new Set(
      [...(options.runbooks ?? [])].flatMap((runbook) => analyze(runbook.replace(/_/g, ' ')).terms),
    )
    const words = [...query.keys()].filter(
      (term) =>
        term.startsWith('w:') && this.inverseFrequency.has(term) && !FRAME_WORDS.has(term.slice(2)),
    )
    const candidates = this.passages.filter(
      ({ passage }) => !options.runbooks || options.runbooks.has(passage.runbook),
    )
    // Rarity among the passages searched: "outlook" in the Outlook runbook is in half of them
    // and tells little about which one answers, "phone" or "calendar" a lot.
    const weightOf = (term: string) => {
      const frequency = candidates.filter(({ vector }) => vector.has(term)).length
      const rarity = Math.log((1 + candidates.length) / (1 + frequency)) + 1
      return named.has(term.slice(2)) ? rarity * NAMED_WORD_WEIGHT : rarity
    }
    const weights = new Map(words.map((term) => [term, weightOf(term)]))
    const total = words.reduce((sum, term) => sum + (weights.get(term) ?? 0), 0)
    const scored: ScoredPassage[] = []
    for (const { passage, vector } of candidates) {
      const score = dot(query, vector)
      if (score <= 0) continue
      const covered = new Set(words.filter((term) => vector.has(term)))
      const weight = [...covered].reduce((sum, term) => sum + (weights.get(term) ?? 0), 0)
      // A question of only unknown words: coverage says nothing, the similarity decides.
      scored.push({ passage, score, covered, coverage: total > 0 ? weight / total : 1 })
    }
    scored.sort((left, right) => right.score - left.score)
    return scored.slice(0, options.limit ?? 20)
  }

  private weigh(counts: Map<string, number>): SparseVector {
    const vector: SparseVector = new Map()
    let norm = 0
    for (const [term, count] of counts) {
      // Sub-linear: a word said twice is not twice as telling.
      const weight = count > 1 ? 1 + Math.log(count) : count
      const value = weight * (this.inverseFrequency.get(term) ?? this.defaultInverseFrequency)
      vector.set(term, value)
      norm += value * value
    }
    norm = Math.sqrt(norm)
    if (norm > 0) for (const [term, value] of vector) vector.set(term, value / norm)
    return vector
  }
}

/**
 * The help a runbook's questions give for finding a value: each question's sentences after the
 * question itself ("Which computer is slow? Please give its name (for example LT-0423); on
 * Windows it is under Settings > System > About > Device name." gives the second sentence).
 * A question with no such help gives nothing. Many runbooks ask for the computer alike: one
 * passage per kind of value (the fullest help), each per runbook for values of its own.
 */
export function guidanceByValue(
  instructions: Iterable<Instruction>,
): Array<{ instruction: Instruction; section: string; text: string; about: string }> {
  const fullest = new Map<
    string,
    { instruction: Instruction; section: string; text: string; about: string }
  >()
  for (const instruction of instructions) {
    for (const parameter of instruction.parameters) {
      const spoken = parameter.question.replace(/\s+/g, ' ')
      const [, question, help] = /^([^?]*\?)\s+(.+)$/.exec(spoken) ?? []
      // "Please give its name (for example LT-0423)." says what, not where: no help.
      if (!question || !help || !WHERE_TO_FIND.test(help)) continue
      const key = SHARED_KINDS.has(parameter.kind)
        ? parameter.kind
        : `${instruction.id}:${parameter.name}`
      // What it is about: the question it helps with, and what people call such a value.
      const about = `${KIND_WORDS[parameter.kind] ?? ''} ${question} ${parameter.description}`
      const section = `Finding the ${parameter.name.replace(/_/g, ' ')}`
      if (help.length > (fullest.get(key)?.text.length ?? 0))
        fullest.set(key, { instruction, section, text: help, about })
    }
  }
  return [...fullest.values()]
}

/** What people call the values of a kind when they ask where to find one. */
const KIND_WORDS: Readonly<Partial<Record<string, string>>> = {
  hostname: 'computer computer hostname device machine pc laptop',
  printer: 'printer',
  unc_path: 'network path share drive folder',
  username: 'username login account',
}

/** Kinds of value that are the same thing whichever runbook asks: a computer's name. */
const SHARED_KINDS = new Set(['hostname', 'printer', 'unc_path', 'username', 'email', 'url'])

/** Help that says where a value is found or who knows it. */
const WHERE_TO_FIND =
  /\b(?:under|on the (?:asset )?label|right-click|shows it|knows it|in your \w+ list)\b/i

/**
 * Cuts a section's Markdown into passages: each list item with its indented continuation and
 * sub-items, each table row as "cell: cell", and each paragraph's sentences.
 */
export function splitPassages(markdown: string): string[] {
  const passages: string[] = []
  let item: string[] = []
  let paragraph: string[] = []
  let tableHeader: string[] | undefined
  const flushItem = () => {
    if (item.length > 0) passages.push(item.join('\n'))
    item = []
  }
  const flushParagraph = () => {
    if (paragraph.length > 0) passages.push(...sentences(paragraph.join(' ')))
    paragraph = []
  }
  for (const line of markdown.split('\n')) {
    const trimmed = line.trim()
    if (trimmed === '') {
      flushItem()
      flushParagraph()
      tableHeader = undefined
      continue
    }
    if (trimmed.startsWith('|')) {
      flushItem()
      flushParagraph()
      const cells = trimmed
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((cell) => cell.trim())
      if (cells.every((cell) => /^:?-+:?$/.test(cell))) continue
      if (!tableHeader) tableHeader = cells
      else passages.push(cells.filter((cell) => cell.length > 0).join(': '))
      continue
    }
    const startsItem = /^(?:[-*+]|\d+[.)])\s+/.test(trimmed)
    const indented = /^\s+/.test(line)
    if (startsItem && !indented) {
      flushItem()
      flushParagraph()
      item = [trimmed]
    } else if (item.length > 0 && (indented || !startsItem)) {
      // A wrapped line or a sub-item belongs to the item above it.
      if (indented && startsItem) item.push(`   ${trimmed}`)
      else item[item.length - 1] = `${item[item.length - 1]} ${trimmed}`
    } else {
      paragraph.push(trimmed)
    }
  }
  flushItem()
  flushParagraph()
  return passages.filter((passage) => analyze(passage).terms.length > 0)
}

/**
 * Sentences of a paragraph; a full stop inside `code`, inside a quoted message or after "e.g."
 * does not end one.
 */
function sentences(paragraph: string): string[] {
  const result: string[] = []
  let start = 0
  let inCode = false
  let inQuote = false
  for (let index = 0; index < paragraph.length; index += 1) {
    const character = paragraph[index]
    if (character === '`') inCode = !inCode
    if (character === '"' && !inCode) inQuote = !inQuote
    if (inCode || inQuote || !(character === '.' || character === '!' || character === '?'))
      continue
    const next = paragraph[index + 1]
    const after = paragraph.slice(index + 2, index + 3)
    if (next !== ' ' || !/[A-Z*`"(]/.test(after)) continue
    if (/\b(?:e\.g|i\.e|etc|vs|approx)$/i.test(paragraph.slice(start, index))) continue
    result.push(paragraph.slice(start, index + 1).trim())
    start = index + 2
  }
  const rest = paragraph.slice(start).trim()
  if (rest) result.push(rest)
  return result
}

/**
 * Words (stemmed) that frame a how-to rather than say what it is about: "how do I stop my
 * laptop overheating" is about overheating, not about a passage that says "stop".
 */
const FRAME_WORDS = new Set(
  ['keep', 'stop', 'make', 'need', 'want', 'try', 'way', 'best', 'able', 'let', 'use'].flatMap(
    (word) => analyze(word).terms,
  ),
)

/** A word of the searched runbook's name counts this much towards coverage (see `search`). */
const NAMED_WORD_WEIGHT = 0.25

/** Character 4-grams of longer words weigh this much against a whole word. */
const CHARACTER_WEIGHT = 0.25

/**
 * Words and character 4-grams of longer words: "locking" and "lockouts" share no stem but share
 * "lock", and a question rarely uses the runbook's exact word.
 */
function termCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>()
  const add = (term: string, weight: number) => counts.set(term, (counts.get(term) ?? 0) + weight)
  const { terms, tokens } = analyze(text)
  for (const term of terms) add(`w:${term}`, 1)
  for (const token of tokens) {
    if (token.length < 5) continue
    const padded = `#${token}#`
    for (let start = 0; start + 4 <= padded.length; start += 1)
      add(`c:${padded.slice(start, start + 4)}`, CHARACTER_WEIGHT)
  }
  return counts
}

function dot(left: SparseVector, right: SparseVector): number {
  const [small, large] = left.size <= right.size ? [left, right] : [right, left]
  let sum = 0
  for (const [term, value] of small) sum += value * (large.get(term) ?? 0)
  return sum
}
