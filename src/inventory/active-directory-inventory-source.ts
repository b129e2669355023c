import { type Client, type ClientOptions, type Entry, Client as LdapClient } from 'ldapts'
import { HelpdeskError } from '../errors/index.ts'
import { describeDirectoryError } from '../executors/active-directory/active-directory-errors.ts'
import { directoryTlsOptions, values } from '../executors/active-directory/directory-connection.ts'
import type { ActiveDirectoryInventoryConfig } from './active-directory-inventory-config.ts'
import {
  type ComputerObject,
  type DirectoryReference,
  inventoryGroupName,
  targetFromComputer,
} from './computer-objects.ts'
import { resolveCredential } from './credential-reference.ts'
import { inventorySchema, type Target } from './inventory-schema.ts'
import type { InventoryRead, InventorySource, SkippedMachine } from './inventory-source.ts'

/**
 * The inventory read from Active Directory computer objects over LDAPS (ldapts), bound as the
 * Active Directory executor's service account: each enabled computer under the base DN becomes a
 * target (name, dNSHostName, operatingSystem, description, managedBy, its OU), and each group it
 * is a member of becomes an inventory group: the groups of its memberOf and, through theirs, every
 * group they are nested in (a computer of "web-servers", itself a member of "linux-fleet", is in
 * both; a loop of groups is read once). The search filter is a constant;
 * the only DNs searched are the configured base and DNs the directory itself returned, each read
 * with a base-scope search, so nothing from outside is pasted into a filter.
 * @module
 */

/** Enabled computers (bit 2 of userAccountControl is ACCOUNTDISABLE). */
const COMPUTERS = '(&(objectCategory=computer)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))'
const ATTRIBUTES = [
  'name',
  'dNSHostName',
  'operatingSystem',
  'description',
  'managedBy',
  'memberOf',
]

export type LdapClientFactory = (options: ClientOptions) => Client

export class ActiveDirectoryInventorySource implements InventorySource {
  readonly description: string
  private readonly config: ActiveDirectoryInventoryConfig
  private readonly environment: NodeJS.ProcessEnv
  private readonly createClient: LdapClientFactory

  constructor(
    config: ActiveDirectoryInventoryConfig,
    options: { environment?: NodeJS.ProcessEnv; createClient?: LdapClientFactory } = {},
  ) {
    this.config = config
    this.environment = options.environment ?? process.env
    this.createClient = options.createClient ?? ((clientOptions) => new LdapClient(clientOptions))
    this.description = `Active Directory ${config.directory.url} (${config.baseDn})`
  }

  /** @throws {HelpdeskError} INVALID_CONFIGURATION naming the setting to fix. */
  async read(): Promise<InventoryRead> {
    const { directory } = this.config
    const secret = await resolveCredential(directory.bindCredential, this.environment).catch(
      (error: Error) => {
        throw new HelpdeskError({
          code: 'INVALID_CONFIGURATION',
          category: 'SYSTEM',
          message: `AD_BIND_CREDENTIAL: ${error.message}`,
          details: { variable: 'AD_BIND_CREDENTIAL' },
          cause: error,
        })
      },
    )
    const client = this.createClient({
      url: directory.url,
      timeout: directory.timeoutMs,
      connectTimeout: directory.timeoutMs,
      tlsOptions: directoryTlsOptions(directory),
    })
    try {
      try {
        await client.bind(directory.bindDn, secret.reveal())
      } catch (error) {
        throw this.failure(error, 'bind')
      }
      let entries: Entry[]
      try {
        entries = (
          await client.search(this.config.baseDn, {
            scope: 'sub',
            filter: COMPUTERS,
            attributes: ATTRIBUTES,
            paged: { pageSize: 500 },
          })
        ).searchEntries
      } catch (error) {
        throw this.failure(error, 'search')
      }
      return await this.build(client, entries)
    } finally {
      await client.unbind().catch(() => undefined)
    }
  }

  private async build(client: Client, entries: Entry[]): Promise<InventoryRead> {
    const references = new Map<string, DirectoryReference | undefined>()
    const lookup = async (dn: string) => {
      if (!references.has(dn)) references.set(dn, await readReference(client, dn))
      return references.get(dn)
    }
    const targets: Target[] = []
    const groups: Record<string, string[]> = {}
    const skipped: SkippedMachine[] = []
    const seen = new Set<string>()
    for (const entry of entries) {
      const computer = computerOf(entry)
      const managedBy = computer.managedBy ? await lookup(computer.managedBy) : undefined
      const result = targetFromComputer(computer, this.config, managedBy)
      if (!result.ok) {
        skipped.push({ name: computer.name, reason: result.reason })
        continue
      }
      if (seen.has(result.target.name.toUpperCase())) {
        skipped.push({ name: computer.name, reason: 'another computer has the same name' })
        continue
      }
      seen.add(result.target.name.toUpperCase())
      targets.push(result.target)
      for (const groupDn of await withParents(values(entry, 'memberOf'), lookup)) {
        const group = await lookup(groupDn)
        const name = group?.kind === 'group' ? inventoryGroupName(group.accountName) : undefined
        if (!name) {
          if (group?.kind === 'group')
            skipped.push({
              name: `group ${group.accountName.slice(0, 64)}`,
              reason: 'its name is not letters, digits, spaces, . _ -',
            })
          continue
        }
        const members = groups[name] ?? []
        members.push(result.target.name)
        groups[name] = members
      }
    }
    // Sorted: the directory returns entries in no promised order, and reads must compare equal.
    targets.sort((a, b) => a.name.localeCompare(b.name))
    for (const members of Object.values(groups)) members.sort((a, b) => a.localeCompare(b))
    // What a source gives passes the same schema as the file (the contract's first promise).
    return { data: inventorySchema.parse({ targets, groups }), skipped: unique(skipped) }
  }

