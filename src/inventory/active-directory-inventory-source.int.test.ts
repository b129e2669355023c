import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OperationCatalog } from '../operations/operation-catalog.ts'
import { OperationsDesk } from '../operations/operations-desk.ts'
import { AccessPolicy } from '../policy/access-policy.ts'
import { AccountMap } from '../policy/account-map.ts'
import { activeDirectoryInventoryConfigFromEnvironment } from './active-directory-inventory-config.ts'
import { ActiveDirectoryInventorySource } from './active-directory-inventory-source.ts'
import { openInventory } from './inventory-loading.ts'
import { runInventorySourceContract } from './inventory-source-contract.case.test.ts'
import { openSambaFleet, type SambaFleet, TEST_HOST_KEY } from './testing/samba-computers.ts'

/**
 * The inventory read from computer objects of a real Samba AD DC on loopback
 * (scripts/test-services/samba-dc.sh): computers and groups are created in an OU of this run,
 * read back over LDAPS, and asked about the way a technician asks in the chat.
 */

let fleet: SambaFleet
const fleet$ = openSambaFleet(['web01.corp.example.test', 'web02.corp.example.test'])

function source(change: Record<string, string | undefined> = {}): ActiveDirectoryInventorySource {
  const config = activeDirectoryInventoryConfigFromEnvironment(fleet.environment(change))
  if (!config) throw new Error('HELPDESK_INVENTORY_AD is set, so the source must be configured')
  return new ActiveDirectoryInventorySource(config)
}

/** The run's own OU as the inventory spells it (hd-inv-XXXXXX). */
const runOu = () => /^OU=([^,]+)/.exec(fleet.baseDn)?.[1] ?? ''

beforeAll(async () => {
  fleet = await fleet$
  const computers = [
    { name: 'WEB01', ou: ['Servers'], operatingSystem: 'Ubuntu 22.04 LTS' },
    { name: 'WEB02', ou: ['Servers'], operatingSystem: 'Debian GNU/Linux 12' },
    {
      name: 'DP01',
      ou: ['Data Processing', 'Servers'],
      operatingSystem: 'Windows Server 2022 Standard',
    },
    {
      name: 'DP02',
      ou: ['Data Processing', 'Servers'],
      operatingSystem: 'Windows Server 2019 Datacenter',
    },
    { name: 'PRINT01', ou: ['Sales, EMEA'], operatingSystem: 'Windows Server 2022 Standard' },
    { name: 'LT-0101', ou: ['Laptops'], operatingSystem: 'Windows 11 Pro' },
    { name: 'OLD01', ou: ['Servers'], operatingSystem: 'Windows Server 2012 R2', disabled: true },
    { name: 'MYSTERY', ou: ['Servers'], operatingSystem: 'Plan 9' },
    { name: 'NOKEY01', ou: ['Servers'], operatingSystem: 'Rocky Linux 9' },
  ]
  for (const computer of computers) {
    await fleet.addComputer({
      ...computer,
      dnsHostName: `${computer.name.toLowerCase()}.corp.example.test`,
      ...(computer.name === 'LT-0101'
        ? { managedBy: { user: 'alice' }, description: "Alice's laptop\n(finance)*)(name=*" }
        : {}),
    })
  }
  await fleet.addGroup('print-admins', [])
  await fleet.addComputer({
    name: 'PRINT02',
    ou: ['Sales, EMEA'],
    operatingSystem: 'Windows Server 2022 Standard',
    managedBy: { group: 'print-admins' },
  })
  await fleet.addGroup('Data Processing', ['DP01', 'DP02', 'OLD01'])
  await fleet.addGroup('web-servers', ['WEB01', 'WEB02', 'NOKEY01'])
  await fleet.addGroup('Print (EMEA)', ['PRINT01'])
  // Nested groups: a group of groups, and one more level above it.
  await fleet.addGroup('linux-fleet', ['web-servers'])
  await fleet.addGroup('infrastructure', ['linux-fleet', 'Data Processing', 'PRINT01'])
}, 120_000)

afterAll(async () => {
  await (await fleet$).remove()
})

runInventorySourceContract({
  name: 'Active Directory computer objects on a real Samba AD DC',
  create: async () => {
    fleet = await fleet$
    return source()
  },
  broken: async () => {
    fleet = await fleet$
    return [
      // Nothing listens on port 1: the DC cannot be reached.
      { source: source({ AD_URL: 'ldaps://127.0.0.1:1' }), setting: 'AD_URL' },
      {
        source: source({
          HELPDESK_INVENTORY_AD_BASE_DN: `OU=no-such-ou,${fleet.facts.LDAP_BASE_DN}`,
        }),
        setting: 'HELPDESK_INVENTORY_AD_BASE_DN',
      },
      {
        source: source({
          HELPDESK_INVENTORY_AD_BASE_DN: undefined,
          AD_BASE_DN: 'DC=nowhere,DC=invalid',
        }),
        setting: 'AD_BASE_DN',
      },
      {
        // A reference to a variable that is not set: the password cannot be found.
        source: source({ AD_BIND_CREDENTIAL: 'env:HELPDESK_TEST_UNSET_PASSWORD' }),
        setting: 'AD_BIND_CREDENTIAL',
      },
    ]
  },
})

