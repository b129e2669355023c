import { type ConnectionOptions, checkServerIdentity } from 'node:tls'
import { Attribute, Change, type Client, type ClientOptions, type Entry } from 'ldapts'
import { resolveCredential } from '../../inventory/credential-reference.ts'
import { quoteLdapFilterValue } from '../../rendering/ldap-quoting.ts'
import type { ActiveDirectoryConfig } from './active-directory-config.ts'

/** Makes the ldapts client; tests swap it to count or refuse connections. */
export type LdapClientFactory = (options: ClientOptions) => Client

/** A user as the executor needs it; every attribute read by name, computed ones included. */
export interface DirectoryUser {
  distinguishedName: string
  username: string
  displayName?: string
  givenName?: string
  surname?: string
  userPrincipalName?: string
  mail?: string
  userAccountControl: number
  /** `msDS-User-Account-Control-Computed`: lockout (0x10) and password expiry (0x800000) live here. */
  computedAccountControl: number
  /** FILETIME text; `0` means "must change at next logon". */
  pwdLastSet: string
  /** FILETIME text; `0` or absent when never locked or unlocked. */
  lockoutTime: string
  badPwdCount: number
  /** FILETIME text; `0` and 2^63-1 both mean "never". */
  accountExpires: string
  /** adminCount=1 or isCriticalSystemObject: an account the helpdesk must not change. */
  protected: boolean
}

export interface DirectoryGroup {
  distinguishedName: string
  name: string
  protected: boolean
}

export interface GroupMember {
  name: string
  distinguishedName: string
  kind: 'user' | 'group' | 'computer' | 'other'
}

const USER_ATTRIBUTES = [
  'sAMAccountName',
  'distinguishedName',
  'displayName',
  'givenName',
  'sn',
  'userPrincipalName',
  'mail',
  'userAccountControl',
  // Constructed attributes are only returned when asked for by name.
  'msDS-User-Account-Control-Computed',
  'pwdLastSet',
  'lockoutTime',
  'badPwdCount',
  'accountExpires',
  'adminCount',
  'isCriticalSystemObject',
]

/**
 * One bound LDAPS connection to the directory, for one operation. Every filter value passes
 * through `quoteLdapFilterValue`; every DN it writes to came from a search result.
 */
export class DirectoryConnection {
  private readonly client: Client
  private readonly baseDn: string

  private constructor(client: Client, baseDn: string) {
    this.client = client
    this.baseDn = baseDn
  }

  /** Connects and binds as the service account; the password is revealed only for the bind. */
  static async open(
    config: ActiveDirectoryConfig,
    createClient: LdapClientFactory,
    environment: NodeJS.ProcessEnv,
  ): Promise<DirectoryConnection> {
    const secret = await resolveCredential(config.bindCredential, environment)
    const client = createClient({
      url: config.url,
      timeout: config.timeoutMs,
      connectTimeout: config.timeoutMs,
      tlsOptions: directoryTlsOptions(config),
    })
    try {
      await client.bind(config.bindDn, secret.reveal())
    } catch (error) {
      await client.unbind().catch(() => undefined)
      throw error
    }
    return new DirectoryConnection(client, config.baseDn)
  }

  async close(): Promise<void> {
    await this.client.unbind().catch(() => undefined)
  }

  async findUser(username: string): Promise<DirectoryUser | undefined> {
    const value = quoteLdapFilterValue(username)
    const { searchEntries } = await this.client.search(this.baseDn, {
      scope: 'sub',
      filter: `(&(objectCategory=person)(objectClass=user)(sAMAccountName=${value}))`,
      attributes: USER_ATTRIBUTES,
    })
    const entry = searchEntries[0]
    if (!entry) return undefined
    return {
      distinguishedName: entry.dn,
      username: text(entry, 'sAMAccountName') ?? username,
      ...optional('displayName', text(entry, 'displayName')),
      ...optional('givenName', text(entry, 'givenName')),
      ...optional('surname', text(entry, 'sn')),
      ...optional('userPrincipalName', text(entry, 'userPrincipalName')),
      ...optional('mail', text(entry, 'mail')),
      userAccountControl: Number(text(entry, 'userAccountControl') ?? 0),
      computedAccountControl: Number(text(entry, 'msDS-User-Account-Control-Computed') ?? 0),
      pwdLastSet: text(entry, 'pwdLastSet') ?? '0',
      lockoutTime: text(entry, 'lockoutTime') ?? '0',
      badPwdCount: Number(text(entry, 'badPwdCount') ?? 0),
      accountExpires: text(entry, 'accountExpires') ?? '0',
      protected: isProtected(entry),
    }
  }

