/**
 * Finds the catalog operations a technician's sentence asks for, in the order written: verb and
 * object patterns per operation ("restart nginx", "kill the java process", "update postgresql-16
 * to 16.4", "can web01 reach db01 on port 5432"), "it"/"again" taken as the previous object.
 * Deterministic and offline. Values are kept as typed (validation comes when rendering); the
 * spans of parameter values are reported so the target finder does not take `db01` in "reach
 * db01" for a target.
 * @module
 */

export interface ReadOperation {
  operation: string
  parameters: Record<string, string | number>
}

interface Found extends ReadOperation {
  start: number
  end: number
  /** Spans of parameter values in the text (host names, paths). */
  valueSpans: Array<[number, number]>
}

export interface OperationsFound {
  operations: ReadOperation[]
  valueSpans: Array<[number, number]>
}

const OBJECT = String.raw`([A-Za-z0-9](?:[A-Za-z0-9@._+:~-]*[A-Za-z0-9])?)`
const PATH = String.raw`(\/[A-Za-z0-9._+@=~\/-]*[A-Za-z0-9_+@=~\/-]|[A-Za-z]:\\[^\s,;?"']*)`
const HOST = String.raw`([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)`
const FILLER = String.raw`(?:(?:the|a|an|any|all|stuck|hung|running|runaway|latest|newest|current)\s+)*`
const KEYWORD_BEFORE = String.raw`(?:(service|process|daemon|package)\s+(?:called\s+|named\s+)?)?`
const KEYWORD_AFTER = String.raw`(?:\s+(service|process(?:es)?|daemon|package))?`

/** Words an object can never be: pronouns, articles, prepositions and the verbs themselves. */
const NOT_OBJECTS = new Set(
  `it them this that these those again me my our your the a an any all every each of on in at to
   from for with by and or then also just please pls now tonight today recent last past show
   check see get pull grab look journal log logs event error errors up down running stopped
   status service services process processes package packages version latest updates update
   install remove restart start stop reboot kill out disk space free memory cpu time afterwards
   is are was be where if only but so as there here what which who how when`.split(/\s+/),
)

const MACHINE_WORDS = /^(?:servers?|machines?|box(?:es)?|hosts?|computers?|nodes?|vms?)$/i

export interface MachineNames {
  isMachine(token: string): boolean
  /** Whether a group or machine name was found at this position ("restart the web servers"). */
  targetAt?(index: number): boolean
}

