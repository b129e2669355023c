import { findListed } from './request-lists.ts'
import type { MachineNames } from './request-operations.ts'
import type { PhrasingFinder } from './request-phrasings.ts'
import { FILLER, isProcessName, KEYWORD_AFTER, KEYWORD_BEFORE, OBJECT } from './request-words.ts'

/**
 * The status questions of the operation finder: "is nginx running", "status of sshd", "check
 * whether the process w3wp is running", "verify X is up", "make sure X is started", "is web02
 * alive", "any java running", "process check: postgres". A name the reader knows as a process
 * (or said with "process") is a process check, anything else a service status. Called by
 * findOperations (request-operations.ts) with its collector.
 * @module
 */

/** What "is X ...?" can ask about a service or process. */
const STATES =
  'running|up|active|alive|started|stopped|down|inactive|healthy|ok|okay|happy|responding|listening|enabled|disabled|dead|working|going|there|present|around|hanging\\s+around|spinning|eating|hogging|using|pegging|chewing|burning'

/** Words after "check" that are not a service: other catalog objects, the fleet itself. */
const BARE_CHECK_NOT =
  /^(?:disks?|space|storage|uptime|logs?|journal|errors?|events?|connectivity|ports?|dns|memory|ram|cpu|load|status|state|health|processes|versions?|everything|things|servers?|machines?|box(?:es)?|hosts?|nodes?|fleet)$/i

/** Words of resource use, which process.check reports and service.status does not. */
const RESOURCE_WORDS = /\b(?:memory|cpu|ram|hog(?:s|ging)?|leak(?:s|ing|y)?)\b/i

