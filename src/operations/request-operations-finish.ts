import type { MachineNames } from './request-operations.ts'
import {
  FILLER,
  type Found,
  NOT_OBJECTS,
  OBJECT,
  type OperationsFound,
  PATH,
  type ReadOperation,
  trimPath,
} from './request-words.ts'

/**
 * The last pass of the operation finder: order, overlaps, "it", the words around disk and log
 * requests, repeats. Split from request-operations.ts, which finds the candidates.
 * @module
 */

/**
 * Orders by position, drops matches inside an earlier (or longer) one, fills "it" from the
 * previous object, fills disk and log parameters from the words around them, and merges repeats.
 */
export function finish(text: string, found: Found[], machines: MachineNames): OperationsFound {
  found.sort((left, right) => left.start - right.start || right.end - left.end)
  const kept: Found[] = []
  for (const candidate of found) {
    const previous = kept[kept.length - 1]
    if (previous && candidate.start < previous.end) continue
    kept.push(candidate)
  }
  let lastName = ''
  const operations: ReadOperation[] = []
  const valueSpans: Array<[number, number]> = []
  const logsSeen = new Set<string>()
  const unread: string[] = []
  for (const step of kept) {
    const parameters = { ...step.parameters }
    for (const key of ['service', 'process'] as const) {
      if (parameters[key] === '') parameters[key] = lastName || troubledName(text, machines)
    }
    // "restart the service on web01": a step whose name the text never gives, left for a question.
    if (parameters[key(parameters)] === '') {
      unread.push(step.operation)
      continue
    }
    const name = parameters.service ?? parameters.process ?? parameters.package
    if (typeof name === 'string' && name) lastName = name
    if (step.operation === 'disk.usage') Object.assign(parameters, diskPath(text, valueSpans))
    if (step.operation === 'logs.errors') {
      if (logsSeen.has('logs')) continue
      logsSeen.add('logs')
      Object.assign(parameters, logParameters(text, machines))
      // "restart prometheus and show its recent errors": the service just named.
      if (
        !parameters.service &&
        lastName &&
        /\b(?:its|their)\s+(?:recent\s+|latest\s+)?(?:errors|logs?)\b/i.test(text)
      )
        parameters.service = lastName
    }
    const same = operations[operations.length - 1]
    if (
      same &&
      same.operation === step.operation &&
      JSON.stringify(same.parameters) === JSON.stringify(parameters)
    )
      continue
    const before = operations[operations.length - 1]
    if (step.after && before)
      operations.splice(operations.length - 1, 0, { operation: step.operation, parameters })
    else operations.push({ operation: step.operation, parameters })
    valueSpans.push(...step.valueSpans)
  }
  return { operations, valueSpans, unread }
}

function key(parameters: Record<string, string | number>): string {
  return 'service' in parameters ? 'service' : 'process' in parameters ? 'process' : ''
}

function diskPath(text: string, spans: Array<[number, number]>): Record<string, string> {
  const drive = /\b([A-Za-z]):\s*drive\b/i.exec(text)
  if (drive) return { path: `${drive[1]?.toUpperCase()}:\\` }
  const path = new RegExp(PATH).exec(text)
  if (!path?.[1]) return {}
  const start = path.index ?? 0
  spans.push([start, start + path[0].length])
  return { path: trimPath(path[1]) }
}

const LOG_NOT_SERVICE = new Set([
  ...NOT_OBJECTS,
  'journal',
  'the',
  'last',
  'past',
  'recent',
  'any',
  'all',
  'of',
  'been',
  'being',
  'going',
  'happening',
])

/** Words before "errors" that are not a service: kinds of error, log words, verbs. */
const LOG_NOT_NAMES =
  /^(?:system|application|app|kernel|critical|fatal|new|latest|other|those|event|windows|linux|pull|dump|fetch|give|list|tail|read|review|grab|5\d\d|4\d\d|http|disk|io|hardware|auth|login|boot|ssl|tls)$/

