import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { isHelpdeskError } from '../errors/index.ts'
import { activeDirectoryInventoryConfigFromEnvironment } from './active-directory-inventory-config.ts'
import { withParents } from './active-directory-inventory-source.ts'
import {
  type DirectoryReference,
  organizationalUnitOf,
  targetFromComputer,
} from './computer-objects.ts'
import { mergeInventories, openInventory } from './inventory-loading.ts'
import type { InventoryData, Target } from './inventory-schema.ts'
import type { InventorySource } from './inventory-source.ts'

/** The settings, the computer-object mapping and the merge rule, without a directory. */

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIInventoryFromActiveDirectoryTestKeyPad00'
const knownHosts = path.join(tmpdir(), `known-hosts-${process.pid}`)
writeFileSync(knownHosts, `web01.corp.example.com,10.0.0.5 ${KEY}\n# a comment\n`)

const BASE = {
  AD_URL: 'ldaps://dc01.corp.example.com',
  AD_BASE_DN: 'DC=corp,DC=example,DC=com',
  AD_BIND_DN: 'CN=svc,DC=corp,DC=example,DC=com',
  AD_BIND_CREDENTIAL: 'env:AD_PASSWORD',
  HELPDESK_INVENTORY_AD: 'merge',
  HELPDESK_INVENTORY_AD_WINDOWS_USERNAME: 'CORP\\svc-helpdesk',
  HELPDESK_INVENTORY_AD_WINDOWS_CREDENTIAL: 'env:WINRM_PASSWORD',
  HELPDESK_INVENTORY_AD_LINUX_USERNAME: 'helpdesk',
  HELPDESK_INVENTORY_AD_LINUX_CREDENTIAL: 'file:/etc/helpdesk/key',
  HELPDESK_INVENTORY_AD_KNOWN_HOSTS: knownHosts,
}

function refusal(change: Record<string, string | undefined>): {
  variable: unknown
  message: string
} {
  try {
    activeDirectoryInventoryConfigFromEnvironment({ ...BASE, ...change })
  } catch (error) {
    if (isHelpdeskError(error)) return { variable: error.details.variable, message: error.message }
    throw error
  }
  throw new Error('expected a refusal')
}

