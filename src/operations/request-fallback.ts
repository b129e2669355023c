import { FIRST_PERSON, onDesktopApplication, withoutWrappers } from './request-first-person.ts'
import type { Fleet, FoundTargets, RequestTargets } from './request-targets.ts'

/**
 * The reader's fall-back for fleet work it cannot fully read. A technician who names inventory
 * servers or groups, or the whole fleet ("all servers", "every linux box"), is talking about
 * machines, not about their own laptop: when no catalog operation could be read in full, the
 * request is still an operation (or an inventory question), and the chat asks what it could not
 * read ("Which service should I restart on web01?") instead of handing the technician an employee
 * runbook. Employee machines (laptops, workstations) alone trigger it only when work is asked for
 * on them in words that are not the writer's own trouble (namesWorkOn); machines named only inside
 * a share path or a domain name never do. A bare command with no machine at all ("restart nginx")
 * is asked which machines (commandWithoutTarget, whichMachines).
 * @module
 */

/** Whether the targets found name fleet machines: servers, a group or "all". */
export function namesTheFleet(found: FoundTargets, fleet: Fleet): boolean {
  const { targets } = found
  // "works everywhere else" is an employee's complaint; "all servers" names the fleet; "all
  // laptops" names employees' machines (asked for as work, see namesWorkOn).
  if (targets.all && !found.everywhereOnly)
    return found.allClass !== 'laptop' && found.allClass !== 'workstation'
  const classes = new Map(fleet.machines.map((machine) => [machine.name, machine.class]))
  const server = (name: string) => !/^(?:laptop|workstation)$/.test(classes.get(name) ?? '')
  // A group of employees' laptops ("the finance share") is a department, not fleet work.
  return (
    targets.machines.some(server) ||
    targets.groups.some((group) => (fleet.groups[group] ?? []).some(server))
  )
}

/**
 * "restart outlook on WS-FIN-12", "clear the outlook cache on LT-0423 and LT-0424", "reboot all
 * laptops": work asked for on machines the inventory names, whatever their class, in words that
 * are not the writer's own trouble (no "I", "my", "we", "our"). An employee's problem word in
 * the request (outlook, printing, vpn) does not make it theirs: the target named and the work
 * verb make it an operation, and what the catalog cannot express is asked back.
 */
export function namesWorkOn(text: string, found: FoundTargets): boolean {
  const { targets } = found
  const named = targets.machines.length > 0 || targets.groups.length > 0 || targets.all
  if (!named || (targets.all && found.everywhereOnly)) return false
  if (/\b(?:I|I'm|I've|I'd|I'll|my|me|mine|myself|we|we're|we've|our|us)\b/i.test(text))
    return false
  return WORK_AT_START.test(text)
}

/** A work verb opening a clause: "restart ...", "pls clear ...", "users can't print, restart ...". */
const WORK_AT_START =
  /(?:^|[.,;:!?-]\s*|\b(?:please|pls|plz|kindly|can\s+(?:you|someone)|could\s+(?:you|someone)|go\s+ahead\s+and|then|and)\s+)(?:restart|start|stop|reboot|kill|install|uninstall|remove|update|upgrade|patch|copy|deploy|push|check|verify|clear|clean|flush|reset|reload|enable|disable|delete|purge|rebuild|repair|reinstall|run)\b/i

/** A question or a request to show something, with no work verb: answered from the inventory. */
const ASKS =
  /^\s*(?:(?:hey|so|ok|okay|quick\s+(?:one|question)|btw|also)[,:]?\s+)?(?:what|which|who|how\s+many|list|show|give\s+me|tell\s+me|any\b|do\s+we|are\s+there|is\s+there|where|enumerate|name)\b/i

const WORK =
  /\b(?:restart|start|stop|reboot|kill|install|uninstall|remove|update|upgrade|patch|copy|deploy|push|check|verify|run|fix|clear|clean|free|flush|reload|enable|disable|delete)\b/i

