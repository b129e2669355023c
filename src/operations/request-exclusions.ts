import { type Fleet, findTargets } from './request-targets.ts'

/**
 * Exclusions in a request's targets: "restart nginx on all web servers except web04", "everything
 * but db02", "all linux boxes apart from the build ones". An exclusion is a marker (except,
 * excluding, apart from, other than, but not, not including, minus, save for, skip, leave out,
 * not on, but)
 * followed by a list of inventory targets and nothing else: machines and groups joined by
 * commas, "and", "or", "nor". What a marker is followed by decides, not the marker: "but only
 * where it's running" and "except where it is stopped" are conditions (read before this), and
 * "but restart it after" names no target, so neither is an exclusion. The excluded span is blanked,
 * so the targets read afterwards are the ones to work on.
 * @module
 */

export interface Exclusion {
  machines: string[]
  groups: string[]
}

export interface ReadExclusions {
  /** The text with every exclusion (marker and targets) blanked, same length. */
  rest: string
  /** Excluded machines and groups; null when the request excludes nothing. */
  except: Exclusion | null
  /** "everything but db02", "all except": the exclusion is taken from every machine. */
  fromAll: boolean
  /**
   * "everything except the windows boxes": an operating system left out, read as the other one
   * (the operations run on Linux and Windows only); null when none is.
   */
  otherOs: 'linux' | 'windows' | null
}

const MARKER =
  /(?:^|[\s,(;-])(except(?:\s+(?:for|on))?|excluding|exclude|apart\s+from|other\s+than|excl\.?|(?<!^\s*)besides|but\s+not(?:\s+on)?|not\s+including|minus|save\s+for|skip(?:ping)?|leav(?:e|ing)(?:\s+out)?|not\s+on|bar|(?:without|not|avoid)\s+touching|(?:don't|do\s+not|never)\s+touch|(?<=[(,-]\s?)not|but(?!\s+(?:not|only|just|also|first|then|please|pls|make|do|don't|leave|keep|check|restart|start|stop)\b))(?=\s)/gi

/** Words a list of targets may hold besides the targets themselves. */
const FILLER = /^(?:[\s,&/]|\b(?:and|or|nor|also|the|on|of|for|from|any|all|both|either)\b)*/i

/** Where a clause ends: sentence punctuation, "then", or a clause "and"/"so" before a verb. */
const CLAUSE_END =
  /[.;!?)]|\s(?:then|afterwards|after\s+that|so|because|since|as|where|wherever|if|unless|when|tonight|today|now|asap)\b/i

/** "the build ones": the machines a word names, as "the build node" would. */
const ONES = /\b(\w+)[-\s]ones\b/gi

const BEFORE_ALL =
  /\b(?:everything|everywhere|every\s*(?:one|thing|box|machine|server|host)|all(?:\s+of\s+(?:them|it))?|the\s+rest|the\s+lot|across\s+the\s+board)\s*,?\s*$/i

