import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { HelpdeskError } from '../errors/index.ts'
import {
  type ActiveDirectoryConfig,
  activeDirectoryConfigFromEnvironment,
} from '../executors/active-directory/active-directory-config.ts'
import { CREDENTIAL_REFERENCE } from './credential-reference.ts'

/**
 * Settings of the inventory read from Active Directory computer objects, from environment
 * variables. The directory connection (AD_URL, AD_BIND_DN, AD_BIND_CREDENTIAL, AD_CA_FILE,
 * AD_TLS_SERVERNAME, AD_TIMEOUT_MS) is the Active Directory executor's; these say where the
 * computers are, how often to read them again, whether they join or replace the YAML file, and
 * how the helpdesk reaches the machines (AD does not hold that: one service account per
 * operating system, and the SSH host keys in a known_hosts file).
 * @module
 */

/** `merge`: the YAML file and AD together, the file wins on conflict. `replace`: AD alone. */
export type InventoryDirectoryMode = 'merge' | 'replace'

export interface MachineAccount {
  username: string
  /** A credential reference (`env:`, `file:`, `encrypted:`), never the secret. */
  credential: string
}

export interface ActiveDirectoryInventoryConfig {
  mode: InventoryDirectoryMode
  directory: ActiveDirectoryConfig
  /** Where computer objects are searched (subtree), e.g. `OU=Machines,DC=corp,DC=example,DC=com`. */
  baseDn: string
  /** The variable the base DN came from, for errors: HELPDESK_INVENTORY_AD_BASE_DN or AD_BASE_DN. */
  baseDnSetting: 'HELPDESK_INVENTORY_AD_BASE_DN' | 'AD_BASE_DN'
  /** 0: read at start only. */
  refreshMinutes: number
  windows?: MachineAccount
  linux?: MachineAccount
  /** Host name or computer name (lower case) to its pinned `ssh-ed25519 AAAA...` key line. */
  knownHosts: ReadonlyMap<string, string>
  winrmPort?: number
  sshPort?: number
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: a DN with control characters is refused
const NO_CONTROLS = /^[^\u0000-\u001f\u007f]+$/
const DN_SHAPE =
  /^[A-Za-z][A-Za-z0-9-]*=(?:[^,\\]|\\.)+(?:,[A-Za-z][A-Za-z0-9-]*=(?:[^,\\]|\\.)+)*$/
const ACCOUNT = /^[A-Za-z0-9][A-Za-z0-9._\\@-]{0,63}$/
const KEY_LINE = /^(ssh-ed25519|ecdsa-sha2-nistp\d+|ssh-rsa) [A-Za-z0-9+/=]+$/

const settingsSchema = z.object({
  HELPDESK_INVENTORY_AD: z.enum(['merge', 'replace'], {
    message: 'must be merge (with the YAML file, which wins on conflict) or replace (AD alone)',
  }),
  HELPDESK_INVENTORY_AD_BASE_DN: z
    .string()
    .regex(NO_CONTROLS, 'must be a DN such as OU=Machines,DC=corp,DC=example,DC=com')
    .regex(DN_SHAPE, 'must be a DN such as OU=Machines,DC=corp,DC=example,DC=com')
    .optional(),
  HELPDESK_INVENTORY_AD_REFRESH_MINUTES: z.coerce
    .number({ message: 'must be a whole number of minutes (0: read at start only)' })
    .int('must be a whole number of minutes (0: read at start only)')
    .min(0, 'must be 0 (read at start only) or more')
    .max(10_080, 'must be at most 10080 (a week)')
    .default(15),
  HELPDESK_INVENTORY_AD_WINDOWS_USERNAME: z
    .string()
    .regex(ACCOUNT, 'must be an account name such as CORP\\helpdesk-svc')
    .optional(),
  HELPDESK_INVENTORY_AD_WINDOWS_CREDENTIAL: z
    .string()
    .regex(
      CREDENTIAL_REFERENCE,
      'must be a credential reference (env:NAME, file:/path, encrypted:…)',
    )
    .optional(),
  HELPDESK_INVENTORY_AD_LINUX_USERNAME: z
    .string()
    .regex(ACCOUNT, 'must be an account name such as helpdesk')
    .optional(),
  HELPDESK_INVENTORY_AD_LINUX_CREDENTIAL: z
    .string()
    .regex(
      CREDENTIAL_REFERENCE,
      'must be a credential reference (env:NAME, file:/path, encrypted:…)',
    )
    .optional(),
  HELPDESK_INVENTORY_AD_KNOWN_HOSTS: z.string().min(1).optional(),
  HELPDESK_INVENTORY_AD_WINRM_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  HELPDESK_INVENTORY_AD_SSH_PORT: z.coerce.number().int().min(1).max(65535).optional(),
})

/**
 * @returns undefined when HELPDESK_INVENTORY_AD is unset (the YAML file alone).
 * @throws {HelpdeskError} INVALID_CONFIGURATION naming the variable and what was expected.
 */
export function activeDirectoryInventoryConfigFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): ActiveDirectoryInventoryConfig | undefined {
  if (!environment.HELPDESK_INVENTORY_AD) return undefined
  const directory = activeDirectoryConfigFromEnvironment(environment)
  if (!directory) {
    throw invalid(
      'AD_URL',
      'AD_URL: HELPDESK_INVENTORY_AD reads computers from Active Directory, so AD_URL (ldaps://host) and the AD_BIND_* settings must be set',
    )
  }
  const names = Object.keys(settingsSchema.shape) as (keyof typeof settingsSchema.shape)[]
  const parsed = settingsSchema.safeParse(
    Object.fromEntries(
      names.filter((name) => environment[name]).map((name) => [name, environment[name]]),
    ),
  )
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const variable = String(issue?.path[0] ?? 'HELPDESK_INVENTORY_AD')
    throw invalid(variable, `${variable}: ${issue?.message ?? 'invalid'}`)
  }
  const settings = parsed.data
  const windows = account(settings, 'WINDOWS')
  const linux = account(settings, 'LINUX')
  if (!windows && !linux) {
    throw invalid(
      'HELPDESK_INVENTORY_AD_WINDOWS_USERNAME',
      'HELPDESK_INVENTORY_AD_WINDOWS_USERNAME: set the account the helpdesk uses on Windows computers (and/or HELPDESK_INVENTORY_AD_LINUX_USERNAME for Linux ones); AD does not say how to reach a machine',
    )
  }
  return {
    mode: settings.HELPDESK_INVENTORY_AD,
    directory,
    baseDn: settings.HELPDESK_INVENTORY_AD_BASE_DN ?? directory.baseDn,
    baseDnSetting: settings.HELPDESK_INVENTORY_AD_BASE_DN
      ? 'HELPDESK_INVENTORY_AD_BASE_DN'
      : 'AD_BASE_DN',
    refreshMinutes: settings.HELPDESK_INVENTORY_AD_REFRESH_MINUTES,
    ...(windows ? { windows } : {}),
    ...(linux ? { linux } : {}),
    knownHosts: settings.HELPDESK_INVENTORY_AD_KNOWN_HOSTS
      ? readKnownHosts(settings.HELPDESK_INVENTORY_AD_KNOWN_HOSTS)
      : new Map(),
    ...(settings.HELPDESK_INVENTORY_AD_WINRM_PORT
      ? { winrmPort: settings.HELPDESK_INVENTORY_AD_WINRM_PORT }
      : {}),
    ...(settings.HELPDESK_INVENTORY_AD_SSH_PORT
      ? { sshPort: settings.HELPDESK_INVENTORY_AD_SSH_PORT }
      : {}),
  }
}