  /** Groups whose sAMAccountName or cn is `name`: usually one, none if unknown, more if ambiguous. */
  async findGroups(name: string): Promise<DirectoryGroup[]> {
    const value = quoteLdapFilterValue(name)
    const { searchEntries } = await this.client.search(this.baseDn, {
      scope: 'sub',
      filter: `(&(objectClass=group)(|(sAMAccountName=${value})(cn=${value})))`,
      attributes: ['sAMAccountName', 'cn', 'adminCount', 'isCriticalSystemObject'],
    })
    return searchEntries.map((entry) => ({
      distinguishedName: entry.dn,
      name: text(entry, 'sAMAccountName') ?? text(entry, 'cn') ?? name,
      protected: isProtected(entry),
    }))
  }

  async isMember(group: DirectoryGroup, memberDn: string): Promise<boolean> {
    const { searchEntries } = await this.client.search(group.distinguishedName, {
      scope: 'base',
      filter: `(member=${quoteLdapFilterValue(memberDn)})`,
      attributes: ['distinguishedName'],
    })
    return searchEntries.length > 0
  }

  /** Direct members, found through their memberOf back-link so large groups need no range reads. */
  async members(group: DirectoryGroup): Promise<GroupMember[]> {
    const { searchEntries } = await this.client.search(this.baseDn, {
      scope: 'sub',
      filter: `(memberOf=${quoteLdapFilterValue(group.distinguishedName)})`,
      attributes: ['sAMAccountName', 'cn', 'objectClass'],
      paged: { pageSize: 500 },
    })
    return searchEntries.map((entry) => ({
      name: text(entry, 'sAMAccountName') ?? text(entry, 'cn') ?? entry.dn,
      distinguishedName: entry.dn,
      kind: memberKind(values(entry, 'objectClass')),
    }))
  }

  /** Replaces attributes in one modify request, so either all of them change or none. */
  async replace(dn: string, attributes: Record<string, string | Buffer>): Promise<void> {
    const changes = Object.entries(attributes).map(
      ([type, value]) =>
        new Change({
          operation: 'replace',
          // Each branch gives one of the two array types ldapts takes (text or binary values).
          modification: new Attribute({
            type,
            values: typeof value === 'string' ? [value] : [value],
          }),
        }),
    )
    await this.client.modify(dn, changes)
  }

  async addMember(group: DirectoryGroup, memberDn: string): Promise<void> {
    await this.client.modify(group.distinguishedName, memberChange('add', memberDn))
  }

  async removeMember(group: DirectoryGroup, memberDn: string): Promise<void> {
    await this.client.modify(group.distinguishedName, memberChange('delete', memberDn))
  }
}

function memberChange(operation: 'add' | 'delete', memberDn: string): Change {
  return new Change({
    operation,
    modification: new Attribute({ type: 'member', values: [memberDn] }),
  })
}

/**
 * The chain is always verified against AD_CA_FILE (or the system store). Only the host name may
 * be replaced, by the one name the certificate was issued to (AD_TLS_SERVERNAME).
 */
export function directoryTlsOptions(
  config: Pick<ActiveDirectoryConfig, 'caCertificates' | 'tlsServerName'>,
): ConnectionOptions {
  const serverName = config.tlsServerName
  return {
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true,
    ...(config.caCertificates ? { ca: [config.caCertificates] } : {}),
    ...(serverName
      ? {
          servername: serverName,
          checkServerIdentity: (_host, certificate) => checkServerIdentity(serverName, certificate),
        }
      : {}),
  }
}

function isProtected(entry: Entry): boolean {
  return text(entry, 'adminCount') === '1' || text(entry, 'isCriticalSystemObject') === 'TRUE'
}

function memberKind(objectClasses: string[]): GroupMember['kind'] {
  const classes = new Set(objectClasses.map((each) => each.toLowerCase()))
  if (classes.has('computer')) return 'computer'
  if (classes.has('group')) return 'group'
  if (classes.has('user')) return 'user'
  return 'other'
}

/** Attribute names come back in the server's spelling; AD treats them case-insensitively. */
export function values(entry: Entry, name: string): string[] {
  const key = Object.keys(entry).find((each) => each.toLowerCase() === name.toLowerCase())
  const found = key === undefined ? undefined : entry[key]
  if (found === undefined) return []
  const list = Array.isArray(found) ? found : [found]
  return list.map((each) => (typeof each === 'string' ? each : each.toString('utf8')))
}

function text(entry: Entry, name: string): string | undefined {
  return values(entry, name)[0]
}

function optional<Key extends string>(
  key: Key,
  value: string | undefined,
): { [K in Key]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [K in Key]?: string }
}