export function readExclusions(text: string, fleet: Fleet): ReadExclusions {
  let rest = text
  const machines = new Set<string>()
  const groups = new Set<string>()
  let fromAll = false
  let otherOs: 'linux' | 'windows' | null = null
  for (const match of text.matchAll(MARKER)) {
    const marker = match[1] ?? ''
    const markerStart = match.index + match[0].length - marker.length
    const markerEnd = match.index + match[0].length
    const after = rest.slice(markerEnd)
    const clauseEnd = CLAUSE_END.exec(after)?.index ?? after.length
    const clause = after
      .slice(0, clauseEnd)
      // "the windows ones" as machines of that OS ("windows vms": the OS words take a plural).
      .replace(ONES, (phrase, word: string) =>
        `${word} ${/^(?:linux|windows|win)$/i.test(word) ? 'vms' : 'node'}`.padEnd(phrase.length),
      )
    // "except the one in maintenance, web02": the description before the names goes with them.
    const described = listAfterDescription(clause, fleet)
    const listStart = described?.start ?? 0
    let listEnd = described?.end ?? targetListEnd(clause, fleet)
    if (listEnd === 0) continue
    // A bare "but" excludes only a list that ends its clause: "on everything but db02", never
    // "on web01 but db02 needs it too".
    if (/^but$/i.test(marker) && clause.slice(listEnd).trim() !== '') continue
    // "leave web02 alone": a bare "leave" excludes only with the word that closes it.
    if (/^leav(?:e|ing)$/i.test(marker)) {
      const closing = LEAVE_CLOSING.exec(clause.slice(listEnd))
      if (!closing) continue
      listEnd += closing[0].length
    }
    const before = rest.slice(0, markerStart)
    const found = findTargets(`on ${clause.slice(listStart, listEnd)}`, fleet).targets
    if (found.machines.length + found.groups.length === 0) {
      // "everywhere except the windows boxes": every machine of the other operating system.
      if (!found.all || found.os === null) continue
      otherOs = found.os === 'linux' ? 'windows' : 'linux'
    }
    for (const machine of found.machines) machines.add(machine)
    for (const group of found.groups) groups.add(group)
    if (BEFORE_ALL.test(before)) fromAll = true
    const end = markerEnd + listEnd
    rest = rest.slice(0, markerStart) + ' '.repeat(end - markerStart) + rest.slice(end)
  }
  const except =
    machines.size + groups.size > 0
      ? { machines: [...machines].sort(), groups: [...groups].sort() }
      : null
  return { rest, except, fromAll: (except !== null || otherOs !== null) && fromAll, otherOs }
}

/** What closes a bare "leave": "leave web02 alone", "leave db01 and db02 out of it". */
const LEAVE_CLOSING = /^\s*(?:alone|untouched|be|out(?:\s+of\s+(?:it|this|that))?)\b/i

/**
 * "the one in maintenance, web02", "the box under maintenance: web03", "the two databases (db01
 * and db02)", "the one in maintenance which is web02": a few words that describe what is left
 * out, then a comma, colon, dash, bracket or "which is", then the list of targets itself.
 */
const DESCRIPTION =
  /^\s*(?:the|that|this|those|these|our)\s+[^,:;()\n-]{1,50}?(?:\s*[,:(]|\s+-+|\s+(?:which|that)\s+(?:is|was)|\s+(?:which|that)'s|\s+(?:i\.e\.|namely|aka)(?=\s))\s*(?:i\.?e\.?,?\s+|namely\s+|so\s+|aka\s+)?/i

/** The list after a description, as [start, end) in the clause; undefined when there is none. */
function listAfterDescription(
  clause: string,
  fleet: Fleet,
): { start: number; end: number } | undefined {
  const description = DESCRIPTION.exec(clause)
  if (!description) return undefined
  const start = description[0].length
  const end = targetListEnd(clause.slice(start), fleet)
  return end === 0 ? undefined : { start, end: start + end }
}

/**
 * How much of the clause after a marker is a list of targets: targets and the words that join
 * them, from the start; 0 when it does not start with a target.
 */
function targetListEnd(clause: string, fleet: Fleet): number {
  // "on" before the list lets a one-word group said bare ("except the databases") be read as
  // after a preposition; its three characters are taken off every position.
  const found = findTargets(`on ${clause}`, fleet)
  const spans = found.spans
    // A span may take the "on" in ("on the windows boxes"): it starts at the clause then.
    .map(([start, end]) => [Math.max(0, start - 3), end - 3] as const)
    .filter(([, end]) => end > 0)
    .sort(([left], [right]) => left - right)
  let position = 0
  let end = 0
  for (;;) {
    position += FILLER.exec(clause.slice(position))?.[0].length ?? 0
    const span = spans.find(([start, stop]) => start <= position && stop > position)
    if (!span) break
    position = span[1]
    end = position
  }
  return end
}