export function findStatusChecks(finder: PhrasingFinder, machines: MachineNames): void {
  const { add, each, isObject } = finder
  findListedStatusChecks(finder, machines)
  // "check memory hog: is clamd running": a question about resource use is about the process
  // (process.check reports CPU and memory; a service status does not).
  const resources = RESOURCE_WORDS.test(finder.text)
  const status = (match: RegExpMatchArray, before?: string, object?: string, after?: string) => {
    const named = object && /^(?:it|them)$/i.test(object) ? '' : object
    if (named === undefined || (named !== '' && !isObject(named))) return
    const keyword = `${before ?? ''} ${after ?? ''}`.toLowerCase()
    if (
      /\bproc/.test(keyword) ||
      (!keyword.includes('service') && (isProcessName(named) || (resources && named !== '')))
    )
      add(match, 'process.check', { process: named })
    else {
      add(match, 'service.status', { service: named })
      // "check the status of nginx and php-fpm": a status per name.
      if (named !== '')
        findListed({ ...finder, machines }, match, {
          operation: 'service.status',
          key: 'service',
          commas: false,
        })
    }
  }
  for (const match of each(
    String.raw`\b(?:is|are)\s+(?:the\s+)?${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}\s+(?:(?:still|actually|currently)\s+)?(?:${STATES})\b`,
  )) {
    status(match, match[1], match[2], match[3])
  }
  // "check nginx status on web01", "get the sshd service state"
  for (const match of each(
    String.raw`\b(?:check|show|get|verify|confirm|see|what's|what\s+is|report)\s+(?:me\s+)?(?:the\s+)?${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}\s+(?:status|state|health)\b`,
  )) {
    status(match, match[1], match[2], match[3])
  }
  // "check ntp on every host": a bare name checked on targets is a status question.
  for (const match of each(
    String.raw`\b(?:check|verify|confirm|inspect)\s+(?:on\s+)?(?:the\s+)?${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}\s+(?=(?:on|across|for|over)\s)`,
  )) {
    const name = match[2] ?? ''
    if (BARE_CHECK_NOT.test(name) || machines.targetAt?.(match.indices?.[2]?.[0] ?? -1)) continue
    status(match, match[1], name, match[3])
  }
  for (const match of each(
    String.raw`\b(?:status|state)\s+(?:check\s+)?(?:of|for|on)\s+(?:the\s+)?${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}`,
  )) {
    status(match, match[1], match[2], match[3])
  }
  for (const match of each(
    String.raw`\b(?:check\s+)?(?:if|whether|that)\s+(?:the\s+)?${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}\s+is\s+(?:(?:still|actually|currently)\s+)?(?:${STATES}|not\s+running)\b`,
  )) {
    status(match, match[1], match[2], match[3])
  }
  // "verify nginx is running on the web servers", "confirm postgresql is up"
  for (const match of each(
    String.raw`\b(?:verify|confirm|check|see|double-check)\s+(?:the\s+)?${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}\s+(?:is|are)\s+(?:(?:still|actually|currently)\s+)?(?:${STATES}|not\s+running)\b`,
  )) {
    status(match, match[1], match[2], match[3])
  }
  // "make sure nginx is started on web04": the service is started (or stopped) there.
  for (const match of each(
    String.raw`\b(?:ensure|make\s+sure|see\s+(?:to\s+it\s+)?that)\s+(?:the\s+)?${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}\s+(?:is|gets|are|stays)\s+(started|running|up|stopped|down|not\s+running|restarted)\b`,
  )) {
    if (!isObject(match[2])) continue
    const state = (match[4] ?? '').toLowerCase()
    const operation =
      state === 'restarted'
        ? 'service.restart'
        : /^(?:started|running|up)$/.test(state)
          ? 'service.start'
          : 'service.stop'
    add(match, operation, { service: match[2] })
  }
  // "check whether LT-0424 is online": a machine's own state is its uptime.
  for (const match of each(
    String.raw`\b(?:if|whether)\s+${OBJECT}\s+is\s+(?:still\s+)?(?:up|alive|online|responding|reachable|back(?:\s+up)?)\b`,
  )) {
    if (match[1] && machines.isMachine(match[1])) add(match, 'system.uptime', {})
  }
  // "is web02 alive?": a machine's own state is its uptime.
  for (const match of each(
    // "is mon01 reachable from web01 on port 9100" asks the network, not the machine's state.
    String.raw`\b(?:is|are)\s+${OBJECT}\s+(?:still\s+)?(?:up|alive|online|responding|reachable(?!\s+from\b)|back(?:\s+up)?)\b`,
  )) {
    if (match[1] && machines.isMachine(match[1])) add(match, 'system.uptime', {})
  }
  for (const match of each(
    String.raw`\bcheck\s+(?:that\s+)?(it|they)(?:\s+(?:is|are)|['\u2019](?:s|re))\s+running\b`,
  )) {
    status(match, undefined, match[1], undefined)
  }
  for (const match of each(
    String.raw`\b(?:check|show|get|verify|confirm)\s+(?:on\s+)?(it|its|their)\s+(?:status|state)\b`,
  )) {
    status(match, undefined, 'it', undefined)
  }
  for (const match of each(
    String.raw`\b(?:(?:is|are)\s+there\s+(?:(?:a|an|any)\s+)?|(there(?:'s|\s+is|\s+are))\s+(?:a|an|any)\s+|any\s+)${FILLER}${OBJECT}\s+(?:process(?:es)?|procs?)\b`,
  )) {
    // "there's a runaway java proc on dp03, kill it": told as the trouble before the fix,
    // not a check of its own.
    const told =
      match[1] !== undefined &&
      /\b(?:kill|stop|terminate|end)\s+(?:it|them|that|those|em)\b/i.test(
        finder.text.slice((match.index ?? 0) + match[0].length),
      )
    if (isObject(match[2]) && !told) add(match, 'process.check', { process: match[2] })
  }
  // "how many java processes on dp03": the process checked (the check lists them).
  for (const match of each(
    String.raw`\bhow\s+many\s+${OBJECT}\s+(?:processes|procs|instances|workers)\b`,
  )) {
    if (isObject(match[1])) add(match, 'process.check', { process: match[1] })
  }
  // "anything called node running on web03?", "a process named gradle": a process by its name.
  for (const match of each(
    String.raw`\b(?:anything|something|any\s+process(?:es)?|a\s+process|processes)\s+(?:called|named)\s+${OBJECT}`,
  )) {
    if (isObject(match[1])) add(match, 'process.check', { process: match[1] })
  }
  // "does redis-server run on dp02?": the plain verb asks the same as "is it running".
  for (const match of each(
    String.raw`\b(?:does|do)\s+(?:the\s+)?${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}\s+(?:still\s+)?run\b`,
  )) {
    status(match, match[1], match[2], match[3])
  }
  // "W32Time running on dc01 y/n": a name at the start of a question, its state after it.
  if (/\?|\by\/n\b|\byes\s+or\s+no\b/i.test(finder.text))
    for (const match of each(
      String.raw`(?:^|[:;,.?!]\s*)(?:the\s+)?${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}\s+(?:still\s+)?(?:running|up|alive)\s+(?=(?:on|across|anywhere|everywhere)\b)`,
    )) {
      if (machines.isMachine(match[2] ?? '')) continue
      status(match, match[1], match[2], match[3])
    }
  // "any java running on dp02?": a bare name asked about is its status (a process by its name).
  for (const match of each(
    String.raw`\bany\s+${FILLER}${OBJECT}\s+(?:still\s+)?(?:running|alive|left|hanging\s+around|going)\b`,
  )) {
    status(match, undefined, match[1], undefined)
  }
  // "process check: postgres", "service status for nginx": the noun before the verb.
  for (const match of each(
    String.raw`\b(process|proc|service|daemon)\s+(?:check|status|state)\s*(?:for|on|of|:)?\s+(?:the\s+)?${OBJECT}`,
  )) {
    if (!isObject(match[2])) continue
    if (/^proc/i.test(match[1] ?? '')) add(match, 'process.check', { process: match[2] })
    else add(match, 'service.status', { service: match[2] })
  }
}

