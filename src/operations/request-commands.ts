/**
 * Commands typed as the request: technicians often write the command they would run ("systemctl
 * restart nginx on web01", "Restart-Service W3SVC on app-win01", "apt-get install -y jq on the
 * build agents", "taskkill /im excel.exe /f on WS-FIN-12", "Test-NetConnection db01 -Port 5432
 * from web02"). Each command family of the catalog's two template languages (systemd and SysV
 * services, PowerShell service, process and computer cmdlets, the package managers the catalog
 * detects, the port and name checks) is rewritten to the plain words the reader already reads
 * ("restart service nginx", "install jq"), so one rule per command family stands for every
 * object and target. Names, flags aside, pass through as typed.
 * @module
 */

/** A name as a command line gives it, quotes dropped by the rules. */
const NAME = String.raw`['"]?([A-Za-z0-9][A-Za-z0-9@._+:~-]*)['"]?`
/** A host as a command line gives it. */
const HOST = String.raw`['"]?([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)['"]?`
/** Options before or between arguments: "-y", "--now", "-Name", "/f". */
const FLAGS = String.raw`(?:(?:-{1,2}[A-Za-z][A-Za-z-]*(?:=\S+)?|/[A-Za-z]{1,2})\s+)*`
const SUDO = String.raw`(?:\bsudo\s+(?:-\S+\s+)*)?`

const SERVICE_VERBS: Readonly<Record<string, string>> = {
  restart: 'restart',
  'try-restart': 'restart',
  'reload-or-restart': 'restart',
  reload: 'restart',
  start: 'start',
  stop: 'stop',
  status: 'status',
  'is-active': 'status',
}

const PACKAGE_VERBS: Readonly<Record<string, string>> = {
  install: 'install',
  in: 'install',
  add: 'install',
  remove: 'remove',
  rm: 'remove',
  purge: 'remove',
  erase: 'remove',
  uninstall: 'remove',
  upgrade: 'update',
  update: 'update',
  up: 'update',
}

const CMDLET_VERBS: Readonly<Record<string, string>> = {
  restart: 'restart',
  start: 'start',
  stop: 'stop',
}

