import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Client } from 'ldapts'
import { temporaryDirectory } from '../../../tests/support/temporary-directory.ts'
import { startTestService } from '../../../tests/support/test-services.ts'
import { asAdministrator } from '../../executors/active-directory/testing/samba-directory.ts'
import { quoteLdapDnValue, quoteLdapFilterValue } from '../../rendering/ldap-quoting.ts'

/**
 * A small fleet of computer objects and groups made for one test run in its own OU of the real
 * Samba AD DC (scripts/test-services/samba-dc.sh), and removed afterwards.
 * @module
 */

export interface TestComputer {
  name: string
  /** Relative to the run's OU, innermost first: ['Data Processing', 'Servers']. */
  ou: string[]
  operatingSystem?: string
  dnsHostName?: string
  description?: string
  /** A lab user's login (alice) or a group of this fleet. */
  managedBy?: { user: string } | { group: string }
  disabled?: boolean
}

export interface SambaFleet {
  facts: Record<string, string>
  /** OU=hd-inv-XXXXXX,<base DN> */
  baseDn: string
  knownHostsFile: string
  computerDn(name: string): string
  groupDn(name: string): string
  environment(change?: Record<string, string | undefined>): NodeJS.ProcessEnv
  addComputer(computer: TestComputer): Promise<void>
  /** Members are names of computers or of groups created before (nested groups). */
  addGroup(name: string, members: string[]): Promise<void>
  remove(): Promise<void>
}

/** A syntactically valid key line; no sshd is contacted by the inventory tests. */
export const TEST_HOST_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIInventoryFromActiveDirectoryTestKeyPad00'

export async function openSambaFleet(knownHosts: string[]): Promise<SambaFleet> {
  const facts = await startTestService('samba-dc')
  const base = facts.LDAP_BASE_DN ?? ''
  const baseDn = `OU=hd-inv-${randomBytes(3).toString('hex')},${base}`
  const directory = await temporaryDirectory('ad-inventory')
  const knownHostsFile = path.join(directory.path, 'known_hosts')
  await writeFile(knownHostsFile, knownHosts.map((host) => `${host} ${TEST_HOST_KEY}\n`).join(''))
  const created: string[] = []
  const ouDn = (units: string[]) =>
    [...units.map((unit) => `OU=${quoteLdapDnValue(unit)}`), baseDn].join(',')
  const computerDn = (name: string) => {
    const dn = created.find((each) => each.startsWith(`CN=${quoteLdapDnValue(name)},`))
    if (!dn) throw new Error(`no test computer ${name}`)
    return dn
  }
  const groupDn = (name: string) => `CN=${quoteLdapDnValue(name)},${baseDn}`

  const admin = <T>(work: (client: Client) => Promise<T>): Promise<T> =>
    asAdministrator(work, { facts })

  async function ensureOu(client: Client, units: string[]): Promise<void> {
    for (let depth = units.length; depth >= 0; depth--) {
      const dn = ouDn(units.slice(depth))
      if (created.includes(dn)) continue
      const name = depth === units.length ? /^OU=([^,]+)/.exec(baseDn)?.[1] : units[depth]
      await client.add(dn, { objectClass: ['top', 'organizationalUnit'], ou: name ?? '' })
      created.push(dn)
    }
  }

  await admin((client) => ensureOu(client, []))

  return {
    facts,
    baseDn,
    knownHostsFile,
    computerDn,
    groupDn,
    environment: (change = {}) => ({
      AD_URL: facts.LDAP_URL,
      AD_BASE_DN: base,
      AD_BIND_DN: facts.LDAP_BIND_DN,
      AD_BIND_CREDENTIAL: `file:${facts.LDAP_BIND_PASSWORD_FILE}`,
      AD_CA_FILE: facts.LDAP_CA_FILE,
      AD_TLS_SERVERNAME: facts.LDAP_TLS_SERVERNAME,
      AD_TIMEOUT_MS: '5000',
      HELPDESK_INVENTORY_AD: 'merge',
      HELPDESK_INVENTORY_AD_BASE_DN: baseDn,
      HELPDESK_INVENTORY_AD_REFRESH_MINUTES: '0',
      HELPDESK_INVENTORY_AD_WINDOWS_USERNAME: 'CORP\\svc-helpdesk',
      HELPDESK_INVENTORY_AD_WINDOWS_CREDENTIAL: 'env:TEST_WINRM_PASSWORD',
      HELPDESK_INVENTORY_AD_LINUX_USERNAME: 'helpdesk',
      HELPDESK_INVENTORY_AD_LINUX_CREDENTIAL: 'file:/etc/helpdesk/keys/helpdesk',
      HELPDESK_INVENTORY_AD_KNOWN_HOSTS: knownHostsFile,
      ...change,
    }),
    async addComputer(computer) {
      await admin(async (client) => {
        await ensureOu(client, computer.ou)
        const dn = `CN=${quoteLdapDnValue(computer.name)},${ouDn(computer.ou)}`
        const attributes: Record<string, string | string[]> = {
          objectClass: ['top', 'person', 'organizationalPerson', 'user', 'computer'],
          sAMAccountName: `${computer.name}$`,
          // WORKSTATION_TRUST_ACCOUNT (0x1000), plus ACCOUNTDISABLE (0x2) for a retired machine.
          userAccountControl: String(computer.disabled ? 0x1002 : 0x1000),
        }
        if (computer.operatingSystem) attributes.operatingSystem = computer.operatingSystem
        if (computer.dnsHostName) attributes.dNSHostName = computer.dnsHostName
        if (computer.description) attributes.description = computer.description
        if (computer.managedBy) {
          attributes.managedBy =
            'user' in computer.managedBy
              ? await userDn(client, base, computer.managedBy.user)
              : groupDn(computer.managedBy.group)
        }
        await client.add(dn, attributes)
        created.push(dn)
      })
    },
    async addGroup(name, members) {
      await admin(async (client) => {
        const dn = groupDn(name)
        await client.add(dn, {
          objectClass: ['top', 'group'],
          sAMAccountName: name,
          ...(members.length ? { member: members.map(computerDn) } : {}),
        })
        created.push(dn)
      })
    },
    async remove() {
      await admin(async (client) => {
        // Deepest first: an OU with children cannot be deleted.
        const order = [...created].sort((a, b) => b.split(',').length - a.split(',').length)
        for (const dn of order) await client.del(dn).catch(() => undefined)
      })
      await directory.remove()
    },
  }
}

async function userDn(client: Client, base: string, login: string): Promise<string> {
  const { searchEntries } = await client.search(base, {
    filter: `(sAMAccountName=${quoteLdapFilterValue(login)})`,
    attributes: ['distinguishedName'],
  })
  const dn = searchEntries[0]?.dn
  if (!dn) throw new Error(`lab user ${login} is missing`)
  return dn
}
