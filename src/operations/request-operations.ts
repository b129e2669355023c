import { findListed } from './request-lists.ts'
import { findNetworkChecks } from './request-network.ts'
import { finish } from './request-operations-finish.ts'
import { findPhrasings } from './request-phrasings.ts'
import { findStatusChecks } from './request-status.ts'
import {
  appositiveName,
  FILE_NAME,
  FILLER,
  type Found,
  isProcessName,
  KEYWORD_AFTER,
  KEYWORD_BEFORE,
  NOT_OBJECTS,
  OBJECT,
  type OperationsFound,
  PATH,
  TOOL_PACKAGES,
  trimPath,
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

/** Words that may follow a service name without being the rest of it ("restart nginx again"). */
const HALF_NAME_NOT =
  /^(?:again|now|asap|please|pls|first|too|as\s+well|gracefully|cleanly|quickly|immediately|tonight|later|back|up|down|over|off|everywhere|service|daemon|process|instance|instances)$/

/** Parts a technician swaps by hand: a swap of these is no package work. */
const HARDWARE =
  /^(?:disks?|drives?|ssds?|hdds?|fans?|cables?|batter(?:y|ies)|keyboards?|mouse|mice|monitors?|screens?|psus?|nics?|ram|memory|cpus?|toner|laptops?|chargers?|docks?|headsets?|phones?)$/i

const MACHINE_WORDS = /^(?:servers?|machines?|box(?:es)?|hosts?|computers?|nodes?|vms?)$/i

export interface MachineNames {
  isMachine(token: string): boolean
  /** Whether a group or machine name was found at this position ("restart the web servers"). */
  targetAt?(index: number): boolean
  /**
   * The name a condition gave ("if nginx is down on web03, start it"): what "it" means when no
   * step before it names one (the condition's words are blanked before the steps are read).
   */
  namedInCondition?: string
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
    // "the shares are filling up": a plain word in -ing is what something does, not its name.
    !/^[a-z]{3,}ing$/.test(word) &&
    !machines.isMachine(word)
  const isPackage = (word: string | undefined): word is string =>
    word !== undefined && (TOOL_PACKAGES.has(word.toLowerCase()) || isObject(word))
  const listed = (match: RegExpMatchArray, operation: string, key: string, commas = true) =>
    findListed({ text, found, isObject, machines }, match, { operation, key, commas })

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

  // "copy motd.txt to /etc/motd on web01": a file of the helpdesk's files directory, named
  // relative to it (with an extension or a folder, so "copy the file to" names none); "overwrite"
  // or "replace" in the request lets it replace an existing file.
  for (const match of each(
    String.raw`\b(?:copy|push|deploy|put|upload|distribute|roll\s+out|ship|send|drop|place|stage|transfer)\s+(?:the\s+)?(?:new\s+|updated\s+|latest\s+)?(?:file\s+|config\s+)?(?<![\/\w.-])${FILE_NAME}(?:\s+from\s+the\s+files?\s+(?:directory|folder|dir))?\s+(?:to|at|into|onto)\s+${PATH}`,
  )) {
    const paths = [match.indices?.[1], match.indices?.[2]].filter(
      (span): span is [number, number] => span !== undefined,
    )
    const overwrite = /\b(?:overwrit\w*|replac\w*)\b/i.test(text)
    add(
      match,
      'file.copy',
      {
        source: match[1] ?? '',
        destination: trimPath(match[2]),
        ...(overwrite ? { overwrite: 'yes' } : {}),
      },
      paths,
    )
  }

  // "put config/app.json onto app-win02 at C:\App\app.json": the machines between the file and
  // where it goes; "push this file to the dp group: dp/settings.yaml -> /opt/dp/settings.yaml".
  for (const match of each(
    String.raw`\b(?:copy|push|deploy|put|upload|distribute|roll\s+out|ship|send|drop|place|stage|transfer)\s+(?:the\s+)?(?:new\s+|updated\s+|latest\s+)?(?:file\s+|config\s+)?(?<![\/\w.-])${FILE_NAME}\s+(?:to|onto|on)\s+(?:the\s+)?[A-Za-z0-9][\w.-]*(?:\s+(?:and\s+)?[A-Za-z0-9][\w.-]*){0,3}?\s+(?:at|in|into|as|under)\s+${PATH}|\b(?:copy|push|deploy|put|upload|distribute|roll\s+out|ship|send|place|stage|transfer)\b[^:\n]{0,60}:\s*(?<![\/\w.-])${FILE_NAME}\s*(?:->|\u2192|=>)\s*${PATH}`,
  )) {
    const source = match[1] ?? match[3] ?? ''
    const destination = trimPath(match[2] ?? match[4])
    const paths = [1, 2, 3, 4]
      .map((index) => match.indices?.[index])
      .filter((span): span is [number, number] => span !== undefined)
    const overwrite = /\b(?:overwrit\w*|replac\w*)\b/i.test(text)
    add(
      match,
      'file.copy',
      { source, destination, ...(overwrite ? { overwrite: 'yes' } : {}) },
      paths,
    )
  }

  // "replace /etc/hosts on web01 with /srv/hosts.new": the copy written destination first.
  for (const match of each(
    String.raw`\b(?:replace|overwrite|swap\s+out)\s+(?:the\s+)?(?:file\s+|config\s+)?${PATH}\s+(?:[^/\\\n]{0,40}?\s)?with\s+(?:the\s+)?(?:new\s+|updated\s+)?(?:file\s+|config\s+|copy\s+(?:at|in|from)\s+)?${PATH}`,
  )) {
    const paths = [match.indices?.[1], match.indices?.[2]].filter(
      (span): span is [number, number] => span !== undefined,
    )
    add(match, 'file.copy', { source: trimPath(match[2]), destination: trimPath(match[1]) }, paths)
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
    String.raw`\b(install(?:ing)?|uninstall(?:ing)?|remov(?:e|ing)|updat(?:e|ing)|upgrad(?:e|ing)|patch(?:ing)?)\s+${FILLER}(?:package\s+(?:named\s+|called\s+)?)?${OBJECT}(?:\s+package)?(?:\s+(?:to\s+)?(?:version\s+|v)?(\d[A-Za-z0-9.+~_:-]*))?`,
  )) {
    const [, verb = '', name, version] = match
    const nameAt = match.indices?.[2]?.[0] ?? -1
    if (!isPackage(name) || machines.targetAt?.(nameAt)) {
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
    // "update kernel package linux-image-amd64": the description first, then the name.
    const own = version
      ? undefined
      : appositiveName(
          text.slice((match.index ?? 0) + match[0].length),
          /\spackage$/i.test(match[0]),
          isPackage,
        )
    const parameters: Record<string, string> = { package: own ?? name }
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
  // "swap mysql-server for mariadb-server", "replace apache2 with nginx": the first removed,
  // the second installed (paths are file copies, read above).
  for (const match of each(
    String.raw`\b(?:swap(?:\s+out)?|replac(?:e|ing))\s+(?:the\s+)?(?:package\s+)?${OBJECT}(?:\s+package)?\s+(?:for|with)\s+(?:the\s+)?(?:package\s+)?${OBJECT}\b(?![\/\\])`,
  )) {
    const [, old, replacement] = match
    if (!isPackage(old) || !isPackage(replacement)) continue
    // "swap the fans for quieter ones", "replace the disk with a new drive": hardware, not software.
    if (
      HARDWARE.test(old) ||
      HARDWARE.test(replacement) ||
      /^\s+ones?\b/i.test(text.slice((match.index ?? 0) + match[0].length))
    )
      continue
    if (machines.targetAt?.(match.indices?.[1]?.[0] ?? -1)) continue
    add(match, 'package.remove', { package: old })
    // The install takes the empty span after the swap, so the two are not one overlapping step.
    const end = (match.index ?? 0) + match[0].length
    found.push({
      operation: 'package.install',
      parameters: { package: replacement },
      start: end,
      end,
      valueSpans: [],
    })
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
    // "bounce the IIS service W3SVC": the words before the kind noun only describe it.
    const appositive = bracketed
      ? undefined
      : appositiveName(text.slice((match.index ?? 0) + match[0].length), Boolean(after), isObject)
    let named = /^(?:it|them|again|service)$/i.test(object)
      ? undefined
      : (bracketed ?? appositive ?? object)
    // "restart the app pool on app-win02": a name of two plain words is not read by halves;
    // the step is kept without a name, and the chat asks which service.
    const next = /^\s+([a-z][a-z-]*)\s+(?:on|across|for|at)\b/.exec(
      text.slice((match.index ?? 0) + match[0].length),
    )?.[1]
    if (
      !bracketed &&
      !appositive &&
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
  // "nginx down on web02, pls restart": the verb alone at the end of the request, on the
  // service the sentence says is in trouble.
  for (const match of each(
    String.raw`\b(restart|start|stop)(?=\s*(?:it\s+|them\s+)?(?:(?:pls|please|plz|asap|now|again|thanks|thx)\s*)*(?:[.!?]|$))`,
  )) {
    add(match, `service.${(match[1] ?? 'restart').toLowerCase()}`, { service: '' })
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
    // "bring it back up": the service just named, or the one the sentence says is in trouble.
    const pronoun = /^(?:it|them)$/i.test(match[2] ?? '')
    if (!pronoun && !isObject(match[2])) continue
    const up = /^(?:up|online)$/i.test(match[4] ?? '')
    add(match, up ? 'service.start' : 'service.stop', { service: pronoun ? '' : (match[2] ?? '') })
  }
  for (const match of each(
    String.raw`\bcheck\s+(?:on\s+)?(?:the\s+)?(?:(?:service|daemon)\s+${OBJECT}|${OBJECT}\s+(?:service|daemon))\b`,
  )) {
    const name = match[1] ?? match[2]
    if (!isObject(name)) continue
    add(match, 'service.status', { service: name })
    listed(match, 'service.status', 'service', false)
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
    if (/^(?:service|daemon)$/i.test(match[2] ?? '')) {
      add(match, 'service.stop', { service: match[1] })
      listed(match, 'service.stop', 'service', false)
    } else {
      add(match, 'process.stop', { process: match[1] })
      listed(match, 'process.stop', 'process', false)
    }
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
    String.raw`\b(?:disk\s+(?:space|usage|capacity|free)|free\s+(?:disk\s+)?space|free\s+disk|df|how\s+full\s+(?:is|are)|how\s+(?:big|large)\s+(?:is|are)(?=\s+(?:[A-Za-z]:\\|\/))|out\s+of\s+(?:disk|space)|disks?\s+(?:is\s+|are\s+)?full|drives?\s+(?:is\s+|are\s+)?(?:full|filling\s+up|space|usage)|how\s+much\s+(?:free\s+)?(?:disk\s+)?(?:space|room)|(?:space|room)\s+(?:is\s+)?(?:left|free|remaining|available)|storage\s+(?:left|usage|space)|disks?|storage|space\s+(?:check|usage)|(?:check|show|get|report)\s+(?:the\s+)?(?:free\s+)?space|space\s+(?:on|in|under|for|of|at)(?=\s+(?:[A-Za-z]:|\/))|(?:check|look\s+at|scan)\s+[^.?!]{1,60}?\s+for\s+(?:free\s+)?(?:disk\s+)?(?:space|room))\b`,
  )) {
    add(match, 'disk.usage', {})
  }
  for (const match of each(
    String.raw`\buptime\b|\bhow\s+long\s+(?:has|have)\s+[^?.!]{1,40}?\s+been\s+(?:up|running|online)\b|\blast\s+(?:re)?boot(?:ed)?(?:\s+time)?\b|\bwhen\s+(?:did|was|were)\s+[^?.!]{1,40}?\s+(?:last\s+)?(?:(?:re)?boot(?:ed)?|restart(?:ed)?)\b|\bhow\s+long\s+(?:since|ago)\s+[^?.!]{1,40}?\s+(?:last\s+)?(?:(?:re)?boot(?:ed)?|restart(?:ed)?|(?:came|come)\s+(?:back\s+)?up)\b|\b(?:has|have|did)\s+[^?.!]{1,40}?\s+(?:re)?boot(?:ed)?\s+(?:recently|lately|today|overnight|last\s+night|since)\b`,
  )) {
    add(match, 'system.uptime', {})
  }
  for (const match of each(String.raw`\breboot\b`)) add(match, 'system.reboot', {})

  // --- logs
  for (const match of each(
    String.raw`\b(?:errors?\s+(?:logs?|in\s+the\s+logs?)|event\s+logs?|errors|erroring|throwing\s+errors|(?:complain(?:ing|ed|s)?|moaning|whining|grumbling)\s+about|(?:been|got|was|were)\s+logged(?!\s+(?:in|out|into)\b)|journal|syslog|(?:check|show|pull|grab|review|read|tail|see|look\s+at|go\s+through)\s+(?:me\s+)?(?:the\s+)?(?:recent\s+|latest\s+|system\s+)?(?:[A-Za-z0-9][A-Za-z0-9@._-]*\s+)?logs?|(?:hours?|days?|week|minutes?)\s+of\s+(?:the\s+)?(?:[A-Za-z0-9][A-Za-z0-9@._-]*\s+)?(?:logs?|errors)|what(?:'s|\s+has|\s+have)?\s+(?:been\s+)?(?:going\s+wrong|gone\s+wrong|went\s+wrong|broke(?:n)?|failing|failed)(?=[^.?!]{0,60}\b(?:last|past)\s+(?:\d+\s+)?(?:hours?|days?|week|minutes?|night)\b))\b`,
  )) {
    add(match, 'logs.errors', {})
  }

  findNetworkChecks(text, add)

  return finish(text, found, machines)
}