describe('the inventory read from Active Directory computer objects (real Samba AD DC)', () => {
  it('turns each enabled computer into a target, its memberOf groups into inventory groups', async () => {
    const { data, skipped } = await source().read()
    const byName = new Map(data.targets.map((target) => [target.name, target]))
    expect([...byName.keys()].sort()).toEqual([
      'DP01',
      'DP02',
      'LT-0101',
      'PRINT01',
      'PRINT02',
      'WEB01',
      'WEB02',
    ])
    expect(byName.get('DP01')).toEqual({
      name: 'DP01',
      host: 'dp01.corp.example.test',
      os: 'windows',
      transport: 'winrm',
      username: 'CORP\\svc-helpdesk',
      credential: 'env:TEST_WINRM_PASSWORD',
      class: 'server',
      organizationalUnit: `${runOu()}/Servers/Data Processing`,
    })
    expect(byName.get('WEB01')).toMatchObject({
      os: 'linux',
      transport: 'ssh',
      username: 'helpdesk',
      credential: 'file:/etc/helpdesk/keys/helpdesk',
      hostKey: TEST_HOST_KEY,
      class: 'server',
    })
    expect(byName.get('LT-0101')).toMatchObject({
      class: 'laptop',
      assignedTo: ['alice'],
      // Control characters go; the filter characters are kept as text (shown, never searched).
      description: "Alice's laptop (finance)*)(name=*",
    })
    expect(byName.get('PRINT02')?.assignedTo).toEqual(['group:print-admins'])
    // An escaped comma in the OU's name is read back as a comma.
    expect(byName.get('PRINT01')?.organizationalUnit).toMatch(/\/Sales, EMEA$/)
    expect(data.groups).toEqual({
      'Data-Processing': ['DP01', 'DP02'],
      'web-servers': ['WEB01', 'WEB02'],
      // A computer in a nested group belongs to every group above it.
      'linux-fleet': ['WEB01', 'WEB02'],
      infrastructure: ['DP01', 'DP02', 'PRINT01', 'WEB01', 'WEB02'],
    })
    expect(skipped).toEqual(
      expect.arrayContaining([
        { name: 'MYSTERY', reason: 'operatingSystem "Plan 9" is not Windows, Linux or macOS' },
        {
          name: 'NOKEY01',
          reason:
            'no pinned SSH host key for nokey01.corp.example.test in HELPDESK_INVENTORY_AD_KNOWN_HOSTS (ssh-keyscan nokey01.corp.example.test)',
        },
        { name: 'group Print (EMEA)', reason: 'its name is not letters, digits, spaces, . _ -' },
      ]),
    )
    expect(byName.has('OLD01')).toBe(false)
  })
})

describe('inventory questions and operations answered from the AD-sourced inventory', () => {
  const tech = { username: 'tech', role: 'technician' as const }
  let desk: OperationsDesk

  beforeAll(async () => {
    const opened = await openInventory({ environment: fleet.environment() })
    if (!opened) throw new Error('HELPDESK_INVENTORY_AD is set, so there is an inventory')
    const access = new AccessPolicy({ accounts: new AccountMap(), machines: opened.inventory })
    desk = new OperationsDesk({
      catalog: await OperationCatalog.load(),
      inventory: opened.inventory,
      access,
    })
  })

  it('"how many windows machines do we have": counted from the computer objects', async () => {
    const turn = await desk.answer('how many windows machines do we have?', tech)
    expect(turn?.kind).toBe('inventory')
    expect(turn?.reply).toBe(
      'In the inventory, Windows only: 5 machines (5 Windows; 4 server, 1 laptop).',
    )
  })

  it("one machine's details: OS, class, how it is reached, groups, owner, OU and description", async () => {
    const turn = await desk.answer('give me the details for LT-0101', tech)
    expect(turn?.kind).toBe('inventory')
    expect(turn?.reply).toBe(
      [
        'LT-0101: Windows laptop',
        '- reached over winrm at lt-0101.corp.example.test as CORP\\svc-helpdesk',
        '- groups: none',
        '- assigned to: alice',
        `- in the directory under: ${runOu()}/Laptops`,
        "- description: Alice's laptop (finance)*)(name=*",
      ].join('\n'),
    )
  })

  it("a group's members, from the AD group the computers are in", async () => {
    const turn = await desk.answer('which ones are the web servers again? list them', tech)
    expect(turn?.kind).toBe('inventory')
    expect(turn?.reply).toContain('group web-servers: 2 machines (2 Linux; 2 server)')
    expect(turn?.reply).toContain('- WEB01: Linux server')
    expect(turn?.reply).toContain('- WEB02: Linux server')
  })

  it('an operation on a group of groups targets the computers of the groups nested in it', async () => {
    const turn = await desk.answer('restart nginx on the linux-fleet group except WEB02', tech)
    expect(turn?.kind).toBe('operation')
    expect(turn?.plan?.workflow.targets).toEqual(['WEB01'])
    expect(turn?.reply).toContain('- Left out as you asked: WEB02')
    const all = await desk.answer('how many machines are in the infrastructure group', tech)
    expect(all?.kind).toBe('inventory')
    expect(all?.reply).toMatch(/group infrastructure: 5 machines/)
  })

  it('an operation on an AD group targets its computers, with the Windows script', async () => {
    const turn = await desk.answer(
      'Stop the dataprocessor service on all servers in the Data Processing group',
      tech,
    )
    expect(turn?.kind).toBe('operation')
    expect(turn?.plan?.workflow.targets).toEqual(['DP01', 'DP02'])
    expect(turn?.reply).toContain('1. Stop the service dataprocessor')
    expect(turn?.reply).toContain('Windows 2 (DP01, DP02)')
    expect(turn?.reply).toContain("} -service 'dataprocessor'")
  })
})