/** A name in a list of status questions (OBJECT without its capture group). */
const NAME = '[A-Za-z0-9](?:[A-Za-z0-9@._+:~-]*[A-Za-z0-9+])?'

/** Two or more names: "nginx and php-fpm", "nginx, php-fpm and memcached". */
const NAME_LIST = String.raw`(?<list>${NAME}(?:\s*,\s*(?:the\s+)?${NAME})*\s*,?\s+(?:and|&)\s+(?:the\s+)?${NAME})`

/**
 * Status questions about several names at once: "are nginx and php-fpm running", "check whether
 * sshd and cron are up", "check nginx, php-fpm and memcached on web02". Each name is its own
 * check (one status per service), with its own span so the finish pass keeps them all. A list
 * with a machine in it ("is web01 and web02 up") is left to the machine-state readings.
 */
function findListedStatusChecks(finder: PhrasingFinder, machines: MachineNames): void {
  const patterns = [
    String.raw`\b(?:is|are|if|whether|that)\s+(?:the\s+)?${NAME_LIST}(?:\s+(?:services?|daemons?))?\s+(?:(?:is|are)\s+)?(?:(?:still|actually|currently|both|all)\s+)?(?:${STATES})\b`,
    String.raw`\b(?:check|verify|confirm|inspect)\s+(?:on\s+)?(?:the\s+)?${NAME_LIST}(?:\s+(?:services?|daemons?))?\s+(?=(?:on|across|for|over)\s)`,
  ]
  const resources = RESOURCE_WORDS.test(finder.text)
  for (const pattern of patterns) {
    for (const match of finder.each(pattern)) {
      const list = match.groups?.list ?? ''
      const listStart = (match.index ?? 0) + match[0].indexOf(list)
      const names = [
        ...list.matchAll(
          new RegExp(`(?:^|,\\s*(?:and\\s+|&\\s*)?|\\s(?:and|&)\\s+)(?:the\\s+)?(${NAME})`, 'gd'),
        ),
      ]
      const words = names.map((name) => name[1] ?? '')
      if (words.some((word) => !finder.isObject(word) || machines.isMachine(word))) continue
      names.forEach((name, index) => {
        const word = name[1] ?? ''
        const start = index === 0 ? (match.index ?? 0) : listStart + (name.indices?.[1]?.[0] ?? 0)
        const end = listStart + (name.indices?.[1]?.[1] ?? 0)
        const process = isProcessName(word) || resources
        finder.found.push({
          operation: process ? 'process.check' : 'service.status',
          parameters: process ? { process: word } : { service: word },
          start,
          end: index === names.length - 1 ? (match.index ?? 0) + match[0].length : end,
          valueSpans: [],
        })
      })
    }
  }
}
