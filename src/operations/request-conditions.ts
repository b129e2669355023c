import type { WorkflowCondition } from './workflow.ts'

/**
 * The per-target condition of a request ("only where it is running", "unless it's already
 * installed", "skip the ones that don't have it"), read before the operations so its words
 * ("is stopped") are not read as a status check. First a table of the phrasings seen, then a
 * general rule: a condition word (where, wherever, if, when, unless, that/which after a machine
 * noun) followed within a few words by a state (running, up, started / stopped, down / installed,
 * present / missing, "have it"), its sense turned by a negation ("isn't", "not yet"), by "unless"
 * and by "skip", "except" or "but not" before it. Every match is blanked in the text returned.
 * @module
 */

export interface ReadCondition {
  condition: WorkflowCondition | null
  /** The text with the condition's words blanked (same length, so positions hold). */
  rest: string
  /** "everywhere it runs": the condition took "where", the "every" still means all. */
  everywhere: boolean
  /**
   * "wherever it runs", "from the servers that have it": every machine where it holds, when no
   * machine or group is named.
   */
  wherever: boolean
  /** The service, process or package the condition names ("if nginx is down"), or null. */
  subject: string | null
}

const SUBJECT = String.raw`(?:it\s+is\s+|it's\s+|its\s+|they\s+are\s+|they're\s+|(?:the\s+)?[A-Za-z0-9][A-Za-z0-9@._-]*\s+(?:service\s+|process\s+|package\s+)?(?:is|are)\s+)?(?:actually\s+|currently\s+|really\s+)?`