describe('HELPDESK_INVENTORY_AD settings', () => {
  it('is off when unset, and reads the rest when set', () => {
    expect(
      activeDirectoryInventoryConfigFromEnvironment({ ...BASE, HELPDESK_INVENTORY_AD: undefined }),
    ).toBeUndefined()
    const config = activeDirectoryInventoryConfigFromEnvironment(BASE)
    expect(config).toMatchObject({
      mode: 'merge',
      baseDn: 'DC=corp,DC=example,DC=com',
      baseDnSetting: 'AD_BASE_DN',
      refreshMinutes: 15,
      windows: { username: 'CORP\\svc-helpdesk', credential: 'env:WINRM_PASSWORD' },
    })
    expect(config?.knownHosts.get('10.0.0.5')).toBe(KEY)
  })

  it.each([
    [{ HELPDESK_INVENTORY_AD: 'both' }, 'HELPDESK_INVENTORY_AD', 'must be merge'],
    [{ AD_URL: undefined }, 'AD_URL', 'AD_URL (ldaps://host)'],
    [{ AD_URL: 'ldap://dc01' }, 'AD_URL', 'plain ldap:// is not allowed'],
    [{ HELPDESK_INVENTORY_AD_BASE_DN: 'Servers' }, 'HELPDESK_INVENTORY_AD_BASE_DN', 'must be a DN'],
    [
      { HELPDESK_INVENTORY_AD_REFRESH_MINUTES: 'hourly' },
      'HELPDESK_INVENTORY_AD_REFRESH_MINUTES',
      'minutes',
    ],
    [
      { HELPDESK_INVENTORY_AD_WINDOWS_CREDENTIAL: 'Passw0rd!' },
      'HELPDESK_INVENTORY_AD_WINDOWS_CREDENTIAL',
      'credential reference',
    ],
    [
      { HELPDESK_INVENTORY_AD_LINUX_CREDENTIAL: undefined },
      'HELPDESK_INVENTORY_AD_LINUX_CREDENTIAL',
      'set together',
    ],
    [
      {
        HELPDESK_INVENTORY_AD_WINDOWS_USERNAME: undefined,
        HELPDESK_INVENTORY_AD_WINDOWS_CREDENTIAL: undefined,
        HELPDESK_INVENTORY_AD_LINUX_USERNAME: undefined,
        HELPDESK_INVENTORY_AD_LINUX_CREDENTIAL: undefined,
      },
      'HELPDESK_INVENTORY_AD_WINDOWS_USERNAME',
      'AD does not say how to reach a machine',
    ],
    [
      { HELPDESK_INVENTORY_AD_KNOWN_HOSTS: '/no/such/known_hosts' },
      'HELPDESK_INVENTORY_AD_KNOWN_HOSTS',
      'cannot read',
    ],
  ])('refuses %o naming %s', (change, variable, words) => {
    const found = refusal(change)
    expect(found.variable).toBe(variable)
    expect(found.message.startsWith(`${variable}: `)).toBe(true)
    expect(found.message).toContain(words)
  })

  it('refuses a hashed known_hosts line, naming the file and line', () => {
    const hashed = path.join(tmpdir(), `known-hosts-hashed-${process.pid}`)
    writeFileSync(hashed, `|1|abc=|def= ${KEY}\n`)
    expect(refusal({ HELPDESK_INVENTORY_AD_KNOWN_HOSTS: hashed }).message).toContain(
      `${hashed} line 1`,
    )
  })
})

describe('computer objects to targets', () => {
  const config = activeDirectoryInventoryConfigFromEnvironment(BASE)
  if (!config) throw new Error('configured')
  const computer = (change: Record<string, string>) => ({
    distinguishedName: 'CN=WS01,OU=Workstations,OU=HQ,DC=corp,DC=example,DC=com',
    name: 'WS01',
    dnsHostName: 'ws01.corp.example.com',
    operatingSystem: 'Windows 11 Enterprise',
    ...change,
  })

  it('a Windows client in OU=Workstations is a workstation reached over WinRM', () => {
    expect(
      targetFromComputer(computer({}), config, { accountName: 'jdoe', kind: 'user', memberOf: [] }),
    ).toEqual({
      ok: true,
      target: {
        name: 'WS01',
        host: 'ws01.corp.example.com',
        os: 'windows',
        transport: 'winrm',
        username: 'CORP\\svc-helpdesk',
        credential: 'env:WINRM_PASSWORD',
        class: 'workstation',
        assignedTo: ['jdoe'],
        organizationalUnit: 'HQ/Workstations',
      },
    })
  })

  it('a Linux computer needs its pinned host key; a strange name or OS is refused with the reason', () => {
    const web = targetFromComputer(
      computer({
        name: 'web01',
        dnsHostName: 'web01.corp.example.com',
        operatingSystem: 'Red Hat Enterprise Linux 9',
        distinguishedName: 'CN=web01,DC=corp,DC=example,DC=com',
      }),
      config,
      undefined,
    )
    expect(web).toMatchObject({
      ok: true,
      target: { os: 'linux', transport: 'ssh', hostKey: KEY, class: 'server' },
    })
    expect(
      targetFromComputer(
        computer({ name: 'db09', dnsHostName: 'db09', operatingSystem: 'Ubuntu' }),
        config,
        undefined,
      ),
    ).toEqual({
      ok: false,
      reason:
        'no pinned SSH host key for db09 in HELPDESK_INVENTORY_AD_KNOWN_HOSTS (ssh-keyscan db09)',
    })
    expect(targetFromComputer(computer({ name: 'bad name*' }), config, undefined)).toMatchObject({
      ok: false,
    })
    expect(
      targetFromComputer(computer({ operatingSystem: 'OS/2 Warp' }), config, undefined),
    ).toEqual({
      ok: false,
      reason: 'operatingSystem "OS/2 Warp" is not Windows, Linux or macOS',
    })
    // A dNSHostName that is not a host name is not used as one.
    expect(
      targetFromComputer(computer({ dnsHostName: 'ws01;rm -rf /' }), config, undefined),
    ).toMatchObject({
      target: { host: 'WS01' },
    })
  })

  it('reads escaped characters of OU names back as text', () => {
    expect(organizationalUnitOf('CN=PR01,OU=Sales\\, EMEA,OU=Print\\2b Scan,DC=corp')).toBe(
      'Print+ Scan/Sales, EMEA',
    )
  })
})

