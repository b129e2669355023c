import {
  FILLER,
  type Found,
  KEYWORD_AFTER,
  KEYWORD_BEFORE,
  OBJECT,
  trimPath,
  VERBS,
} from './request-words.ts'

/**
 * The roundabout ways technicians ask for a service or package step: passives ("web01 needs
 * nginx restarted", "the service needs to be stopped"), "take X down", "make sure X is
 * installed", the noun before the verb ("nginx restart"), two verbs on one name ("stop and then
 * start X"). Called by findOperations (request-operations.ts) with its collector.
 * @module
 */

export interface PhrasingFinder {
  /** The sentence being read. */
  text: string
  found: Found[]
  add(match: RegExpMatchArray, operation: string, parameters: Record<string, string | number>): void
  each(pattern: string): IterableIterator<RegExpMatchArray>
  isObject(word: string | undefined): word is string
}

export function findPhrasings(finder: PhrasingFinder): void {
  const { found, add, each, isObject } = finder
  for (const match of each(
    String.raw`\bget\s+${OBJECT}(?:\s+(?:version\s+)?v?(\d[A-Za-z0-9.+~_:-]*))?\s+installed\b`,
  )) {
    if (!isObject(match[1])) continue
    add(match, 'package.install', {
      package: match[1],
      ...(match[2] ? { version: trimPath(match[2]) } : {}),
    })
  }
  // "the dataprocessor service needs to be stopped"
  for (const match of each(
    String.raw`\b(?:the\s+)?${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}\s+(?:needs|has|have|must|should)\s+(?:to\s+)?be\s+(restarted|started|stopped|killed|updated|upgraded|patched|installed|removed|uninstalled)\b`,
  )) {
    const [, before, name, after, state = ''] = match
    if (!isObject(name)) continue
    const process = `${before ?? ''} ${after ?? ''}`.toLowerCase().includes('process')
    const lowered = state.toLowerCase()
    const operation =
      lowered === 'killed' || (process && lowered === 'stopped')
        ? 'process.stop'
        : /^(?:restarted|started|stopped)$/.test(lowered)
          ? `service.${lowered === 'restarted' ? 'restart' : lowered === 'started' ? 'start' : 'stop'}`
          : lowered === 'installed'
            ? 'package.install'
            : /removed|uninstalled/.test(lowered)
              ? 'package.remove'
              : 'package.update'
    const key = operation.split('.')[0] ?? 'service'
    add(match, operation, { [key]: name })
  }
  // "take nginx down on web04"
  for (const match of each(
    String.raw`\btake\s+(?:the\s+)?${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}\s+(?:down|offline)\b`,
  )) {
    if (isObject(match[2])) add(match, 'service.stop', { service: match[2] })
  }
  // "web01 needs nginx restarted", "I want telnet removed from the databases".
  for (const match of each(
    String.raw`\b(?:needs?|needed|wants?|wanted|like|get|have|having)\s+(?:the\s+)?${KEYWORD_BEFORE}${OBJECT}((?:(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)(?:the\s+)?[A-Za-z0-9][A-Za-z0-9@._+-]*)*)${KEYWORD_AFTER}\s+(restarted|started|stopped|killed|updated|upgraded|patched|installed|removed|uninstalled)\b`,
  )) {
    const [, before, name, more = '', after, state = ''] = match
    if (!isObject(name)) continue
    const lowered = state.toLowerCase()
    const process = `${before ?? ''} ${after ?? ''}`.toLowerCase().includes('process')
    const operation =
      lowered === 'killed' || (process && lowered === 'stopped')
        ? 'process.stop'
        : lowered === 'restarted'
          ? 'service.restart'
          : lowered === 'started'
            ? 'service.start'
            : lowered === 'stopped'
              ? 'service.stop'
              : lowered === 'installed'
                ? 'package.install'
                : /removed|uninstalled/.test(lowered)
                  ? 'package.remove'
                  : 'package.update'
    const key = operation.startsWith('package')
      ? 'package'
      : operation.startsWith('process')
        ? 'process'
        : 'service'
    add(match, operation, { [key]: name })
    // "I need nginx and php-fpm restarted": a step per name, after the first one's span.
    const end = (match.index ?? 0) + match[0].length
    for (const other of more.split(/\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*/)) {
      const listed = other.replace(/^the\s+/i, '')
      if (isObject(listed))
        found.push({ operation, parameters: { [key]: listed }, start: end, end, valueSpans: [] })
    }
  }
  for (const match of each(
    String.raw`\b(?:ensure|make\s+sure|see\s+that)\s+(?:the\s+)?(?:package\s+)?${OBJECT}(?:\s+package)?\s+(?:is|gets|get|are)\s+(installed|removed|uninstalled|updated|upgraded|up\s+to\s+date|(?:at|on)\s+(?:the\s+)?latest)\b`,
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

  // "nginx restart on web02", at the start of a sentence or clause.
  for (const match of each(
    String.raw`(?:^|[:;,.]\s*|\bthen\s+)(?:the\s+)?${OBJECT}(?:\s+service)?\s+(restart|stop|start|status)\b`,
  )) {
    const [, name, verb = ''] = match
    if (!isObject(name) || VERBS.test(name)) continue
    const operation = `service.${verb.toLowerCase()}`
    add(match, operation, { service: name })
  }
  // "stop and then start the dataprocessor service": two steps, one name.
  for (const match of each(
    String.raw`\b(stop|start|restart)\s+(?:and\s+)?(?:then\s+)?(stop|start|restart)\s+${FILLER}${KEYWORD_BEFORE}${OBJECT}${KEYWORD_AFTER}`,
  )) {
    const [, first = '', second = '', , name] = match
    if (!isObject(name)) continue
    const start = match.index ?? 0
    const middle = start + match[0].toLowerCase().indexOf(second.toLowerCase(), first.length)
    found.push(
      {
        operation: `service.${first.toLowerCase()}`,
        parameters: { service: name },
        start,
        end: middle,
        valueSpans: [],
      },
      {
        operation: `service.${second.toLowerCase()}`,
        parameters: { service: name },
        start: middle,
        end: start + match[0].length,
        valueSpans: [],
      },
    )
  }
}