/** Both halves or neither: a username without its credential (or the reverse) is refused. */
function account(
  settings: z.infer<typeof settingsSchema>,
  os: 'WINDOWS' | 'LINUX',
): MachineAccount | undefined {
  const username = settings[`HELPDESK_INVENTORY_AD_${os}_USERNAME`]
  const credential = settings[`HELPDESK_INVENTORY_AD_${os}_CREDENTIAL`]
  if (!username && !credential) return undefined
  if (!username || !credential) {
    const missing = username
      ? `HELPDESK_INVENTORY_AD_${os}_CREDENTIAL`
      : `HELPDESK_INVENTORY_AD_${os}_USERNAME`
    throw invalid(
      missing,
      `${missing}: must be set together with ${username ? `HELPDESK_INVENTORY_AD_${os}_USERNAME` : `HELPDESK_INVENTORY_AD_${os}_CREDENTIAL`}`,
    )
  }
  return { username, credential }
}

/**
 * OpenSSH known_hosts lines as `ssh-keyscan` prints them (`host[,host2] type key`); hashed
 * names (`|1|...`) cannot be matched to a computer and are refused, as are markers.
 */
export function readKnownHosts(file: string): Map<string, string> {
  const variable = 'HELPDESK_INVENTORY_AD_KNOWN_HOSTS'
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw invalid(
      variable,
      `${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    )
  }
  const keys = new Map<string, string>()
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (!line || line.startsWith('#')) return
    const [hosts = '', type = '', key = ''] = line.split(/\s+/)
    const keyLine = `${type} ${key}`
    if (hosts.startsWith('|') || hosts.startsWith('@') || !KEY_LINE.test(keyLine)) {
      throw invalid(
        variable,
        `${variable}: ${file} line ${index + 1} is not "host type key" (unhashed, as ssh-keyscan prints it)`,
      )
    }
    for (const host of hosts.split(','))
      keys.set(host.replace(/^\[|\]:\d+$/g, '').toLowerCase(), keyLine)
  })
  return keys
}

export function invalid(variable: string, message: string): HelpdeskError {
  return new HelpdeskError({
    code: 'INVALID_CONFIGURATION',
    category: 'SYSTEM',
    message,
    details: { variable },
  })
}
