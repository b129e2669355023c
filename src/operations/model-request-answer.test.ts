import { beforeAll, describe, expect, it } from 'vitest'
import { loadYamlSettings } from '../config/yaml-settings-file.ts'
import { inventorySchema } from '../inventory/inventory-schema.ts'
import { COMPOSE_SCHEMA, checkComposedRequest } from './model-request-answer.ts'
import { OperationCatalog } from './operation-catalog.ts'
import { type Fleet, fleetOf } from './request-targets.ts'

/**
 * A model's composed request is taken whole or refused with the reason: catalog ids, declared
 * parameters, values of their kind that the message itself wrote, inventory names.
 */
let catalog: OperationCatalog
let fleet: Fleet

beforeAll(async () => {
  catalog = await OperationCatalog.load()
  fleet = fleetOf(
    await loadYamlSettings('tests/fixtures/operations-inventory.yaml', inventorySchema),
  )
})

const none = { machines: [], groups: [], all: false, os: null }

function check(message: string, answer: unknown) {
  return checkComposedRequest(answer, { message, catalog, fleet })
}

describe("checking a model's composed request", () => {
  it('takes a valid answer whole: operations in order, inventory names, condition', () => {
    const message =
      'nginx keeps dying on the web boxes except web02, restart it where it is running and check port 443 on web01 from them'
    const checked = check(message, {
      kind: 'operation',
      operations: [
        { operation: 'service.restart', parameters: { service: 'nginx' } },
        { operation: 'network.port-check', parameters: { host: 'web01', port: 443 } },
      ],
      targets: { ...none, groups: ['web-servers'], except: { machines: ['web02'], groups: [] } },
      condition: 'only-where-running',
    })
    expect(checked).toEqual({
      ok: true,
      read: expect.objectContaining({
        kind: 'operation',
        operations: [
          { operation: 'service.restart', parameters: { service: 'nginx' } },
          { operation: 'network.port-check', parameters: { host: 'web01', port: 443 } },
        ],
        targets: { ...none, groups: ['web-servers'], except: { machines: ['web02'], groups: [] } },
        condition: 'only-where-running',
        clarify: null,
      }),
    })
  })

  it('maps names to the inventory spelling and reports typed unknown machines', () => {
    const checked = check('restart nginx on WEB01 and web77', {
      kind: 'operation',
      operations: [{ operation: 'service.restart', parameters: { service: 'nginx' } }],
      targets: { ...none, machines: ['WEB01', 'web77'] },
      condition: null,
    })
    expect(checked.ok && checked.read.targets.machines).toEqual(['web01'])
    expect(checked.ok && checked.read.unknownMachines).toEqual(['web77'])
  })

  it.each([
    [
      'an operation outside the catalog',
      'wipe web01',
      { operation: 'disk.wipe', parameters: {} },
      /"disk.wipe" is not a catalog operation/,
    ],
    [
      'a parameter the operation does not declare',
      'restart nginx on web01',
      { operation: 'service.restart', parameters: { service: 'nginx', user: 'root' } },
      /service.restart has no parameter "user"/,
    ],
    [
      'a value nobody wrote',
      'restart the web service on web01',
      { operation: 'service.restart', parameters: { service: 'nginx' } },
      /service.restart service: the message does not say it/,
    ],
    [
      'a value outside its kind, even as written',
      'restart nginx;reboot on web01',
      { operation: 'service.restart', parameters: { service: 'nginx;reboot' } },
      /not a valid service/,
    ],
    [
      'a port nobody wrote',
      'can web01 reach db01',
      { operation: 'network.port-check', parameters: { host: 'db01', port: 5432 } },
      /port: the message does not say it/,
    ],
  ])('refuses %s', (_, message, step, reason) => {
    const checked = check(message, {
      kind: 'operation',
      operations: [step],
      targets: { ...none, machines: ['web01'] },
      condition: null,
    })
    expect(checked.ok).toBe(false)
    expect(!checked.ok && checked.reason).toMatch(reason)
  })

  it.each([
    [
      'a machine neither in the inventory nor in the message',
      { ...none, machines: ['web09'] },
      /"web09" is no machine/,
    ],
    [
      'a group the inventory does not have',
      { ...none, groups: ['mail-servers'] },
      /"mail-servers" is no group/,
    ],
    [
      'an excluded group the inventory does not have',
      { ...none, all: true, except: { machines: [], groups: ['printers'] } },
      /"printers" is no group/,
    ],
  ])('refuses %s', (_, targets, reason) => {
    const checked = check('restart nginx on all the servers', {
      kind: 'operation',
      operations: [{ operation: 'service.restart', parameters: { service: 'nginx' } }],
      targets,
      condition: null,
    })
    expect(!checked.ok && checked.reason).toMatch(reason)
  })

  it.each([
    ['not JSON', 'not JSON: sure! here you go', /does not fit the schema/],
    ['an unknown kind', { kind: 'shell', operations: [] }, /does not fit the schema: kind/],
    ['an unknown field', { kind: 'employee', sudo: true }, /does not fit the schema/],
    ['an unknown condition', { kind: 'operation', condition: 'only-on-tuesdays' }, /condition/],
    [
      'an employee request with operations',
      { kind: 'employee', operations: [{ operation: 'system.reboot', parameters: {} }] },
      /lists operations/,
    ],
    [
      'an inventory question with two operations',
      {
        kind: 'inventory',
        operations: [
          { operation: 'inventory.count', parameters: {} },
          { operation: 'inventory.list', parameters: {} },
        ],
      },
      /exactly one inventory/,
    ],
    [
      'an inventory question with a changing operation',
      { kind: 'inventory', operations: [{ operation: 'system.reboot', parameters: {} }] },
      /exactly one inventory/,
    ],
    [
      'an operation answer without operations',
      { kind: 'operation', targets: { ...none, machines: ['web01'] } },
      /lists no operation/,
    ],
    [
      'a script answer without a script',
      {
        kind: 'script',
        targets: { ...none, machines: ['web01'] },
        script: { reason: 'no catalog operation rotates logs' },
      },
      /needs a Linux or a Windows script/,
    ],
    [
      'a script answer with catalog operations',
      {
        kind: 'script',
        operations: [{ operation: 'system.uptime', parameters: {} }],
        targets: { ...none, machines: ['web01'] },
        script: { reason: 'x', linux: 'uptime' },
      },
      /lists catalog operations too/,
    ],
    [
      'a script answer naming no machine',
      { kind: 'script', script: { reason: 'x', linux: 'logrotate -f /etc/logrotate.conf' } },
      /names no machine/,
    ],
  ])('refuses %s', (_, answer, reason) => {
    const checked = check('rotate the logs on web01 now', answer)
    expect(!checked.ok && checked.reason).toMatch(reason)
  })

  it.each([
    [
      'a machine the message does not name',
      'show uptime on web01',
      { ...none, machines: ['web01', 'db01'] },
      /does not name the machine "db01"/,
    ],
    [
      'a group the message does not name',
      'show uptime on web01',
      { ...none, groups: ['databases'] },
      /does not name the group "databases"/,
    ],
    [
      'every machine when the message names one',
      'show uptime on web01',
      { ...none, all: true },
      /does not ask for every machine/,
    ],
    [
      'an operating system the message does not say',
      'show uptime on every machine',
      { ...none, all: true, os: 'windows' },
      /does not say windows/,
    ],
  ])('refuses targets nobody asked for: %s', (_, message, targets, reason) => {
    const checked = check(message, {
      kind: 'operation',
      operations: [{ operation: 'system.uptime', parameters: {} }],
      targets,
      condition: null,
    })
    expect(!checked.ok && checked.reason).toMatch(reason)
  })

  it('takes targets the message names loosely, and the class "all servers" says', () => {
    const tier = check('bounce nginx on the web tier', {
      kind: 'operation',
      operations: [{ operation: 'service.restart', parameters: { service: 'nginx' } }],
      targets: { ...none, groups: ['web-servers'] },
      condition: null,
    })
    expect(tier.ok && tier.read.targets.groups).toEqual(['web-servers'])
    const servers = check('show uptime on all servers', {
      kind: 'operation',
      operations: [{ operation: 'system.uptime', parameters: {} }],
      targets: { ...none, all: true },
      condition: null,
    })
    expect(servers.ok && servers.read.machineClass).toBe('server')
  })

  it('refuses a version nobody wrote and a path cut from a longer one', () => {
    const version = check('install nginx on web01', {
      kind: 'operation',
      operations: [
        { operation: 'package.install', parameters: { package: 'nginx', version: '1.0.0' } },
      ],
      targets: { ...none, machines: ['web01'] },
      condition: null,
    })
    expect(!version.ok && version.reason).toMatch(/version: the message does not say it/)
    const path = check('show disk usage of /var/log/app on web01', {
      kind: 'operation',
      operations: [{ operation: 'disk.usage', parameters: { path: '/var' } }],
      targets: { ...none, machines: ['web01'] },
      condition: null,
    })
    expect(!path.ok && path.reason).toMatch(/path: the message does not say it/)
  })

  it("reads an employee's own problem as one, and an inventory question with its one operation", () => {
    expect(
      check('my outlook is frozen', {
        kind: 'employee',
        operations: [],
        targets: none,
        condition: null,
      }),
    ).toEqual({
      ok: true,
      read: expect.objectContaining({ kind: 'employee', operations: [] }),
    })
    const question = check('how big is the web tier, how many nodes are in it', {
      kind: 'inventory',
      operations: [{ operation: 'inventory.count', parameters: {} }],
      targets: { ...none, groups: ['web-servers'] },
      condition: null,
    })
    expect(question.ok && question.read.operations).toEqual([
      { operation: 'inventory.count', parameters: {} },
    ])
  })

  it('asks for what is missing: a required value, or the machines', () => {
    const service = check('restart the service on web01', {
      kind: 'operation',
      operations: [{ operation: 'service.restart', parameters: {} }],
      targets: { ...none, machines: ['web01'] },
      condition: null,
    })
    expect(service.ok && service.read.clarify).toBe('Which service?')
    const machines = check('restart nginx', {
      kind: 'operation',
      operations: [{ operation: 'service.restart', parameters: { service: 'nginx' } }],
      targets: none,
      condition: null,
    })
    expect(machines.ok && machines.read.clarify).toMatch(
      /^Which machines should I restart nginx on\?/,
    )
  })

  it('keeps a script for work the catalog cannot express, per operating system', () => {
    const checked = check('rotate the nginx logs on web01 and app-win01 now', {
      kind: 'script',
      operations: [],
      targets: { ...none, machines: ['web01', 'app-win01'] },
      condition: null,
      script: {
        reason: 'no catalog operation rotates logs',
        linux: 'logrotate -f /etc/logrotate.d/nginx',
        windows: 'Get-ChildItem C:\\nginx\\logs',
      },
    })
    expect(checked.ok && checked.read.proposal).toEqual({
      reason: 'no catalog operation rotates logs',
      scripts: {
        linux: 'logrotate -f /etc/logrotate.d/nginx',
        windows: 'Get-ChildItem C:\\nginx\\logs',
      },
    })
    expect(checked.ok && checked.read.operations).toEqual([])
  })

  it('offers the model a JSON schema with the four kinds', () => {
    expect(JSON.stringify(COMPOSE_SCHEMA)).toContain('"script"')
    expect((COMPOSE_SCHEMA as { type?: string }).type).toBe('object')
  })
})