/** "is print01 linux or windows?", "is mon01 a server": a question about what a machine is. */
const IS_WHAT =
  /^\s*(?:is|are)\s+(?!(?:the|a|an|this|that)\b)\S+\s+(?:a\s+|an\s+)?(?:linux|windows|mac|macos|server|laptop|workstation|in\s+(?:the\s+)?\S+\s+group)\b/i

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
  // "cant get the vpn to connect": the writer's own trouble, the "I" left out.
  const implicit =
    /^\s*(?:cant|can'?t|cannot|unable\s+to|couldn'?t|still\s+can'?t)\s+(?!you\b|we\b|someone\b)/i
  return (
    (/\b(?:I|I'm|I've|I'd|my|me|mine)\b/i.test(told) || implicit.test(told)) && !WORK.test(told)
  )
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

/** Whether the text asks for any work the catalog has a verb for ("restart", "check", "kill"...). */
export function namesAnAction(text: string): boolean {
  return VERBS.some(([pattern]) => pattern.test(text))
}

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

/** The words a bare command may hold besides its values: verbs, the nouns of the catalog, politeness. */
const COMMAND_WORDS = new Set(
  `restart restarts restarted start started stop stopped kill terminate end reboot check status
  state install installed uninstall remove update upgrade patch shut down up is are it its it's
  running run runs whether if of on in at for with from via to the a an any there service services
  svc daemon process processes package packages app please pls plz can could would will you u
  someone somebody anyone kindly go ahead and also then now asap again right away quickly
  gracefully thanks thank ty latest version newest uptime disk space room free left how much usage
  logs log journal errors error recent last hours hour days day week minutes hey hi quick bounce
  kick cycle recycle halt nuke zap fire spin turn off get rid purge rip out take copy push deploy
  distribute file dns resolution resolve nslookup port open reachable reach test alive enabled
  does do see find show what what's whats been complaining about pids pid cpu memory stuck hung
  hanging around make sure confirm verify look after before patching maintenance tonight today
  tomorrow later first`.split(/\s+/),
)

/** Words that tell of trouble rather than ask for work: the message is an employee's problem. */
const TROUBLE =
  /\b(?:can'?t|cannot|won'?t|doesn'?t|isn'?t|aren'?t|didn'?t|not|no|never|crash\w*|freez\w*|froze|frozen|died|dead|slow\w*|lag\w*|hot|broken|keeps?|since|yesterday|happened|twice|help|sync\w*|says|saying|shows)\b/i

/** "then it reboots", "which crashes": what a machine does, told, not work asked for. */
const TOLD = /\b(?:it|this|that|which|then)\s+(?!is\b|was\b|has\b|does\b|runs\b)[a-z]+s\b/i

/**
 * "restart nginx", "stop the dataprocessor service", "can you kill java please", "how much disk is
 * left": an operation read in full, with no machine named, in a message that is nothing but the
 * command: its verb, the values read, technical tokens (paths, hosts, ports) and the catalog's
 * and politeness's words, with at most one other word. Such a message is a technician's command,
 * not an employee's problem: the chat asks which machines. Trouble told in it ("stop code 0x7E,
 * then it reboots", "please install 7-zip, can't open the archives") makes it an employee's
 * problem for the runbooks; so does the first person ("restart my laptop", "for me").
 */
export function commandWithoutTarget(
  text: string,
  operations: ReadonlyArray<{ operation: string; parameters: Record<string, string | number> }>,
  unread: readonly string[],
): boolean {
  if (unread.length > 0 || operations.length === 0) return false
  // "I need to restart nginx", "check disk space for me": the wrappers claim no machine; what
  // stays the writer's own ("my laptop"), or a desktop application, is an employee's request.
  const { rest: asked, wrapped } = withoutWrappers(text)
  if (FIRST_PERSON.test(asked)) return false
  if (wrapped && onDesktopApplication(operations)) return false
  if (TROUBLE.test(text) || TOLD.test(text)) return false
  const values = new Set(
    operations.flatMap((operation) =>
      Object.values(operation.parameters).flatMap((value) =>
        String(value).toLowerCase().split(/\s+/),
      ),
    ),
  )
  const words = asked
    .toLowerCase()
    .replace(/[()[\]"]/g, ' ')
    .replace(/[?!.,;:]+(?=\s|$)/g, ' ')
    .split(/\s+/)
    .filter((word) => word.length > 0)
  const other = words.filter(
    (word) =>
      !COMMAND_WORDS.has(word) &&
      !values.has(word) &&
      !values.has(word.replace(/\.service$/, '')) &&
      // Paths, hosts, ports, versions: technical tokens, never told trouble.
      !/[0-9/\\._:-]/.test(word),
  )
  // One word besides, unless it is package work ("add kwong to jira-fin-users" reads as an
  // install by the lexicon's "add X to"): that must be said in the catalog's words only.
  return other.length <= (employeeShaped(operations) ? 0 : 1)
}

/** Package work with no machine ("install 7-zip") is as often an employee's software request. */
export function employeeShaped(operations: ReadonlyArray<{ operation: string }>): boolean {
  return operations.every((operation) => operation.operation.startsWith('package.'))
}

/**
 * The question for an operation with no machine: the groups whose names share a word with the
 * service, process or package (dataprocessor -> data-processing), else every group with servers.
 */
export function whichMachines(
  operations: ReadonlyArray<{ operation: string; parameters: Record<string, string | number> }>,
  fleet: Fleet,
): string {
  const [first] = operations
  const name = String(
    first?.parameters.service ?? first?.parameters.process ?? first?.parameters.package ?? '',
  ).toLowerCase()
  const classes = new Map(fleet.machines.map((machine) => [machine.name, machine.class]))
  const withServers = Object.entries(fleet.groups)
    .filter(([, members]) =>
      members.some((member) => !/^(?:laptop|workstation)$/.test(classes.get(member) ?? '')),
    )
    .map(([group]) => group)
  const related = withServers.filter((group) =>
    group
      .toLowerCase()
      .split(/[-_\s]+/)
      .some(
        (word) =>
          word.replace(/(?:ing|s)$/, '').length >= 4 &&
          name.includes(word.replace(/(?:ing|s)$/, '')),
      ),
  )
  const what = describeOperation(first)
  const groups = related.length > 0 ? related : withServers
  const listed = groups.length > 0 ? ` The groups: ${groups.join(', ')}.` : ''
  const example = groups[0] ? `the ${groups[0]} group` : 'web01'
  // "Which machines should I reboot?" but "... restart nginx on?".
  const reboot = first?.operation === 'system.reboot'
  return `Which machines should I ${what}${reboot ? '' : ' on'}? Name machines or a group, or say "all servers".${listed} For example: "${what} ${reboot ? '' : 'on '}${example}".`
}

/** "restart nginx", "install htop", "reboot": the operation in the words of the question. */
function describeOperation(
  operation: { operation: string; parameters: Record<string, string | number> } | undefined,
): string {
  if (!operation) return 'run that'
  const [family = '', action = ''] = operation.operation.split('.')
  const name =
    operation.parameters.service ?? operation.parameters.process ?? operation.parameters.package
  const verbs: Record<string, string> = {
    'service.status': 'check',
    'process.check': 'check',
    'process.stop': 'stop',
    'system.reboot': 'reboot',
    'system.uptime': 'check the uptime',
    'disk.usage': 'check disk usage',
    'logs.errors': 'read the recent errors',
  }
  const verb = verbs[operation.operation] ?? action
  if (name !== undefined) return `${verb} ${name}`
  return family === 'file' ? 'copy the file' : verb
}