const CONDITIONS: ReadonlyArray<[WorkflowCondition, RegExp]> = [
  // "unless it's already installed": the work is only where it is not.
  [
    'only-where-running',
    new RegExp(String.raw`\bunless\s+${SUBJECT}(?:stopped|not\s+running|down)\b`, 'gi'),
  ],
  [
    'only-where-stopped',
    new RegExp(String.raw`\bunless\s+${SUBJECT}(?:already\s+)?running\b`, 'gi'),
  ],
  [
    'only-where-installed',
    new RegExp(String.raw`\bunless\s+${SUBJECT}(?:missing|not\s+installed)\b`, 'gi'),
  ],
  [
    'only-where-missing',
    new RegExp(
      String.raw`\bunless\s+${SUBJECT}(?:already\s+)?(?:installed|there|present|on\s+there)\b`,
      'gi',
    ),
  ],
  // "skip the ones where it is not running": the work is only where it runs.
  [
    'only-where-running',
    /\bskip(?:ping)?\s+(?:the\s+ones|those|any|machines|hosts|servers|boxes)?\s*(?:where|if|that)\s+(?:it\s+is\s+|it's\s+|they\s+are\s+|they're\s+|(?:is|are)\s+)?(?:not\s+running|stopped|down)\b/gi,
  ],
  [
    'only-where-stopped',
    /\bskip(?:ping)?\s+(?:the\s+ones|those|any|machines|hosts|servers|boxes)?\s*(?:where|if|that)\s+(?:it\s+is\s+|it's\s+|they\s+are\s+|they're\s+|(?:is|are)\s+)?(?:already\s+)?running\b/gi,
  ],
  [
    'only-where-missing',
    /\bskip(?:ping)?\s+(?:the\s+ones|those|any|machines|hosts|servers|boxes)?\s*(?:where|if|that)\s+(?:it\s+is\s+|it's\s+|they\s+are\s+|they're\s+|(?:is|are|have\s+it|has\s+it)\s+)?(?:already\s+)?installed\b/gi,
  ],
  [
    'only-where-installed',
    /\bskip(?:ping)?\s+(?:the\s+ones|those|any|machines|hosts|servers|boxes)?\s*(?:where|if|that)\s+(?:it\s+is\s+|it's\s+|they\s+are\s+|they're\s+|(?:is|are)\s+)?(?:not\s+installed|missing)\b/gi,
  ],
  // "stop telegraf wherever it runs": the plain verb says the same as "is running".
  [
    'only-where-running',
    /(?:\bwhere(?:ver)?|(?<=every)where)\s+(?:it|they|the\s+service|that\s+service|the\s+process)\s+(?:still\s+)?(?:runs|run)\b/gi,
  ],
  // "is redis running? if not, start it": the start is only where it is not running.
  ['only-where-stopped', /\b(?<=[?.,;]\s*)if\s+not\b/gi],
  ['only-where-running', /\b(?<=[?.,;]\s*)if\s+(?:so|it\s+is|yes)\b/gi],
  // "restart it if it isn't", "the build agents that have it running".
  [
    'only-where-stopped',
    /\b(?:if|where|when)\s+(?:(?:it|they)\s+(?:isn't|is\s+not|aren't|are\s+not)|it's\s+not|its\s+not|they're\s+not)(?:\s+(?:running|up|active))?\b(?!\s+(?:(?:already|yet|even|on|in)\s+)*(?:installed|there|present))/gi,
  ],
  [
    'only-where-running',
    /\b(?:that|which|where\s+they|where\s+it)\s+(?:have|has)\s+it\s+running\b/gi,
  ],
  [
    'only-where-stopped',
    /\b(?:that|which|where\s+they|where\s+it)\s+(?:have|has)\s+it\s+stopped\b/gi,
  ],
  ['only-where-installed', /\b(?:that|which)\s+(?:have|has)\s+it\s+installed\b/gi],
  [
    'only-where-missing',
    /\b(?:that|which)\s+(?:don't|do\s+not|doesn't|does\s+not)\s+have\s+it(?:\s+installed|\s+yet)?\b/gi,
  ],
  // "only on the ones where nginx is running", "only if the service is stopped".
  [
    'only-where-stopped',
    new RegExp(
      String.raw`(?:\bonly\s+(?:on\s+(?:the\s+)?(?:ones|machines|hosts|servers|boxes)\s+)?(?:where|if|when)|\bwhere(?:ver)?|(?<=every)where)\s+${SUBJECT}(?:stopped|not\s+running|down|inactive)\b`,
      'gi',
    ),
  ],
  [
    'only-where-running',
    new RegExp(
      String.raw`(?:\bonly\s+(?:on\s+(?:the\s+)?(?:ones|machines|hosts|servers|boxes)\s+)?(?:where|if|when)|\bwhere(?:ver)?|(?<=every)where)\s+${SUBJECT}(?:still\s+)?(?:running|active)\b`,
      'gi',
    ),
  ],
  [
    'only-where-missing',
    new RegExp(
      String.raw`(?:\bonly\s+(?:on\s+(?:the\s+)?(?:ones|machines|hosts|servers|boxes)\s+)?(?:where|if|when)|\bwhere(?:ver)?|(?<=every)where)\s+${SUBJECT}(?:missing|absent|not\s+(?:yet\s+)?installed)\b`,
      'gi',
    ),
  ],
  [
    'only-where-installed',
    new RegExp(
      String.raw`(?:\bonly\s+(?:on\s+(?:the\s+)?(?:ones|machines|hosts|servers|boxes)\s+)?(?:where|if|when)|\bwhere(?:ver)?|(?<=every)where)\s+${SUBJECT}(?:already\s+)?(?:installed|present)\b`,
      'gi',
    ),
  ],
  [
    'only-where-stopped',
    /\b(?:but\s+)?(?:only\s+)?(?:where(?:ver)?|if|when)\s+(?:it\s+is\s+|it's\s+|its\s+|they\s+are\s+|they're\s+)?(?:stopped|not\s+running|down|inactive)\b/gi,
  ],
  [
    'only-where-running',
    /\b(?:but\s+)?(?:only\s+)?(?:where(?:ver)?|if|when)\s+(?:it\s+is\s+|it's\s+|its\s+|they\s+are\s+|they're\s+)?(?:still\s+)?(?:running|active|up)\b/gi,
  ],
  [
    'only-where-missing',
    /\b(?:but\s+)?(?:only\s+)?(?:where(?:ver)?|if|when)\s+(?:it\s+is\s+|it's\s+|its\s+|they\s+are\s+|they're\s+)?(?:missing|absent|not\s+(?:yet\s+)?installed)\b/gi,
  ],
  [
    'only-where-installed',
    /\b(?:but\s+)?(?:only\s+)?(?:where(?:ver)?|if|when)\s+(?:it\s+is\s+|it's\s+|its\s+|they\s+are\s+|they're\s+)?(?:already\s+)?(?:installed|present)\b/gi,
  ],
]