  private failure(error: unknown, stage: 'bind' | 'search'): HelpdeskError {
    const found = describeDirectoryError(error)
    const code = (error as { code?: unknown }).code
    const baseSetting = this.config.baseDnSetting
    const variable =
      stage === 'search' &&
      (code === 32 || code === 34 || found.errorCode === 'LDAP_NO_SUCH_OBJECT')
        ? baseSetting
        : found.errorCode === 'LDAP_TLS_NAME_MISMATCH'
          ? 'AD_TLS_SERVERNAME'
          : found.errorCode.startsWith('LDAP_TLS_')
            ? 'AD_CA_FILE'
            : stage === 'bind' &&
                /CREDENTIALS|USER_NOT_FOUND|PASSWORD|ACCOUNT|LOGON|WORKSTATION/.test(
                  found.errorCode,
                )
              ? 'AD_BIND_CREDENTIAL'
              : stage === 'search' && found.errorCode === 'LDAP_INSUFFICIENT_ACCESS'
                ? 'AD_BIND_DN'
                : 'AD_URL'
    const subject =
      variable === baseSetting
        ? `no such place in the directory: ${this.config.baseDn}`
        : variable === 'AD_URL'
          ? `cannot read computers from ${this.config.directory.url}`
          : variable === 'AD_BIND_CREDENTIAL'
            ? `the directory refused the service account ${this.config.directory.bindDn}`
            : `cannot read computers from ${this.config.directory.url}`
    return new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'SYSTEM',
      message: `${variable}: ${subject} for the inventory (${found.message})`,
      details: { variable, errorCode: found.errorCode },
      cause: error,
    })
  }
}

/**
 * The groups a computer is in, directly or through nesting: its memberOf DNs and, breadth first,
 * the memberOf of each group among them, each DN once (the directory allows loops of groups).
 * Every DN read is one the directory returned, read with a base-scope search (cached).
 */
export async function withParents(
  direct: readonly string[],
  lookup: (dn: string) => Promise<DirectoryReference | undefined>,
): Promise<string[]> {
  const seen = new Map<string, string>()
  const queue = [...direct]
  for (let dn = queue.shift(); dn !== undefined; dn = queue.shift()) {
    // DNs compare without letter case, as the directory compares them.
    const key = dn.toLowerCase()
    if (seen.has(key)) continue
    seen.set(key, dn)
    const group = await lookup(dn)
    if (group?.kind === 'group') queue.push(...group.memberOf)
  }
  return [...seen.values()]
}

/** A base-scope read of a DN the directory returned (memberOf, managedBy); gone objects are undefined. */
async function readReference(
  client: Client,
  distinguishedName: string,
): Promise<DirectoryReference | undefined> {
  try {
    const { searchEntries } = await client.search(distinguishedName, {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: ['sAMAccountName', 'cn', 'objectClass', 'memberOf'],
    })
    const entry = searchEntries[0]
    if (!entry) return undefined
    const classes = new Set(values(entry, 'objectClass').map((each) => each.toLowerCase()))
    return {
      memberOf: classes.has('group') ? values(entry, 'memberOf') : [],
      accountName: values(entry, 'sAMAccountName')[0] ?? values(entry, 'cn')[0] ?? '',
      kind: classes.has('group')
        ? 'group'
        : classes.has('user') && !classes.has('computer')
          ? 'user'
          : 'other',
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === 32) return undefined
    throw error
  }
}

function computerOf(entry: Entry): ComputerObject {
  const first = (name: string) => values(entry, name)[0]
  const optional = (key: keyof ComputerObject, value: string | undefined) =>
    value === undefined || value === '' ? {} : { [key]: value }
  return {
    distinguishedName: entry.dn,
    name: first('name') ?? '',
    ...optional('dnsHostName', first('dNSHostName')),
    ...optional('operatingSystem', first('operatingSystem')),
    ...optional('description', first('description')),
    ...optional('managedBy', first('managedBy')),
  }
}

function unique(skipped: SkippedMachine[]): SkippedMachine[] {
  const seen = new Set<string>()
  return skipped.filter((each) => {
    const key = `${each.name}\n${each.reason}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
