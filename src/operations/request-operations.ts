import { finish } from './request-operations-finish.ts'
import { findPhrasings } from './request-phrasings.ts'
import { findStatusChecks } from './request-status.ts'
import {
  FILLER,
  type Found,
  isProcessName,
  KEYWORD_AFTER,
  KEYWORD_BEFORE,
  NOT_OBJECTS,
  OBJECT,
  type OperationsFound,
  PATH,
  trimPath,
  VERBS,
} from './request-words.ts'

export type { OperationsFound, ReadOperation } from './request-words.ts'

/**
 * Finds the catalog operations a technician's sentence asks for, in the order written: verb and
 * object patterns per operation ("restart nginx", "kill the java process", "update postgresql-16
 * to 16.4", "can web01 reach db01 on port 5432"), "it"/"again" taken as the previous object.
 * Deterministic and offline. Values are kept as typed (validation comes when rendering); the
 * spans of parameter values are reported so the target finder does not take `db01` in "reach
 * db01" for a target.
 * @module
 */

const HOST = '([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)'

/** Words that may follow a service name without being the rest of it ("restart nginx again"). */
const HALF_NAME_NOT =
  /^(?:again|now|asap|please|pls|first|too|as\s+well|gracefully|cleanly|quickly|immediately|tonight|later|back|up|down|over|off|everywhere|service|daemon|process|instance|instances)$/

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
    const after = /\bafter\s+$/i.test(text.slice(Math.max(0, start - 8), start))
    found.push({ operation, parameters, start, end: start + match[0].length, valueSpans, after })
  }
  const each = (pattern: string | RegExp, flags = 'gid') =>
    text.matchAll(typeof pattern === 'string' ? new RegExp(pattern, flags) : pattern)
  const isObject = (word: string | undefined): word is string =>
    word !== undefined &&
    /[A-Za-z]/.test(word) &&
    !NOT_OBJECTS.has(word.toLowerCase()) &&
    !machines.isMachine(word)
  /** "install htop and tmux", "restart smbd and nmbd": one step per listed name. */
  const listed = (match: RegExpMatchArray, operation: string, key: string, commas = true) => {
    let after = (match.index ?? 0) + match[0].length
    for (;;) {
      const more = new RegExp(
        String.raw`^(?:${commas ? '\\s*,\\s*|' : ''}\s+and\s+)${OBJECT}(?:\s+(?:service|package|process))?`,
        'i',
      ).exec(text.slice(after))
      if (
        !more ||
        !isObject(more[1]) ||
        VERBS.test(more[1]) ||
        machines.targetAt?.(after + more[0].indexOf(more[1] ?? ''))
      )
        break
      found.push({
        operation,
        parameters: { [key]: more[1] },
        start: after,
        end: after + more[0].length,
        valueSpans: [],
      })
      after += more[0].length
    }
  }

  // --- file copy: two absolute paths
  for (const match of each(
    String.raw`\b(?:copy|push|deploy|put|upload|distribute|roll\s+out|ship|send|drop|place|stage|transfer|scp|sync|move)\s+(?:the\s+)?(?:new\s+|updated\s+|latest\s+)?(?:[A-Za-z][A-Za-z0-9._-]*\s+)?(?:file\s+|config\s+)?${PATH}\s+(?:[^/\\\n]{0,40}?\s)?(?:to|at|into|in|as|onto)\s+${PATH}`,
  )) {
    // The paths are values: "/opt/builds/..." never names the build agents.
    const paths = [match.indices?.[1], match.indices?.[2]].filter(
      (span): span is [number, number] => span !== undefined,
    )
    add(match, 'file.copy', { source: trimPath(match[1]), destination: trimPath(match[2]) }, paths)
  }

  // --- packages
  for (const match of each(
    String.raw`\binstall\s+(?:the\s+)?(?:latest\s+)?(?:security\s+)?updates?\s+(?:for|of|to)\s+(?:the\s+)?${OBJECT}`,
  )) {
    if (isObject(match[1])) add(match, 'package.update', { package: match[1] })
  }
  // "apply the latest curl updates", "push the openssl patch"
  for (const match of each(
    String.raw`\b(?:apply|install|push|roll\s+out)\s+(?:the\s+)?(?:latest\s+|newest\s+|pending\s+)?${OBJECT}\s+(?:security\s+)?(?:updates?|patch(?:es)?|upgrades?)\b`,
  )) {
    if (isObject(match[1])) add(match, 'package.update', { package: match[1] })
  }
  for (const match of each(
    String.raw`\b(install(?:ing)?|uninstall(?:ing)?|remov(?:e|ing)|updat(?:e|ing)|upgrad(?:e|ing)|patch(?:ing)?)\s+${FILLER}(?:package\s+)?${OBJECT}(?:\s+package)?(?:\s+(?:to\s+)?(?:version\s+|v)?(\d[A-Za-z0-9.+~_:-]*))?`,
  )) {
    const [, verb = '', name, version] = match
    const nameAt = match.indices?.[2]?.[0] ?? -1
    if (!isObject(name) || machines.targetAt?.(nameAt)) {
      // "upgrade all of the build agents to git 2.45.1": the package comes after "to".
      const later = new RegExp(
        String.raw`^[^.;]{0,60}?\bto\s+${OBJECT}\s+(?:version\s+)?v?(\d[A-Za-z0-9.+~_:-]*)`,
        'i',
      ).exec(text.slice((match.index ?? 0) + match[0].length))
      if (/^(?:update|upgrad)/i.test(verb) && later && isObject(later[1]))
        add(match, 'package.update', { package: later[1], version: trimPath(later[2]) })
      continue
    }
    const operation = /^install/i.test(verb)
      ? 'package.install'
      : /^(?:uninstall|remov)/i.test(verb)
        ? 'package.remove'
        : 'package.update'
    const parameters: Record<string, string> = { package: name }
    // "upgrade nginx on web01 to version 1.26.1": the version may follow the targets.
    const later =
      version ??
      /^(?:(?!\band\b|\bthen\b)[^.;])*?\b(?:to\s+(?:version\s+)?v?|version\s+v?)(\d[A-Za-z0-9.+~_:-]*)/i.exec(
        text.slice((match.index ?? 0) + match[0].length, (match.index ?? 0) + match[0].length + 60),
      )?.[1]
    if (later) parameters.version = trimPath(later)
    add(match, operation, parameters)
    listed(match, operation, 'package')
  }
  findPhrasings({ text, found, add, each, isObject })

  // --- services (and reboots phrased as "restart the server")
  for (const match of each(
    String.raw`\b(restart(?:ing)?|re-start|bounc(?:e|ing)|kick|recycl(?:e|ing)|cycl(?:e|ing)|start(?:ing)?|stop(?:ping)?|shut(?:ting)?\s+down)\s+${FILLER}${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}`,
  )) {
    const [, verb = '', before, object = '', after] = match
    const lowered = /^(?:stop|shut)/i.test(verb)
      ? 'stop'
      : /^start/i.test(verb)
        ? 'start'
        : 'restart'
    const restart = lowered === 'restart'
    const keyword = `${before ?? ''} ${after ?? ''}`.toLowerCase()
    const objectAt = match.indices?.[3]?.[0] ?? -1
    const targeted = machines.targetAt?.(objectAt) ?? false
    if (!keyword.trim() && (MACHINE_WORDS.test(object) || machines.isMachine(object) || targeted)) {
      if (restart) add(match, 'system.reboot', {})
      continue
    }
    // "IIS (W3SVC)": the name in brackets is the service's own.
    const bracketed = /^[^()\n]{0,30}?\(([A-Za-z0-9][A-Za-z0-9@._-]*)\)/.exec(
      text.slice((match.index ?? 0) + match[0].length),
    )?.[1]
    let named = /^(?:it|them|again|service)$/i.test(object) ? undefined : (bracketed ?? object)
    // "restart the app pool on app-win02": a name of two plain words is not read by halves;
    // the step is kept without a name, and the chat asks which service.
    const next = /^\s+([a-z][a-z-]*)\s+(?:on|across|for|at)\b/.exec(
      text.slice((match.index ?? 0) + match[0].length),
    )?.[1]
    if (
      !bracketed &&
      !keyword.trim() &&
      next !== undefined &&
      !NOT_OBJECTS.has(next) &&
      !HALF_NAME_NOT.test(next) &&
      !machines.isMachine(next)
    )
      named = undefined
    if (named !== undefined && !isObject(named)) {
      // "restart the service on web01": the keyword without a name, asked back for later.
      if (!(keyword.trim() && NOT_OBJECTS.has((bracketed ?? object).toLowerCase()))) continue
      named = undefined
    }
    if (/\bproc/.test(keyword) || (!keyword.includes('service') && isProcessName(named ?? ''))) {
      if (lowered === 'stop') add(match, 'process.stop', { process: named ?? '' })
      continue
    }
    const operation = restart
      ? 'service.restart'
      : lowered === 'start'
        ? 'service.start'
        : 'service.stop'
    add(match, operation, { service: named ?? '' })
    // Only "and": after a comma comes the next instruction ("stop nginx, clear the cache").
    if (named !== undefined) listed(match, operation, 'service', false)
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
    String.raw`\b(?:kill|terminate|end|pkill)\s+(?:-[A-Za-z0-9]+\s+)?${FILLER}(?:process\s+(?:called\s+|named\s+)?)?${OBJECT}(?:\s+(process(?:es)?|procs?|service|daemon))?`,
  )) {
    // "kill it", "kill em": the process just named, or the one the sentence says is in trouble.
    if (/^(?:it|them|em|'em|those|these)$/i.test(match[1] ?? '')) {
      add(match, 'process.stop', { process: '' })
      continue
    }
    if (!isObject(match[1])) continue
    // "kill the apache2 service": a service is stopped, not its process killed.
    if (/^(?:service|daemon)$/i.test(match[2] ?? ''))
      add(match, 'service.stop', { service: match[1] })
    else add(match, 'process.stop', { process: match[1] })
  }
  for (const match of each(
    String.raw`\b(?:check|look|search|scan)\s+for\s+(?:a\s+|the\s+|any\s+)?(?:process\s+(?:called\s+|named\s+)?${OBJECT}|${OBJECT}\s+(?:process(?:es)?|procs?)\b)`,
  )) {
    const name = match[1] ?? match[2]
    if (isObject(name)) add(match, 'process.check', { process: name })
  }
  // "check the java process on dp01"
  for (const match of each(
    String.raw`\bcheck\s+(?:on\s+)?(?:the\s+)?${OBJECT}\s+process(?:es)?\b`,
  )) {
    if (isObject(match[1])) add(match, 'process.check', { process: match[1] })
  }
  // "check /var/lib/docker usage on build01"
  for (const match of each(String.raw`${PATH}\s+(?:disk\s+)?(?:usage|space|size)\b`)) {
    add(match, 'disk.usage', {})
  }
  for (const match of each(
    String.raw`\b(?:cpu|memory|ram|pids?)\b[^.?!]{0,40}?\b(?:of|for|used\s+by)\s+(?:the\s+)?${OBJECT}(?:\s+process(?:es)?)?\b`,
  )) {
    const at = match.indices?.[1]?.[0] ?? -1
    if (isObject(match[1]) && !machines.targetAt?.(at) && !MACHINE_WORDS.test(match[1]))
      add(match, 'process.check', { process: match[1] })
  }

  // --- status: "is nginx running", "status of sshd", "check whether the process w3wp is running"
  findStatusChecks({ text, found, add, each, isObject }, machines)

  // --- disk, uptime, reboot
  for (const match of each(
    String.raw`\b(?:disk\s+(?:space|usage|capacity|free)|free\s+(?:disk\s+)?space|free\s+disk|df|how\s+full\s+(?:is|are)|out\s+of\s+(?:disk|space)|disks?\s+(?:is\s+|are\s+)?full|how\s+much\s+(?:free\s+)?(?:disk\s+)?(?:space|room)|(?:space|room)\s+(?:is\s+)?(?:left|free|remaining|available)|storage\s+(?:left|usage|space)|disks?|storage|space\s+(?:check|usage))\b`,
  )) {
    add(match, 'disk.usage', {})
  }
  for (const match of each(
    String.raw`\buptime\b|\bhow\s+long\s+(?:has|have)\s+[^?.!]{1,40}?\s+been\s+(?:up|running|online)\b|\blast\s+(?:re)?boot(?:ed)?(?:\s+time)?\b|\bwhen\s+(?:did|was|were)\s+[^?.!]{1,40}?\s+(?:last\s+)?(?:re)?boot(?:ed)?\b|\bhow\s+long\s+(?:since|ago)\s+[^?.!]{1,40}?\s+(?:last\s+)?(?:re)?boot(?:ed)?\b|\b(?:has|have|did)\s+[^?.!]{1,40}?\s+(?:re)?boot(?:ed)?\s+(?:recently|lately|today|overnight|last\s+night|since)\b`,
  )) {
    add(match, 'system.uptime', {})
  }
  for (const match of each(String.raw`\breboot\b`)) add(match, 'system.reboot', {})

  // --- logs
  for (const match of each(
    String.raw`\b(?:errors?\s+(?:logs?|in\s+the\s+logs?)|event\s+logs?|errors|erroring|throwing\s+errors|(?:complain(?:ing|ed|s)?|moaning|whining|grumbling)\s+about|(?:been|got|was|were)\s+logged(?!\s+(?:in|out|into)\b)|journal|syslog|(?:check|show|pull|grab|review|read|tail|see|look\s+at|go\s+through)\s+(?:me\s+)?(?:the\s+)?(?:recent\s+|latest\s+|system\s+)?(?:[A-Za-z0-9][A-Za-z0-9@._-]*\s+)?logs?)\b`,
  )) {
    add(match, 'logs.errors', {})
  }

  // --- network
  const talks =
    /\b(?:reach|reachable|connect|connectivity|port|talk\s+to|access|hit|get\s+to|open\s+(?:a\s+)?(?:connection|socket))\b/i.test(
      text,
    )
  const port =
    /\bport\s+(?:check\s+)?(?:on\s+|for\s+)?(\d{1,5})\b/i.exec(text) ??
    /\b[A-Za-z0-9.-]+:(\d{1,5})\b/.exec(text) ??
    (talks ? /\b(?:on|at)\s+(\d{2,5})\b/i.exec(text) : null)
  if (port && talks) {
    const host =
      new RegExp(String.raw`\b${HOST}:\d{1,5}\b`).exec(text) ??
      new RegExp(String.raw`\bport\s+\d{1,5}\s+on\s+${HOST}`, 'i').exec(text) ??
      new RegExp(String.raw`\b(?:reach|hit)\s+(?:the\s+)?${HOST}`, 'i').exec(text) ??
      new RegExp(String.raw`\b(?:talk|connect|get\s+through)\s+to\s+(?:the\s+)?${HOST}`, 'i').exec(
        text,
      ) ??
      new RegExp(String.raw`\bport\s+\d{1,5}\s+(?:to|of)\s+${HOST}`, 'i').exec(text) ??
      // "is smtp.corp.local port 25 open": a dotted name or a machine before its port.
      /\b([A-Za-z0-9-]*[.\d][A-Za-z0-9.-]*[A-Za-z0-9])\s+(?:on\s+)?port\s+\d{1,5}/i.exec(text) ??
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
    /\bresol(?:ve|ves|ving|ution)\b|\bdns\s+(?:lookup|resolution|check|query|test)\b|\bnslookup\b|\blook\s*up\b|\bdig\b/i.exec(
      text,
    )
  if (resolveWord) {
    const host =
      /\b([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\b/.exec(text) ??
      // "does db01 resolve on web03": the name before the verb.
      new RegExp(String.raw`\b(?:does|do|can|will|did)\s+${HOST}\s+resolve`, 'i').exec(text) ??
      new RegExp(String.raw`\bresolve\s+(?!(?:on|from|at|in|for|to)\b)${HOST}`, 'i').exec(text)
    if (host?.[1]) {
      const hostStart = (host.index ?? 0) + host[0].lastIndexOf(host[1])
      add(resolveWord, 'network.name-check', { host: host[1] }, [
        [hostStart, hostStart + host[1].length],
      ])
    }
  }

  return finish(text, found, machines)
}