/** [pattern, rewrite] in order; each pattern is global and case-insensitive. */
const COMMANDS: ReadonlyArray<readonly [RegExp, (...groups: string[]) => string]> = [
  // systemctl restart nginx(.service), systemctl is-active sshd
  [
    new RegExp(
      String.raw`${SUDO}\bsystemctl\s+${FLAGS}(restart|try-restart|reload-or-restart|reload|start|stop|status|is-active)\s+${FLAGS}${NAME}`,
      'gi',
    ),
    (verb, name) => serviceWords(SERVICE_VERBS[verb.toLowerCase()] ?? verb, unitName(name)),
  ],
  // service nginx restart (SysV)
  [
    new RegExp(String.raw`${SUDO}\bservice\s+${NAME}\s+(restart|reload|start|stop|status)\b`, 'gi'),
    (name, verb) => serviceWords(SERVICE_VERBS[verb.toLowerCase()] ?? verb, name),
  ],
  // sc stop spooler, sc.exe query W3SVC, net start spooler (Windows' own service commands)
  [
    new RegExp(String.raw`\bsc(?:\.exe)?\s+(start|stop|query)\s+${NAME}`, 'gi'),
    (verb, name) => serviceWords(verb.toLowerCase() === 'query' ? 'status' : verb, name),
  ],
  [
    new RegExp(String.raw`\bnet\s+(start|stop)\s+${NAME}`, 'gi'),
    (verb, name) => serviceWords(verb, name),
  ],
  // Restart-Service -Name W3SVC -Force, Get-Service Spooler
  [
    new RegExp(String.raw`\b(Restart|Start|Stop)-Service\s+${FLAGS}${NAME}(?:\s+-Force\b)?`, 'gi'),
    (verb, name) => serviceWords(CMDLET_VERBS[verb.toLowerCase()] ?? verb, name),
  ],
  [
    new RegExp(String.raw`\bGet-Service\s+${FLAGS}${NAME}`, 'gi'),
    (name) => serviceWords('status', name),
  ],
  // Stop-Process -Name excel -Force, taskkill /im excel.exe /f, killall java
  [
    new RegExp(String.raw`\bStop-Process\s+${FLAGS}${NAME}(?:\s+-Force\b)?`, 'gi'),
    (name) => `kill process ${name}`,
  ],
  [
    new RegExp(String.raw`\btaskkill\s+${FLAGS}${NAME}(?:\s+/[A-Za-z]{1,2}\b)*`, 'gi'),
    (name) => `kill process ${name}`,
  ],
  [
    new RegExp(String.raw`${SUDO}\b(?:killall|pkill)\s+${FLAGS}${NAME}`, 'gi'),
    (name) => `kill process ${name}`,
  ],
  // Get-Process node, pgrep java, ps aux | grep java, tasklist | findstr excel
  [
    new RegExp(String.raw`\bGet-Process\s+${FLAGS}${NAME}`, 'gi'),
    (name) => `check for process ${name}`,
  ],
  [
    new RegExp(
      String.raw`\b(?:pgrep\s+${FLAGS}|ps\s+(?:-?[A-Za-z]+\s+)*\|\s*grep\s+${FLAGS}|tasklist\s*\|\s*findstr\s+${FLAGS})${NAME}`,
      'gi',
    ),
    (name) => `check for process ${name}`,
  ],
  // apt-get install -y jq, dnf -y remove telnet, winget install --id Git.Git, choco upgrade git -y
  [
    new RegExp(
      String.raw`${SUDO}\b(?:apt-get|apt|dnf|yum|zypper|winget|choco|chocolatey)\s+${FLAGS}(install|in|add|remove|rm|purge|erase|uninstall|upgrade|update|up)\s+${FLAGS}(?=['"]?[A-Za-z0-9])`,
      'gi',
    ),
    (verb) => `${PACKAGE_VERBS[verb.toLowerCase()] ?? verb} `,
  ],
  // Test-NetConnection db01 -Port 5432, nc -zv db01 5432, telnet db01 5432
  [
    new RegExp(
      String.raw`\b(?:Test-NetConnection|tnc)\s+(?:-ComputerName\s+)?${HOST}\s+-Port\s+(\d{1,5})\b`,
      'gi',
    ),
    (host, port) => `check port ${port} to ${host}`,
  ],
  [
    new RegExp(String.raw`\b(?:nc|ncat|netcat|telnet)\s+${FLAGS}${HOST}\s+(\d{1,5})\b`, 'gi'),
    (host, port) => `check port ${port} to ${host}`,
  ],
  // Resolve-DnsName ldap.corp.local
  [new RegExp(String.raw`\bResolve-DnsName\s+${FLAGS}${HOST}`, 'gi'), (host) => `resolve ${host}`],
  // journalctl -u nginx, journalctl -p err
  [
    new RegExp(
      String.raw`${SUDO}\bjournalctl\s+(?:-[A-Za-z]+\s+(?!-u\b)\S+\s+)*-u\s+${NAME}`,
      'gi',
    ),
    (name) => `show the ${unitName(name)} logs`,
  ],
  // Restart-Computer, shutdown -r now, shutdown /r /t 0
  [/\bRestart-Computer\b(?:\s+-Force\b)?/gi, () => 'reboot'],
  [/(?:\bsudo\s+)?\bshutdown\s+(?:-r|\/r)\b(?:\s+(?:now|\+\d+|\/t\s+\d+|\/f))*/gi, () => 'reboot'],
]

/** "nginx.service": the unit's name is the service's. */
function unitName(name: string): string {
  return name.replace(/\.service$/i, '')
}

function serviceWords(verb: string, name: string): string {
  return verb === 'status' ? `status of service ${name}` : `${verb} service ${name}`
}

/** The request with each command rewritten to the words the reader reads. */
export function rewriteCommands(text: string): string {
  let result = text
  for (const [pattern, rewrite] of COMMANDS)
    result = result.replace(pattern, (...args: unknown[]) => {
      const groups = args.slice(1).filter((value): value is string => typeof value === 'string')
      return rewrite(...groups)
    })
  return result
}