export function readCondition(text: string): ReadCondition {
  let rest = text
  let condition: WorkflowCondition | null = null
  let everywhere = false
  let wherever = false
  let subject: string | null = null
  for (const [kind, pattern] of CONDITIONS) {
    for (const match of rest.matchAll(pattern)) {
      // "ignoring the ones where it's down": the words before turn the sense.
      const turned = TURNED_BEFORE.test(rest.slice(0, match.index))
      condition ??= turned ? OPPOSITE[kind] : kind
      // "remove nmap from boxes where it's installed": machines said without naming them.
      const holders = HOLDERS_BEFORE.exec(rest.slice(0, match.index))
      if (holders) {
        wherever = true
        rest = blank(rest, holders.index, match.index)
      }
      // "wherever it runs" with no machine or group named: every machine where it runs.
      if (/^wherever\b/i.test(match[0])) wherever = true
      // "everywhere it is running": the condition took "where", the "every" still means all.
      if (/\bevery$/i.test(rest.slice(0, match.index))) {
        everywhere = true
        rest = `${rest.slice(0, match.index - 5)}${' '.repeat(5)}${rest.slice(match.index)}`
      }
      rest = blank(rest, match.index, match.index + match[0].length)
    }
  }
  if (condition === null) {
    const general = generalCondition(rest)
    if (general) {
      condition = general.condition
      subject = general.subject
      if (general.holders) wherever = true
      rest = blank(rest, general.start, general.end)
    }
  }
  return { condition, rest, everywhere, wherever, subject }
}

/** Machine nouns a relative "that"/"which" can follow: "the boxes that have it". */
const HOLDERS = String.raw`(?:ones?|machines?|hosts?|servers?|box(?:es)?|nodes?|agents?|vms?|targets?|those|members|group)`
/** Words that turn the sense of the condition after them. */
const TURNED = String.raw`(?:skip(?:ping)?|except|excluding|ignor(?:e|ing)|leav(?:e|ing)\s+out|but\s+not|not)\s+(?:on\s+|for\s+)?(?:(?:the|any)\s+)?(?:${HOLDERS}\s+)?`
/** A condition word; "if"/"whether" after a verb of asking is a status question, not a condition. */
const LEAD = String.raw`(?:(?:but\s+)?(?:only\s+)?(?:(?:on|for|from|across|in)\s+(?:the\s+)?${HOLDERS}\s+)?(?:where(?:ver)?|(?<!\b(?:check|see|verify|confirm|know|tell\s+me|find\s+out|figure\s+out|determine|test|ask|wonder(?:ing)?|idea|sure|unsure|curious|me)\s+)(?:if|when)|unless|in\s+case|(?<=${HOLDERS}\s+)(?:that|which)))`
/** Up to five words between the condition word and the state, none a clause boundary. */
const BETWEEN = String.raw`((?:(?!(?:and|then|but|or|so|also)\b)[A-Za-z0-9@._\u2019'-]+\s+){0,5}?)`
const STATE = String.raw`(running|runs|run|up(?!\s+to\b)|active|started|alive|stopped|down|inactive|dead|halted|installed|present|there|missing|absent|gone|uninstalled)\b`
/** "that don't have it", "which have nginx installed": the package is there (or not). */
const HAVING = String.raw`(have|has)\s+(?:it|them|(?:the\s+)?[A-Za-z0-9][A-Za-z0-9@._+-]*)(?:\s+(?:installed|on\s+(?:it|them|there)|yet|already))?\b`

const GENERAL = new RegExp(
  String.raw`(${TURNED})?\b(${LEAD})\s+${BETWEEN}(?:${STATE}|${HAVING})`,
  'gi',
)

const HOLDERS_BEFORE =
  /\b(?:on|from|across|for|in)\s+(?:the\s+|any\s+|all\s+)?(?:ones|machines|hosts|servers|boxes|nodes|vms)\s*$/i

const TURNED_BEFORE = new RegExp(String.raw`\b${TURNED}$`, 'i')

