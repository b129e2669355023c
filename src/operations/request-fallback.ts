import type { Fleet, FoundTargets, RequestTargets } from './request-targets.ts'

/**
 * The reader's fall-back for fleet work it cannot fully read. A technician who names inventory
 * servers or groups, or the whole fleet ("all servers", "every linux box"), is talking about
 * machines, not about their own laptop: when no catalog operation could be read in full, the
 * request is still an operation (or an inventory question), and the chat asks what it could not
 * read ("Which service should I restart on web01?") instead of handing the technician an employee
 * runbook. Employee machines (laptops, workstations) alone never trigger it, nor do machines named
 * only inside a share path or a domain name.
 * @module
 */

/** Whether the targets found name fleet machines: servers, a group or "all". */
export function namesTheFleet(found: FoundTargets, fleet: Fleet): boolean {
  const { targets } = found
  // "works everywhere else" is an employee's complaint; "all servers" names the fleet.
  if (targets.all && !found.everywhereOnly) return true
  const classes = new Map(fleet.machines.map((machine) => [machine.name, machine.class]))
  const server = (name: string) => !/^(?:laptop|workstation)$/.test(classes.get(name) ?? '')
  // A group of employees' laptops ("the finance share") is a department, not fleet work.
  return (
    targets.machines.some(server) ||
    targets.groups.some((group) => (fleet.groups[group] ?? []).some(server))
  )
}

/** A question or a request to show something, with no work verb: answered from the inventory. */
const ASKS =
  /^\s*(?:(?:hey|so|ok|okay|quick\s+(?:one|question)|btw|also)[,:]?\s+)?(?:what|which|who|how\s+many|list|show|give\s+me|tell\s+me|any\b|do\s+we|are\s+there|is\s+there|where|enumerate|name)\b/i

const WORK =
  /\b(?:restart|start|stop|reboot|kill|install|uninstall|remove|update|upgrade|patch|copy|deploy|push|check|verify|run|fix|clear|clean|free|flush|reload|enable|disable|delete)\b/i

/** "is print01 linux or windows?", "is mon01 a server": a question about what a machine is. */
const IS_WHAT =
  /^\s*(?:is|are)\s+\S+\s+(?:a\s+|an\s+)?(?:linux|windows|mac|macos|server|laptop|workstation|in\s+(?:the\s+)?\S+\s+group)\b/i

/**
 * "I can't log into the app server", "the intranet on web02 is down for me": someone telling of
 * their own trouble, asking for no work on the machine, is an employee's request.
 */
export function ownTrouble(text: string): boolean {
  // "show me", "give me", "let me know" ask for an answer; they tell of no trouble.
  const told = text.replace(
    /\b(?:show|give|tell|get|send|find|list)\s+me\b|\blet\s+me\s+know\b/gi,
    '',
  )
  return /\b(?:I|I'm|I've|I'd|my|me|mine)\b/i.test(told) && !WORK.test(told)
}

export function asksTheInventory(text: string): boolean {
  const question = text.replace(
    /^\s*(?:(?:hi|hey|hello|yo|so|ok|okay|btw|also|team|all|folks|quick\s+(?:q|question|one)|question)\b[\s,:;!.-]*)+/i,
    '',
  )
  return (ASKS.test(question) || IS_WHAT.test(question)) && !WORK.test(question)
}

/** The catalog verbs a clarifying question can name, most specific first. */
const VERBS: ReadonlyArray<[RegExp, string]> = [
  [/\brestart|\bbounce|\brecycle|\bcycle|\bkick\b/i, 'restart'],
  [/\bstop\b|\bshut\s+down\b/i, 'stop'],
  [/\bstart\b/i, 'start'],
  [/\bkill\b|\bterminate\b/i, 'kill'],
  [/\b(?:un)?install\b/i, 'install'],
  [/\bremove\b/i, 'remove'],
  [/\b(?:update|upgrade|patch)\b/i, 'update'],
  [/\bcopy\b|\bpush\b|\bdeploy\b/i, 'copy'],
  [/\bcheck\b|\bverify\b|\blook\b/i, 'check'],
]

const NOUN_BY_OPERATION: Record<string, string> = {
  service: 'service',
  process: 'process',
  package: 'package',
}

/** "web01 and web02", "the web-servers group", "every machine". */
export function describeTargets(targets: RequestTargets): string {
  if (targets.all)
    return targets.os
      ? `every ${targets.os === 'linux' ? 'Linux' : 'Windows'} machine`
      : 'every machine'
  const parts = [...targets.machines, ...targets.groups.map((group) => `the ${group} group`)]
  if (parts.length <= 1) return parts[0] ?? 'those machines'
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`
}

/**
 * The question the chat asks back: which name is missing for an operation it read without one,
 * or what to do at all on the targets named.
 */
export function clarifyingQuestion(
  text: string,
  targets: RequestTargets,
  unread: readonly string[],
): string {
  const where = describeTargets(targets)
  const [first] = unread
  if (first) {
    const [family = '', action = ''] = first.split('.')
    const noun = NOUN_BY_OPERATION[family] ?? family
    const verb = action === 'stop' && family === 'process' ? 'stop' : action
    return `Which ${noun} should I ${verb} on ${where}?`
  }
  const verb = VERBS.find(([pattern]) => pattern.test(text))?.[1]
  if (verb)
    return `What should I ${verb} on ${where}? Name the service, process, package or file, as in "${verb === 'copy' ? 'copy /path/file to /path/file' : `${verb} nginx`} on ${where}".`
  return `What should I do on ${where}? I can check, start, stop or restart a service, check or stop a process, install, update or remove a package, copy a file, show disk usage, uptime or recent errors, check a port or a name, or reboot.`
}
