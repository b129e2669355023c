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
  // "does X resolve from the web boxes? getting dns errors everywhere": errors someone tells of,
  // beside other work asked for, are why it is asked, not a step of their own.
  if (kept.some((step) => step.operation !== 'logs.errors')) {
    for (let index = kept.length - 1; index >= 0; index -= 1) {
      const step = kept[index]
      if (step?.operation === 'logs.errors' && toldErrors(text, step)) kept.splice(index, 1)
    }
  }
  let lastName = ''
  const operations: ReadOperation[] = []
  const valueSpans: Array<[number, number]> = []
  const logsSeen = new Set<string>()
  const unread: string[] = []
  for (const step of kept) {
    const parameters = { ...step.parameters }
    // "is sqlservr.exe running ... how much ram is it using": "it" after a process is that
    // process, asked again, not a service.
    const previous = operations[operations.length - 1]
    if (
      step.operation === 'service.status' &&
      parameters.service === '' &&
      previous?.parameters.process
    ) {
      step.operation = 'process.check'
      delete parameters.service
      parameters.process = ''
    }
    for (const key of ['service', 'process'] as const) {
      if (parameters[key] !== '') continue
      const given = lastName || machines.namedInCondition
      const troubled = given ? undefined : troubledName(text, machines)
      parameters[key] = given || troubled?.name || ''
      // "the runaway perl process on files-lnx01 — stop it": stopping a process is killing it.
      if (key === 'service' && step.operation === 'service.stop' && troubled?.process) {
        step.operation = 'process.stop'
        parameters.process = parameters.service ?? ''
        delete parameters.service
      }
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

/** Errors named as what people see ("users are getting errors", "getting dns errors"). */
function toldErrors(text: string, step: Found): boolean {
  const said = text.slice(step.start, step.end)
  if (
    !/^(?:errors|erroring|throwing\s+errors|(?:complain\w*|moaning|whining|grumbling)\s+about)$/i.test(
      said,
    )
  )
    return false
  const clause =
    text
      .slice(0, step.start)
      .split(/[.;!?]|,\s*(?:so|and|but|then)\b/)
      .pop() ?? ''
  return (
    /\b(?:getting|seeing|having|get|see|users?|people|customers?|folks|everyone|complain\w*|report\w*)\b/i.test(
      clause,
    ) || /^(?:complain|moaning|whining|grumbling)/i.test(said)
  )
}

function key(parameters: Record<string, string | number>): string {
  return 'service' in parameters ? 'service' : 'process' in parameters ? 'process' : ''
}

function diskPath(text: string, spans: Array<[number, number]>): Record<string, string> {
  // "C: drive", "the C drive": a capital alone is a drive letter too.
  const drive = /\b([A-Za-z]):\s*drive\b/i.exec(text) ?? /\b([A-Z])\s+drive\b/.exec(text)
  if (drive) return { path: `${drive[1]?.toUpperCase()}:\\` }
  const path = new RegExp(PATH).exec(text)
  if (!path?.[1]) {
    // "free space on / on build01": the root alone, a slash between spaces.
    const root = /(?<=\s)\/(?=\s|[,;?!]|$)/.exec(text)
    if (!root) return {}
    spans.push([root.index, root.index + 1])
    return { path: '/' }
  }
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
  /^(?:system|application|app|kernel|critical|fatal|new|latest|other|those|event|windows|linux|pull|dump|fetch|give|list|tail|read|review|grab|5\d\d|4\d\d|http|disk|io|hardware|auth|login|boot|ssl|tls|[a-z]{2,}ing)$/

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
  const first = service?.[1]
  const name =
    first &&
    !LOG_NOT_SERVICE.has(first.toLowerCase()) &&
    !/^\d/.test(first) &&
    !machines.isMachine(first) &&
    // "errors from the system log", "errors for the web servers": a kind of log or of machine.
    !LOG_NOT_NAMES.test(first.toLowerCase()) &&
    !MACHINE_NOUN.test(text.slice((service?.index ?? 0) + (service?.[0].length ?? 0)))
      ? first
      : serviceNamedFor(text, machines)
  if (name) parameters.service = name
  return parameters
}

/**
 * "dataprocessor is hanging on dp02, restart the service": the name the trouble is about, and
 * whether the request called it a process.
 */
function troubledName(text: string, machines: MachineNames): { name: string; process: boolean } {
  const subject = new RegExp(
    String.raw`\b${OBJECT}\s+(?:service\s+)?(?:(?:on|across)\s+[^.;!?]{1,40}?\s+)?(?:(?:has\s+|just\s+)?(?:crashed|died|hung|froze|fell\s+over|went\s+down|stopped\s+working)\b|is\s+down\b|down\s+(?=on\b)|(?:is|keeps|has|seems|looks)\s+(?:\w+\s+)?(?:throwing|eating|hogging|chewing|pegging|burning|using|hanging|hung|stuck|down|crashed|crashing|dead|dying|failing|failed|frozen|not\s+responding|unresponsive|misbehaving|broken|wedged|borked|hosed|flapping|erroring|acting\s+up|leaking|spinning|falling\s+over|going\s+down|restarting|segfaulting|timing\s+out)\b)`,
    'i',
  ).exec(text)
  // "there's a runaway java proc on dp03 eating all the cpu, kill it", "someone's runaway perl
  // process on files-lnx01 — stop it": a name with its kind noun, wherever it stands.
  const told = new RegExp(
    String.raw`\b${FILLER}${OBJECT}\s+(process(?:es)?|procs?|service|daemon)\b`,
    'gi',
  )
  const named = [...text.matchAll(told)].find(
    (match) =>
      match[1] !== undefined &&
      !NOT_OBJECTS.has(match[1].toLowerCase()) &&
      !machines.isMachine(match[1]) &&
      !/^(?:someone's|somebody's|a|an|some)$/i.test(match[1]),
  )
  if (subject?.[1] && !NOT_OBJECTS.has(subject[1].toLowerCase()) && !machines.isMachine(subject[1]))
    return { name: subject[1], process: false }
  if (named?.[1]) return { name: named[1], process: /^proc/i.test(named[2] ?? '') }
  return { name: '', process: false }
}

/** Nouns that make the word before them a description of machines ("for the web servers"). */
const MACHINE_NOUN = /^\s+(?:servers?|machines?|box(?:es)?|hosts?|nodes?|vms?|fleet|group)\b/i

/**
 * "errors in the last 30 hours for the smbd service", "errors from the event log on app-win01 for
 * MSSQLSERVER": a name after "for"/"from"/"of" anywhere in the request, whatever came between it
 * and the word "errors", when it is no machine, group, time or kind of log.
 */
function serviceNamedFor(text: string, machines: MachineNames): string | undefined {
  for (const match of text.matchAll(
    new RegExp(String.raw`\b(?:for|from|of)\s+(?:the\s+)?(?:service\s+)?${OBJECT}`, 'gid'),
  )) {
    const name = match[1] ?? ''
    const at = match.indices?.[1]?.[0] ?? -1
    if (
      LOG_NOT_SERVICE.has(name.toLowerCase()) ||
      LOG_NOT_NAMES.test(name.toLowerCase()) ||
      /^(?:\d|hours?$|days?$|weeks?$|today$|yesterday$|morning$|night$|log$|logs$)/i.test(name) ||
      machines.isMachine(name) ||
      machines.targetAt?.(at) ||
      MACHINE_NOUN.test(text.slice(at + name.length))
    )
      continue
    return name
  }
  return undefined
}