/** Words of a condition that are not the name it is about. */
const NOT_SUBJECTS =
  /^(?:it|its|it's|they|they're|them|the|a|an|that|this|service|process|package|daemon|is|are|was|were|has|have|had|been|be|already|still|currently|actually|really|yet|not|isn't|aren't|wasn't|hasn't|haven't|doesn't|don't|never|no|longer|on|in|at)$/i

const NEGATION =
  /\b(?:not|never|no\s+longer|isnt|arent|dont|doesnt|wasnt|havent|hasnt)\b|n['\u2019]t\b/i

const SENSE: Readonly<Record<string, WorkflowCondition>> = {
  running: 'only-where-running',
  runs: 'only-where-running',
  run: 'only-where-running',
  up: 'only-where-running',
  active: 'only-where-running',
  started: 'only-where-running',
  alive: 'only-where-running',
  stopped: 'only-where-stopped',
  down: 'only-where-stopped',
  inactive: 'only-where-stopped',
  dead: 'only-where-stopped',
  halted: 'only-where-stopped',
  installed: 'only-where-installed',
  present: 'only-where-installed',
  there: 'only-where-installed',
  missing: 'only-where-missing',
  absent: 'only-where-missing',
  gone: 'only-where-missing',
  uninstalled: 'only-where-missing',
}

const OPPOSITE: Readonly<Record<WorkflowCondition, WorkflowCondition>> = {
  'only-where-running': 'only-where-stopped',
  'only-where-stopped': 'only-where-running',
  'only-where-installed': 'only-where-missing',
  'only-where-missing': 'only-where-installed',
}

/**
 * "the linux servers running it", "the boxes with nginx installed", "any host without it": the
 * machines a participle or "with"/"without" describes.
 */
const DESCRIBED = new RegExp(
  String.raw`(?<=\b${HOLDERS}\s+)(?:that\s+are\s+|which\s+are\s+)?(?:(?:still\s+|currently\s+)?(running)|(with(?:out)?|lacking|missing))\s+(?!(?:linux|windows|win|the\s+\w+\s+os|on|in|at|across|from|for|low|out|hot|slow|fine|ok|okay|well|normally|again|now|and|or|but|touching|affecting|hitting|including|disturbing)\b)(?:it|them|(?:the\s+)?[A-Za-z0-9][A-Za-z0-9@._+-]*)(?:\s+(installed|running))?\b`,
  'gi',
)

/** The first condition the general rule finds, with its span; undefined when none. */
function generalCondition(text: string):
  | {
      condition: WorkflowCondition
      start: number
      end: number
      subject: string | null
      /** Said of machines without naming them ("the servers that have it", "wherever"). */
      holders: boolean
    }
  | undefined {
  for (const match of text.matchAll(DESCRIBED)) {
    const [whole, running, relation = '', state] = match
    // "with nginx" alone names no state: only "with nginx installed" or "with it" does.
    if (/^with$/i.test(relation) && !state && !/\bwith\s+(?:it|them)\b/i.test(whole)) continue
    const without = /^(?:without|lacking|missing)$/i.test(relation)
    const described: WorkflowCondition =
      running || state?.toLowerCase() === 'running'
        ? 'only-where-running'
        : without
          ? 'only-where-missing'
          : 'only-where-installed'
    const start = match.index ?? 0
    // "skip the ones without curl": the words before turn the sense, as in the table above.
    const condition = TURNED_BEFORE.test(text.slice(0, start)) ? OPPOSITE[described] : described
    return { condition, start, end: start + whole.length, subject: null, holders: true }
  }
  for (const match of text.matchAll(GENERAL)) {
    const [whole, turned, lead = '', between = '', state, having] = match
    let condition = state ? SENSE[state.toLowerCase()] : having ? 'only-where-installed' : undefined
    // "if it's there" is a state; "if there is a problem" is not.
    // "if it isn't there already": a negated "is" is the state's verb too.
    if (
      state?.toLowerCase() === 'there' &&
      !/(?:\b(?:is|are)|'s|'re|n['\u2019]t|\bnot)\s+(?:(?:already|yet|even|on|in)\s+)*$/i.test(
        between,
      )
    )
      continue
    if (!condition) continue
    let negations = NEGATION.test(between) ? 1 : 0
    if (/^unless\b/i.test(lead.replace(/^.*\b(?=unless\b)/i, ''))) negations += 1
    if (turned) negations += 1
    if (negations % 2 === 1) condition = OPPOSITE[condition]
    const start = match.index ?? 0
    const before = text.slice(Math.max(0, start - 40), start)
    const subject =
      between
        .split(/\s+/)
        .find((word) => word && /[A-Za-z]/.test(word) && !NOT_SUBJECTS.test(word)) ?? null
    return {
      condition,
      start,
      end: start + whole.length,
      subject,
      holders:
        /^wherever\b/i.test(lead) ||
        new RegExp(String.raw`\b${HOLDERS}\b`, 'i').test(lead) ||
        (/^(?:that|which)\b/i.test(lead) &&
          /\b(?:the|all|any)\s+(?:ones|machines|hosts|servers|boxes|nodes|vms)\s*$/i.test(before)),
    }
  }
  return undefined
}

function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + ' '.repeat(end - start) + text.slice(end)
}