export function findOperations(text: string, machines: MachineNames): OperationsFound {
  const found: Found[] = []
  const add = (
    match: RegExpMatchArray,
    operation: string,
    parameters: Record<string, string | number>,
    valueSpans: Array<[number, number]> = [],
  ) => {
    const start = match.index ?? 0
    found.push({ operation, parameters, start, end: start + match[0].length, valueSpans })
  }
  const each = (pattern: string | RegExp, flags = 'gid') =>
    text.matchAll(typeof pattern === 'string' ? new RegExp(pattern, flags) : pattern)
  const isObject = (word: string | undefined): word is string =>
    word !== undefined && !NOT_OBJECTS.has(word.toLowerCase()) && !machines.isMachine(word)

  // --- file copy: two absolute paths
  for (const match of each(
    String.raw`\b(?:copy|push|deploy|put|upload|distribute)\s+(?:the\s+file\s+)?${PATH}\s+(?:to|at|into|as|onto)\s+${PATH}`,
  )) {
    add(match, 'file.copy', { source: trimPath(match[1]), destination: trimPath(match[2]) })
  }

  // --- packages
  for (const match of each(
    String.raw`\binstall\s+(?:the\s+)?(?:latest\s+)?(?:security\s+)?updates?\s+(?:for|of|to)\s+(?:the\s+)?${OBJECT}`,
  )) {
    if (isObject(match[1])) add(match, 'package.update', { package: match[1] })
  }
  for (const match of each(
    String.raw`\b(install|uninstall|remove|update|upgrade|patch)\s+${FILLER}(?:package\s+)?${OBJECT}(?:\s+package)?(?:\s+(?:to\s+)?(?:version\s+|v)?(\d[A-Za-z0-9.+~_:-]*))?`,
  )) {
    const [, verb = '', name, version] = match
    if (!isObject(name)) continue
    const operation = /^(?:install)$/i.test(verb)
      ? 'package.install'
      : /^(?:uninstall|remove)$/i.test(verb)
        ? 'package.remove'
        : 'package.update'
    const parameters: Record<string, string> = { package: name }
    if (version) parameters.version = trimPath(version)
    add(match, operation, parameters)
    // "install htop and tmux": one install per listed name.
    if (operation === 'package.install') {
      let after = (match.index ?? 0) + match[0].length
      for (;;) {
        const more = new RegExp(String.raw`^(?:\s*,\s*|\s+and\s+)${OBJECT}`, 'i').exec(
          text.slice(after),
        )
        if (!more || !isObject(more[1]) || VERBS.test(more[1])) break
        found.push({
          operation,
          parameters: { package: more[1] },
          start: after,
          end: after + more[0].length,
          valueSpans: [],
        })
        after += more[0].length
      }
    }
  }
  for (const match of each(String.raw`\bget\s+${OBJECT}\s+installed\b`)) {
    if (isObject(match[1])) add(match, 'package.install', { package: match[1] })
  }
  for (const match of each(
    String.raw`\b(?:ensure|make\s+sure|see\s+that)\s+(?:the\s+)?(?:package\s+)?${OBJECT}(?:\s+package)?\s+(?:is|gets|get|are)\s+(installed|removed|uninstalled|updated|upgraded|up\s+to\s+date)\b`,
  )) {
    if (!isObject(match[1])) continue
    const state = (match[2] ?? '').toLowerCase()
    const operation =
      state === 'installed'
        ? 'package.install'
        : /removed|uninstalled/.test(state)
          ? 'package.remove'
          : 'package.update'
    add(match, operation, { package: match[1] })
  }

  // --- services (and reboots phrased as "restart the server")
  for (const match of each(
    String.raw`\b(restart|re-start|bounce|kick|recycle|cycle|start|stop|shut\s+down)\s+${FILLER}${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}`,
  )) {
    const [, verb = '', before, object = '', after] = match
    const lowered = verb.toLowerCase().replace(/\s+/g, ' ')
    const restart = !/^(?:start|stop|shut down)$/.test(lowered)
    const keyword = `${before ?? ''} ${after ?? ''}`.toLowerCase()
    const objectAt = match.indices?.[3]?.[0] ?? -1
    const targeted = machines.targetAt?.(objectAt) ?? false
    if (!keyword.trim() && (MACHINE_WORDS.test(object) || machines.isMachine(object) || targeted)) {
      if (restart) add(match, 'system.reboot', {})
      continue
    }
    // "IIS (W3SVC)": the name in brackets is the service's own.
    const bracketed = /^\s*\(([A-Za-z0-9][A-Za-z0-9@._-]*)\)/.exec(
      text.slice((match.index ?? 0) + match[0].length),
    )?.[1]
    const named = /^(?:it|them|again)$/i.test(object) ? undefined : (bracketed ?? object)
    if (named !== undefined && !isObject(named)) continue
    if (keyword.includes('process')) {
      if (lowered === 'stop') add(match, 'process.stop', { process: named ?? '' })
      continue
    }
    const operation = restart
      ? 'service.restart'
      : lowered === 'start'
        ? 'service.start'
        : 'service.stop'
    add(match, operation, { service: named ?? '' })
  }
  for (const match of each(
    String.raw`\b(?:the\s+)?${OBJECT}\s+(?:service|daemon)\s+(restarted|started|stopped)\b`,
  )) {
    if (!isObject(match[1])) continue
    const state = match[2]?.toLowerCase()
    const operation =
      state === 'restarted'
        ? 'service.restart'
        : state === 'started'
          ? 'service.start'
          : 'service.stop'
    add(match, operation, { service: match[1] })
  }

  for (const match of each(
    String.raw`\bbring\s+(?:the\s+)?${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}\s+(?:back\s+)?(up|online|down|offline)\b`,
  )) {
    if (!isObject(match[2])) continue
    const up = /^(?:up|online)$/i.test(match[4] ?? '')
    add(match, up ? 'service.start' : 'service.stop', { service: match[2] })
  }
  for (const match of each(
    String.raw`\bcheck\s+(?:on\s+)?(?:the\s+)?(?:(?:service|daemon)\s+${OBJECT}|${OBJECT}\s+(?:service|daemon))\b`,
  )) {
    const name = match[1] ?? match[2]
    if (isObject(name)) add(match, 'service.status', { service: name })
  }

  // --- processes
  for (const match of each(
    String.raw`\b(?:kill|terminate|end|pkill)\s+${FILLER}(?:process\s+(?:called\s+|named\s+)?)?${OBJECT}(?:\s+process(?:es)?)?`,
  )) {
    if (isObject(match[1])) add(match, 'process.stop', { process: match[1] })
  }
  for (const match of each(
    String.raw`\bcheck\s+for\s+(?:a\s+|the\s+)?process\s+(?:called\s+|named\s+)?${OBJECT}`,
  )) {
    if (isObject(match[1])) add(match, 'process.check', { process: match[1] })
  }
  for (const match of each(
    String.raw`\b(?:cpu|memory|ram|pids?)\b[^.?!]{0,40}?\bof\s+(?:the\s+)?${OBJECT}\s+process(?:es)?\b`,
  )) {
    if (isObject(match[1])) add(match, 'process.check', { process: match[1] })
  }

  // --- status: "is nginx running", "status of sshd", "check whether the process w3wp is running"
  const status = (match: RegExpMatchArray, before?: string, object?: string, after?: string) => {
    const named = object && /^(?:it|them)$/i.test(object) ? '' : object
    if (named === undefined || (named !== '' && !isObject(named))) return
    if (`${before ?? ''} ${after ?? ''}`.toLowerCase().includes('process'))
      add(match, 'process.check', { process: named })
    else add(match, 'service.status', { service: named })
  }
  for (const match of each(
    String.raw`\bis\s+(?:the\s+)?${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}\s+(?:running|up|active|alive|started)\b`,
  )) {
    status(match, match[1], match[2], match[3])
  }
  for (const match of each(
    String.raw`\bstatus\s+of\s+(?:the\s+)?${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}`,
  )) {
    status(match, match[1], match[2], match[3])
  }
  for (const match of each(
    String.raw`\b(?:check\s+)?(?:if|whether|that)\s+(?:the\s+)?${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}\s+is\s+(?:running|up|active|alive)\b`,
  )) {
    status(match, match[1], match[2], match[3])
  }
  for (const match of each(String.raw`\bcheck\s+(?:that\s+)?(it|they)\s+(?:is|are)\s+running\b`)) {
    status(match, undefined, match[1], undefined)
  }

  // --- disk, uptime, reboot
  for (const match of each(
    String.raw`\b(?:disk\s+(?:space|usage|capacity|free)|free\s+(?:disk\s+)?space|free\s+disk|df|how\s+full\s+(?:is|are)|out\s+of\s+(?:disk|space)|disks?\s+(?:is\s+|are\s+)?full|how\s+much\s+(?:free\s+)?(?:disk\s+)?space|space\s+(?:is\s+)?(?:left|free|remaining|available)|storage\s+(?:left|usage|space))\b`,
  )) {
    add(match, 'disk.usage', {})
  }
  for (const match of each(
    String.raw`\buptime\b|\bhow\s+long\s+(?:has|have)\s+[^?.!]{1,40}?\s+been\s+(?:up|running|online)\b|\blast\s+(?:re)?boot(?:ed)?(?:\s+time)?\b|\bwhen\s+(?:did|was|were)\s+[^?.!]{1,40}?\s+(?:last\s+)?(?:re)?boot(?:ed)?\b`,
  )) {
    add(match, 'system.uptime', {})
  }
  for (const match of each(String.raw`\breboot\b`)) add(match, 'system.reboot', {})

  // --- logs
  for (const match of each(
    String.raw`\b(?:errors?\s+(?:logs?|in\s+the\s+logs?)|event\s+logs?|errors|journal|syslog|(?:check|show|pull|grab|review|read|tail|see|look\s+at|go\s+through)\s+(?:me\s+)?(?:the\s+)?(?:recent\s+|latest\s+|system\s+)?logs?)\b`,
  )) {
    add(match, 'logs.errors', {})
  }

  // --- network
  const port = /\bport\s+(\d{1,5})\b/i.exec(text) ?? /\b[A-Za-z0-9.-]+:(\d{1,5})\b/.exec(text)
  if (port && /\b(?:reach|reachable|connect|connectivity|port)\b/i.test(text)) {
    const host =
      new RegExp(String.raw`\b${HOST}:\d{1,5}\b`).exec(text) ??
      new RegExp(String.raw`\bport\s+\d{1,5}\s+on\s+${HOST}`, 'i').exec(text) ??
      new RegExp(String.raw`\breach\s+(?:the\s+)?${HOST}`, 'i').exec(text) ??
      new RegExp(String.raw`\bport\s+\d{1,5}\s+(?:to|of)\s+${HOST}`, 'i').exec(text) ??
      new RegExp(String.raw`\bto\s+${HOST}`, 'i').exec(text)
    if (host?.[1]) {
      const hostStart = (host.index ?? 0) + host[0].lastIndexOf(host[1])
      add(port, 'network.port-check', { host: host[1], port: Number(port[1]) }, [
        [hostStart, hostStart + host[1].length],
        [port.index ?? 0, (port.index ?? 0) + port[0].length],
      ])
    }
  }
  const resolveWord =
    /\bresol(?:ve|ves|ving|ution)\b|\bdns\s+(?:lookup|resolution)\b|\bnslookup\b/i.exec(text)
  if (resolveWord) {
    const host =
      /\b([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\b/.exec(text) ??
      new RegExp(String.raw`\bresolve\s+${HOST}`, 'i').exec(text)
    if (host?.[1]) {
      const hostStart = (host.index ?? 0) + host[0].lastIndexOf(host[1])
      add(resolveWord, 'network.name-check', { host: host[1] }, [
        [hostStart, hostStart + host[1].length],
      ])
    }
  }

  return finish(text, found, machines)
}

const VERBS =
  /^(?:restart|start|stop|reboot|kill|install|uninstall|remove|update|upgrade|check|copy|then)$/i

/** Paths end before sentence punctuation. */
function trimPath(value: string | undefined): string {
  return (value ?? '').replace(/[.,;:!?)]+$/, '')
}

/**
 * Orders by position, drops matches inside an earlier (or longer) one, fills "it" from the
 * previous object, fills disk and log parameters from the words around them, and merges repeats.
 */
function finish(text: string, found: Found[], machines: MachineNames): OperationsFound {
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
  for (const step of kept) {
    const parameters = { ...step.parameters }
    for (const key of ['service', 'process'] as const) {
      if (parameters[key] === '') parameters[key] = lastName
    }
    if (parameters[key(parameters)] === '') continue
    const name = parameters.service ?? parameters.process ?? parameters.package
    if (typeof name === 'string' && name) lastName = name
    if (step.operation === 'disk.usage') Object.assign(parameters, diskPath(text, valueSpans))
    if (step.operation === 'logs.errors') {
      if (logsSeen.has('logs')) continue
      logsSeen.add('logs')
      Object.assign(parameters, logParameters(text, machines))
    }
    const same = operations[operations.length - 1]
    if (
      same &&
      same.operation === step.operation &&
      JSON.stringify(same.parameters) === JSON.stringify(parameters)
    )
      continue
    operations.push({ operation: step.operation, parameters })
    valueSpans.push(...step.valueSpans)
  }
  return { operations, valueSpans }
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
])

function logParameters(text: string, machines: MachineNames): Record<string, string | number> {
  const parameters: Record<string, string | number> = {}
  const hours =
    /\b(?:last|past|previous)\s+(\d{1,3})\s+hours?\b/i.exec(text) ??
    /\b(\d{1,3})\s+hours?\s+of\b/i.exec(text)
  if (hours?.[1]) parameters.hours = Number(hours[1])
  const service =
    new RegExp(String.raw`\b(?:the\s+)${OBJECT}\s+errors\b`, 'i').exec(text) ??
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