describe('merged with the YAML file, refreshed from the directory', () => {
  it('the file wins on conflict; the directory adds the rest; a refresh sees a new computer', async () => {
    const file = path.join(path.dirname(fleet.knownHostsFile), 'inventory.yaml')
    await writeFile(
      file,
      [
        'targets:',
        '  - name: web01', // the same machine as AD's WEB01, in another letter case
        '    host: 10.0.0.1',
        '    os: linux',
        '    transport: ssh',
        '    username: from-the-file',
        '    credential: env:FILE_KEY',
        `    hostKey: ${TEST_HOST_KEY}`,
        '  - name: db01',
        '    host: 10.0.0.2',
        '    os: linux',
        '    transport: ssh',
        '    username: from-the-file',
        '    credential: env:FILE_KEY',
        `    hostKey: ${TEST_HOST_KEY}`,
        'groups:',
        '  Web-Servers: [web01, db01]',
        '',
      ].join('\n'),
    )
    const lines: string[] = []
    const opened = await openInventory({
      file,
      environment: fleet.environment(),
      log: (line) => lines.push(line),
    })
    if (!opened) throw new Error('expected an inventory')
    const { inventory } = opened
    expect(inventory.find('WEB01')).toMatchObject({
      name: 'web01',
      host: '10.0.0.1',
      username: 'from-the-file',
    })
    expect(inventory.find('DP01')?.host).toBe('dp01.corp.example.test')
    expect(inventory.group('Web-Servers').map((target) => target.name)).toEqual(['web01', 'db01'])
    expect(inventory.groupNames()).not.toContain('web-servers')
    expect(inventory.group('Data-Processing').map((target) => target.name)).toEqual([
      'DP01',
      'DP02',
    ])
    expect(lines).toContain(
      'inventory: left out MYSTERY: operatingSystem "Plan 9" is not Windows, Linux or macOS',
    )

    await fleet.addComputer({
      name: 'DP03',
      ou: ['Data Processing', 'Servers'],
      operatingSystem: 'Windows Server 2025 Standard',
      dnsHostName: 'dp03.corp.example.test',
    })
    expect(inventory.find('DP03')).toBeUndefined()
    await opened.refresh()
    expect(inventory.find('DP03')?.os).toBe('windows')
    opened.close()

    const replaced = await openInventory({
      file,
      environment: fleet.environment({ HELPDESK_INVENTORY_AD: 'replace' }),
      log: (line) => lines.push(line),
    })
    expect(replaced?.inventory.find('db01')).toBeUndefined()
    expect(replaced?.inventory.find('WEB01')?.username).toBe('helpdesk')
    expect(lines).toContain(`inventory: HELPDESK_INVENTORY_AD=replace, so ${file} is not read`)
  })
})

describe('a start with bad settings stops with the setting to fix', () => {
  it.each([
    [{ AD_URL: 'ldaps://127.0.0.1:1' }, 'AD_URL: cannot read computers from ldaps://127.0.0.1:1'],
    [
      { HELPDESK_INVENTORY_AD_BASE_DN: 'OU=Gone,DC=corp,DC=example,DC=test' },
      'HELPDESK_INVENTORY_AD_BASE_DN: no such place in the directory: OU=Gone,DC=corp,DC=example,DC=test',
    ],
  ])('%o', async (change, message) => {
    await expect(openInventory({ environment: fleet.environment(change) })).rejects.toThrow(message)
  })
})