const target = (name: string, host: string): Target => ({
  name,
  host,
  os: 'windows',
  transport: 'winrm',
  username: 'svc',
  credential: 'env:X',
})

describe('merging sources: the first (the YAML file) wins', () => {
  it('keeps the file’s machine and group on a name clash in any letter case, and adds the rest', () => {
    const file: InventoryData = {
      targets: [target('ws01', 'from-file')],
      groups: { Finance: ['ws01'] },
    }
    const directory: InventoryData = {
      targets: [target('WS01', 'from-ad'), target('WS02', 'from-ad')],
      groups: { finance: ['WS01', 'WS02'], Sales: ['WS01'] },
    }
    expect(mergeInventories([file, directory])).toEqual({
      targets: [target('ws01', 'from-file'), target('WS02', 'from-ad')],
      groups: { Finance: ['ws01'], Sales: ['ws01'] },
    })
  })

  it('a refresh that fails keeps the last inventory', async () => {
    let calls = 0
    const flaky: InventorySource = {
      description: 'flaky',
      read: async () => {
        calls++
        if (calls > 1) throw new Error('the DC went away')
        return { data: { targets: [target('A', 'a'), target('B', 'b')], groups: {} }, skipped: [] }
      },
    }
    const opened = await openInventory({ sources: [flaky], environment: {} })
    await expect(opened?.refresh()).rejects.toThrow('the DC went away')
    expect(opened?.inventory.list().map((each) => each.name)).toEqual(['A', 'B'])
    opened?.close()
  })
})

describe('nested groups', () => {
  const directory: Record<string, DirectoryReference> = {
    'CN=web,DC=x': { accountName: 'web', kind: 'group', memberOf: ['CN=linux,DC=x'] },
    'CN=linux,DC=x': { accountName: 'linux', kind: 'group', memberOf: ['CN=all,DC=x'] },
    // A loop: "all" is a member of "web" again.
    'CN=all,DC=x': { accountName: 'all', kind: 'group', memberOf: ['cn=WEB,dc=x'] },
    'CN=alice,DC=x': { accountName: 'alice', kind: 'user', memberOf: ['CN=all,DC=x'] },
  }
  const reads: string[] = []
  const lookup = async (dn: string) => {
    reads.push(dn)
    return directory[dn]
  }

  it('puts a computer in every group its groups are nested in, each once, through a loop', async () => {
    expect(await withParents(['CN=web,DC=x'], lookup)).toEqual([
      'CN=web,DC=x',
      'CN=linux,DC=x',
      'CN=all,DC=x',
    ])
    // The loop back to "web" (another letter case) is not read again.
    expect(reads).toEqual(['CN=web,DC=x', 'CN=linux,DC=x', 'CN=all,DC=x'])
  })

  it('follows groups only: a user or a gone DN ends the walk there', async () => {
    expect(await withParents(['CN=alice,DC=x', 'CN=gone,DC=x'], lookup)).toEqual([
      'CN=alice,DC=x',
      'CN=gone,DC=x',
    ])
  })
})
