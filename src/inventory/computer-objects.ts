import type { ActiveDirectoryInventoryConfig } from './active-directory-inventory-config.ts'
import type { MachineClass, Target } from './inventory-schema.ts'

/**
 * Turns an Active Directory computer object into an inventory target: pure, no LDAP here. What AD
 * does not hold (how to reach a machine) comes from the settings; a computer that cannot be
 * described in full is refused with the reason, never guessed.
 * @module
 */

/** The attributes read from each computer object. */
export interface ComputerObject {
  distinguishedName: string
  /** `name` (the cn): WEB01 */
  name: string
  dnsHostName?: string
  operatingSystem?: string
  description?: string
  /** DN of the user or group that manages the machine. */
  managedBy?: string
}

/** A referenced object (a group of memberOf, the managedBy user or group) as read back from AD. */
export interface DirectoryReference {
  accountName: string
  kind: 'user' | 'group' | 'other'
  /** The groups a group is a direct member of (nested groups); empty for users and others. */
  memberOf: string[]
}

const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/
const HOST = /^[A-Za-z0-9.:-]{1,253}$/
const ASSIGNEE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export type ComputerResult = { ok: true; target: Target } | { ok: false; reason: string }

export function targetFromComputer(
  computer: ComputerObject,
  config: Pick<
    ActiveDirectoryInventoryConfig,
    'windows' | 'linux' | 'knownHosts' | 'winrmPort' | 'sshPort'
  >,
  managedBy: DirectoryReference | undefined,
): ComputerResult {
  if (!TARGET_NAME.test(computer.name)) {
    return { ok: false, reason: 'its name is not letters, digits, . _ - (up to 63)' }
  }
  const os = operatingSystemOf(computer.operatingSystem)
  if (!os) {
    return {
      ok: false,
      reason: computer.operatingSystem
        ? `operatingSystem "${clean(computer.operatingSystem, 60)}" is not Windows, Linux or macOS`
        : 'it has no operatingSystem',
    }
  }
  const account = os === 'windows' ? config.windows : config.linux
  if (!account) {
    return {
      ok: false,
      reason: `no account for ${os} computers (set HELPDESK_INVENTORY_AD_${os === 'windows' ? 'WINDOWS' : 'LINUX'}_USERNAME and _CREDENTIAL)`,
    }
  }
  const host =
    computer.dnsHostName && HOST.test(computer.dnsHostName) ? computer.dnsHostName : computer.name
  const transport = os === 'windows' ? 'winrm' : 'ssh'
  const hostKey =
    config.knownHosts.get(host.toLowerCase()) ?? config.knownHosts.get(computer.name.toLowerCase())
  if (transport === 'ssh' && !hostKey) {
    return {
      ok: false,
      reason: `no pinned SSH host key for ${host} in HELPDESK_INVENTORY_AD_KNOWN_HOSTS (ssh-keyscan ${host})`,
    }
  }
  const port = transport === 'winrm' ? config.winrmPort : config.sshPort
  const organizationalUnit = organizationalUnitOf(computer.distinguishedName)
  const assignee = managedBy ? assigneeOf(managedBy) : undefined
  const description = computer.description ? clean(computer.description, 200) : ''
  return {
    ok: true,
    target: {
      name: computer.name,
      host,
      os,
      transport,
      ...(port ? { port } : {}),
      username: account.username,
      credential: account.credential,
      ...(hostKey && transport === 'ssh' ? { hostKey } : {}),
      class: classOf(organizationalUnit, computer.operatingSystem ?? '', os),
      ...(assignee ? { assignedTo: [assignee] } : {}),
      ...(description ? { description } : {}),
      ...(organizationalUnit ? { organizationalUnit } : {}),
    },
  }
}

export function operatingSystemOf(text: string | undefined): Target['os'] | undefined {
  if (!text) return undefined
  if (/windows/i.test(text)) return 'windows'
  if (/mac\s?os|os x|darwin/i.test(text)) return 'macos'
  if (/linux|ubuntu|debian|red hat|rhel|centos|fedora|suse|rocky|alma/i.test(text)) return 'linux'
  return undefined
}

/**
 * The OU says what a machine is when the directory is organised that way (OU=Laptops,
 * OU=Servers); otherwise a server operating system is a server and a Windows client a
 * workstation. Anything else is a server, the most restrictive class.
 */
function classOf(
  organizationalUnit: string,
  operatingSystem: string,
  os: Target['os'],
): MachineClass {
  const ou = organizationalUnit.toLowerCase()
  if (/laptop|notebook/.test(ou)) return 'laptop'
  if (/workstation|desktop/.test(ou)) return 'workstation'
  if (/server/.test(ou)) return 'server'
  if (/server/i.test(operatingSystem)) return 'server'
  return os === 'windows' ? 'workstation' : 'server'
}

/** `CN=DP01,OU=Data Processing,OU=Servers,DC=corp,...` gives `Servers/Data Processing`. */
export function organizationalUnitOf(distinguishedName: string): string {
  return splitDn(distinguishedName)
    .filter((part) => /^OU=/i.test(part))
    .map((part) => clean(unescapeDnValue(part.slice(3)), 64))
    .reverse()
    .join('/')
}

/** The group name as the inventory spells it: AD's `Data Processing` becomes `Data-Processing`. */
export function inventoryGroupName(accountName: string): string | undefined {
  const name = accountName.trim().replace(/\s+/g, '-')
  return TARGET_NAME.test(name) ? name : undefined
}

function assigneeOf(reference: DirectoryReference): string | undefined {
  if (!ASSIGNEE.test(reference.accountName)) return undefined
  if (reference.kind === 'user') return reference.accountName
  if (reference.kind === 'group') return `group:${reference.accountName}`
  return undefined
}

/** Splits a DN at the commas that are not escaped. */
function splitDn(distinguishedName: string): string[] {
  const parts: string[] = []
  let current = ''
  for (let index = 0; index < distinguishedName.length; index++) {
    const character = distinguishedName[index] ?? ''
    if (character === '\\') {
      current += character + (distinguishedName[index + 1] ?? '')
      index++
    } else if (character === ',') {
      parts.push(current.trim())
      current = ''
    } else current += character
  }
  if (current) parts.push(current.trim())
  return parts
}

function unescapeDnValue(value: string): string {
  return value.replace(/\\([0-9A-Fa-f]{2}|.)/g, (_match, escaped: string) =>
    escaped.length === 2 ? String.fromCharCode(Number.parseInt(escaped, 16)) : escaped,
  )
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f]+/g

/** Directory text is shown to technicians, never run: control characters go, length is capped. */
function clean(text: string, limit: number): string {
  return text.replace(CONTROLS, ' ').trim().slice(0, limit)
}