function logParameters(text: string, machines: MachineNames): Record<string, string | number> {
  const parameters: Record<string, string | number> = {}
  const hours =
    /\b(?:last|past|previous)\s+(\d{1,3})\s+hours?\b/i.exec(text) ??
    /\b(\d{1,3})\s+hours?\s+of\b/i.exec(text) ??
    /\b(?:last|past|previous|in\s+the\s+last)?\s*(\d{1,3})\s*(?:h|hrs?|hours?)\b/i.exec(text)
  if (hours?.[1]) parameters.hours = Number(hours[1])
  else if (/\b(?:last|past|previous)\s+hour\b|\ban\s+hour\b/i.test(text)) parameters.hours = 1
  // "for the past day", "over the last 3 days": hours, up to the 720 the kind allows.
  const days = /\b(?:last|past|previous)\s+(?:(\d{1,2})\s+)?(day|days|week)\b/i.exec(text)
  if (!parameters.hours && days) {
    const count = Number(days[1] ?? 1) * (days[2]?.toLowerCase() === 'week' ? 168 : 24)
    if (count <= 720) parameters.hours = count
  }
  // "show me postgresql errors", "dataprocessor errors on dp02": the first name before "errors"
  // that is a name (not "any", "recent", a machine or a verb).
  const before = [
    ...text.matchAll(new RegExp(String.raw`\b${OBJECT}\s+(?:errors|error\s+logs?|logs)\b`, 'gi')),
  ].find((match) => {
    const word = (match[1] ?? '').toLowerCase()
    return (
      !LOG_NOT_SERVICE.has(word) &&
      !LOG_NOT_NAMES.test(word) &&
      !/^\d/.test(word) &&
      !machines.isMachine(word)
    )
  })
  const service =
    before ??
    // "what errors has the dataprocessor service logged", "what's docker been complaining about"
    new RegExp(
      String.raw`\b(?:errors?\s+(?:has|have|did)|what(?:'s|\s+has|\s+is|\s+have)|has|have)\s+(?:the\s+)?(?:service\s+)?${OBJECT}(?:\s+service)?\s+(?:been\s+)?(?:logged|thrown|reported|raised|written|produced|complain|moan|whin|grumbl|logging|throwing)`,
      'i',
    ).exec(text) ??
    new RegExp(
      String.raw`\b(?:logs?|journal)\s+(?:for|of)\s+(?:the\s+)?(?:service\s+)?${OBJECT}`,
      'i',
    ).exec(text) ??
    new RegExp(
      String.raw`\berrors\s+(?:for|from|of)\s+(?:the\s+)?${OBJECT}(?:\s+service)?`,
      'i',
    ).exec(text)
  const name = service?.[1]
  if (
    name &&
    !LOG_NOT_SERVICE.has(name.toLowerCase()) &&
    !/^\d/.test(name) &&
    !machines.isMachine(name)
  )
    parameters.service = name
  return parameters
}

/** "dataprocessor is hanging on dp02, restart the service": the name the trouble is about. */
function troubledName(text: string, machines: MachineNames): string {
  const subject = new RegExp(
    String.raw`\b${OBJECT}\s+(?:service\s+)?(?:(?:on|across)\s+[^.;!?]{1,40}?\s+)?(?:is|keeps|has|seems|looks)\s+(?:\w+\s+)?(?:throwing|eating|hogging|chewing|pegging|burning|using|hanging|hung|stuck|down|crashed|crashing|dead|failing|failed|frozen|not\s+responding|unresponsive|misbehaving|broken|wedged|borked|hosed|flapping|erroring|acting\s+up|leaking|spinning)\b`,
    'i',
  ).exec(text)
  // "there's a runaway java proc on dp03 eating all the cpu, kill it"
  const told = new RegExp(
    String.raw`\bthere(?:'s|\s+is|\s+are)\s+(?:a|an|some)\s+${FILLER}${OBJECT}\s+(?:process(?:es)?|procs?|service|daemon)\b`,
    'i',
  ).exec(text)
  const names = [subject?.[1], told?.[1]]
  return (
    names.find(
      (name): name is string =>
        name !== undefined && !NOT_OBJECTS.has(name.toLowerCase()) && !machines.isMachine(name),
    ) ?? ''
  )
}
