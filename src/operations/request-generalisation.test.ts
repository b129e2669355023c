import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { InventoryData } from '../inventory/inventory-schema.ts'
import { evaluationRecord, readOperationRequest } from './request-reader.ts'
import { fleetOf } from './request-targets.ts'

/**
 * The reader's rules that stand for a family of phrasings rather than one sentence: each test
 * reads sentences of one kind, none of them in the dev sets, and failed before its rule.
 */

const fleet = fleetOf(
  parse(readFileSync('tests/fixtures/operations-inventory.yaml', 'utf8')) as InventoryData,
)
const read = (text: string) => evaluationRecord(readOperationRequest(text, fleet))
const on = (machines: string[], groups: string[] = []) => ({
  machines,
  groups,
  all: false,
  os: null,
})

describe('commands typed as the request', () => {
  it('reads service commands of systemd, SysV and PowerShell as the service operations', () => {
    expect(read('systemctl restart nginx.service on web01').operations).toEqual([
      { operation: 'service.restart', parameters: { service: 'nginx' } },
    ])
    expect(read('service nginx restart on web04')).toEqual({
      kind: 'operation',
      operations: [{ operation: 'service.restart', parameters: { service: 'nginx' } }],
      targets: on(['web04']),
      condition: null,
    })
    expect(read('Stop-Service -Name Spooler -Force on print01').operations).toEqual([
      { operation: 'service.stop', parameters: { service: 'Spooler' } },
    ])
    expect(read('Get-Service W3SVC on app-win01 and app-win02').operations).toEqual([
      { operation: 'service.status', parameters: { service: 'W3SVC' } },
    ])
  })

  it('reads package managers with their flags, process and reboot commands', () => {
    expect(read('apt-get install -y jq on the build agents')).toEqual({
      kind: 'operation',
      operations: [{ operation: 'package.install', parameters: { package: 'jq' } }],
      targets: on([], ['build-agents']),
      condition: null,
    })
    expect(read('sudo dnf -y remove telnet on db01').operations).toEqual([
      { operation: 'package.remove', parameters: { package: 'telnet' } },
    ])
    expect(read('taskkill /im excel.exe /f on WS-FIN-12').operations).toEqual([
      { operation: 'process.stop', parameters: { process: 'excel.exe' } },
    ])
    expect(read('ps aux | grep dataprocessor on dp03').operations).toEqual([
      { operation: 'process.check', parameters: { process: 'dataprocessor' } },
    ])
    expect(read('shutdown -r now on web03').operations).toEqual([
      { operation: 'system.reboot', parameters: {} },
    ])
  })

  it('reads port, name and log commands with their host, port and unit', () => {
    for (const text of [
      'Test-NetConnection db01 -Port 5432 from web02',
      'nc -zv db01 5432 from web02',
      'telnet db01 5432 from web02',
    ])
      expect(read(text), text).toEqual({
        kind: 'operation',
        operations: [{ operation: 'network.port-check', parameters: { host: 'db01', port: 5432 } }],
        targets: on(['web02']),
        condition: null,
      })
    expect(read('journalctl -u nginx on web01').operations).toEqual([
      { operation: 'logs.errors', parameters: { service: 'nginx' } },
    ])
  })
})

describe('conditions by their sense, not their phrasing', () => {
  it('turns the sense by a negation, "unless", and "skip", "ignoring" or "but not" before it', () => {
    const cases: Array<[string, string]> = [
      ["install htop on the db servers where it isn't installed yet", 'only-where-missing'],
      ['update openssl on all linux boxes where it has been installed', 'only-where-installed'],
      ['start tomcat on dp01 and dp02 unless it is already up', 'only-where-stopped'],
      ["stop nginx on the web servers but not where it's already stopped", 'only-where-running'],
      [
        "restart php-fpm on the web servers, ignoring the ones where it's down",
        'only-where-running',
      ],
      [
        "stop apache2 on all web servers, skip any where it's already stopped",
        'only-where-running',
      ],
      ['stop sshd on db01 in case it is running', 'only-where-running'],
      ["install jq on the build agents which don't have it yet", 'only-where-missing'],
    ]
    for (const [text, condition] of cases) expect(read(text).condition, text).toBe(condition)
  })

  it('keeps a condition named by another service apart from the steps, and "it" from it', () => {
    expect(read('reboot web02 if nginx is stopped')).toEqual({
      kind: 'operation',
      operations: [{ operation: 'system.reboot', parameters: {} }],
      targets: on(['web02']),
      condition: 'only-where-stopped',
    })
    expect(read('if nginx is down on web03, start it')).toEqual({
      kind: 'operation',
      operations: [{ operation: 'service.start', parameters: { service: 'nginx' } }],
      targets: on(['web03']),
      condition: 'only-where-stopped',
    })
  })

  it('reads "the servers that have it" as every machine where it holds', () => {
    expect(read('remove telnet from the servers that have telnet')).toMatchObject({
      kind: 'operation',
      operations: [{ operation: 'package.remove', parameters: { package: 'telnet' } }],
      targets: { all: true },
      condition: 'only-where-installed',
    })
  })

  it('leaves a question after "check if", "tell me if" or "any idea if" a status question', () => {
    expect(read('can you tell me if postgres is up on db01')).toEqual({
      kind: 'operation',
      operations: [{ operation: 'service.status', parameters: { service: 'postgres' } }],
      targets: on(['db01']),
      condition: null,
    })
    expect(read('any idea if cron is running on mon01? check it for me').condition).toBeNull()
  })
})

describe('targets named by role, stem or operating system', () => {
  it('reads a role by its initials, a short stem alone and a word a stem starts (from the inventory)', () => {
    expect(read('check uptime on the domain controller').targets).toEqual(on(['dc01']))
    expect(read('restart W32Time on the DC').targets).toEqual(on(['dc01']))
    expect(read('check disk on the monitoring box').targets).toEqual(on(['mon01']))
    expect(read('stop W3SVC on the application servers').targets).toEqual(
      on(['app-win01', 'app-win02']),
    )
    // A later part of a machine's name: "the file server" of a fleet with SRV-FILE-01.
    const small = fleetOf({
      targets: [
        { name: 'SRV-FILE-01', os: 'linux', class: 'server' },
        { name: 'LT-0425', os: 'windows', class: 'laptop' },
      ],
      groups: {},
    } as unknown as InventoryData)
    expect(readOperationRequest('restart smbd on the file server', small).targets).toEqual(
      on(['SRV-FILE-01']),
    )
    // Question words before "servers" are no role: "which servers" is not WS-FIN-12.
    expect(read('which servers are in the web tier').targets).toEqual(on([], ['web-servers']))
  })

  it('reads "any server", "win" and a Linux distribution as the fleet or its operating system', () => {
    expect(read('stop filebeat on any server where it is running')).toEqual({
      kind: 'operation',
      operations: [{ operation: 'service.stop', parameters: { service: 'filebeat' } }],
      targets: { machines: [], groups: [], all: true, os: null },
      condition: 'only-where-running',
    })
    expect(read('restart W32Time on all win servers').targets).toEqual({
      machines: [],
      groups: [],
      all: true,
      os: 'windows',
    })
    expect(read('install htop on all ubuntu boxes').targets.os).toBe('linux')
  })

  it('reads "restart every windows box" as a reboot of the machines, not a service named windows', () => {
    expect(read('restart every windows box').operations).toEqual([
      { operation: 'system.reboot', parameters: {} },
    ])
  })
})

describe('parameters and objects said plainly', () => {
  it('reads "check space" and "space on <path>" as disk usage, the root alone as "/"', () => {
    expect(read('check space on /srv/data on dp02').operations).toEqual([
      { operation: 'disk.usage', parameters: { path: '/srv/data' } },
    ])
    expect(read('how much space on / on the db servers').operations).toEqual([
      { operation: 'disk.usage', parameters: { path: '/' } },
    ])
  })

  it('reads "check dns for" and "dns for" as a name check of that host', () => {
    expect(read('check DNS for git.corp.local on build02').operations).toEqual([
      { operation: 'network.name-check', parameters: { host: 'git.corp.local' } },
    ])
  })

  it('takes a tool name for a package after a package verb', () => {
    expect(read('update powershell on app-win01').operations).toEqual([
      { operation: 'package.update', parameters: { package: 'powershell' } },
    ])
  })

  it('reads "it" after a process as that process again, not as a service', () => {
    expect(read('is java running on dp01, and how much cpu is it using?').operations).toEqual([
      { operation: 'process.check', parameters: { process: 'java' } },
    ])
  })
})

describe('verbs and questions said roundabout', () => {
  it('reads "take X off", "push X out to", "reload X on" and "replace <path> with <path>"', () => {
    expect(read('take nano off web02').operations).toEqual([
      { operation: 'package.remove', parameters: { package: 'nano' } },
    ])
    expect(read('push jq out to the build agents').operations).toEqual([
      { operation: 'package.install', parameters: { package: 'jq' } },
    ])
    expect(read('reload haproxy on web01').operations).toEqual([
      { operation: 'service.restart', parameters: { service: 'haproxy' } },
    ])
    expect(read('replace /etc/motd on db02 with /srv/motd.txt').operations).toEqual([
      { operation: 'file.copy', parameters: { source: '/srv/motd.txt', destination: '/etc/motd' } },
    ])
  })

  it('reads "bring it back up" after a service that crashed or died', () => {
    expect(read('tomcat died on dp02, can you bring it back up').operations).toEqual([
      { operation: 'service.start', parameters: { service: 'tomcat' } },
    ])
  })

  it('reads the host after "resolve" and after "see", a home path and "port N open on H from M"', () => {
    expect(read('does dp02 resolve db01').operations).toEqual([
      { operation: 'network.name-check', parameters: { host: 'db01' } },
    ])
    expect(read('can web03 see redis on 6379')).toEqual({
      kind: 'operation',
      operations: [{ operation: 'network.port-check', parameters: { host: 'redis', port: 6379 } }],
      targets: on(['web03']),
      condition: null,
    })
    expect(read('is port 5432 open on db02 from dp01')).toEqual({
      kind: 'operation',
      operations: [{ operation: 'network.port-check', parameters: { host: 'db02', port: 5432 } }],
      targets: on(['dp01']),
      condition: null,
    })
    expect(read('copy ~/motd to /etc/motd on web02').operations).toEqual([
      { operation: 'file.copy', parameters: { source: '~/motd', destination: '/etc/motd' } },
    ])
  })

  it('answers "who uses X" and a question after "I want to know" from the inventory', () => {
    expect(read('who owns LT-0423').kind).toBe('inventory')
    expect(read('I need to know how many linux servers we run')).toMatchObject({
      kind: 'inventory',
      operations: [{ operation: 'inventory.count', parameters: {} }],
    })
  })
})

describe('ticket shorthand', () => {
  it('reads a bare verb at the end on the service said to be down, and "chk" as check', () => {
    expect(read('URGENT: haproxy down on web03, pls restart')).toEqual({
      kind: 'operation',
      operations: [{ operation: 'service.restart', parameters: { service: 'haproxy' } }],
      targets: on(['web03']),
      condition: null,
    })
    expect(read('can u chk if memcached is up on web02').operations).toEqual([
      { operation: 'service.status', parameters: { service: 'memcached' } },
    ])
  })

  it('reads "the last N hours of logs" as recent errors over N hours', () => {
    expect(read('check the last 6 hours of logs on db01').operations).toEqual([
      { operation: 'logs.errors', parameters: { hours: 6 } },
    ])
  })

  it('reads "from boxes where it is installed" as every machine where it is', () => {
    expect(read("purge nmap from machines where it's installed")).toEqual({
      kind: 'operation',
      operations: [{ operation: 'package.remove', parameters: { package: 'nmap' } }],
      targets: { machines: [], groups: [], all: true, os: null },
      condition: 'only-where-installed',
    })
  })
})

describe('network and inventory questions asked the other way round', () => {
  it('reads "is H reachable from M on port N" as a port check of H from M, not the uptime of H', () => {
    expect(read('is db02 reachable from web04 on port 5432?')).toEqual({
      kind: 'operation',
      operations: [{ operation: 'network.port-check', parameters: { host: 'db02', port: 5432 } }],
      targets: on(['web04']),
      condition: null,
    })
  })

  it('answers "what class is X" and "do we have any macs" from the inventory', () => {
    expect(read('what type is WS-FIN-12').kind).toBe('inventory')
    expect(read('do we have any macbooks?').kind).toBe('inventory')
  })
})

describe('an operating system alone', () => {
  it('reads "on windows" after a step as every machine of it, and not as fleet work by itself', () => {
    expect(read('install 7zip on windows').targets).toEqual({
      machines: [],
      groups: [],
      all: true,
      os: 'windows',
    })
    expect(read('restart sshd on linux only').targets.os).toBe('linux')
    expect(read('Outlook on windows crashes for me').kind).toBe('employee')
  })
})

describe('machines described by what runs on them', () => {
  it('reads "servers running it", "hosts without it", "any web server that doesn\'t have it" and "if it\'s there"', () => {
    const cases: Array<[string, string]> = [
      ['stop cups on the linux servers running it', 'only-where-running'],
      ['install jq on any host without it', 'only-where-missing'],
      ["install htop on any web server that doesn't already have it", 'only-where-missing'],
      ["remove telnet if it's there on all linux servers", 'only-where-installed'],
    ]
    for (const [text, condition] of cases) expect(read(text).condition, text).toBe(condition)
    // Not a state: "running on", "running low", a name "node" before "running".
    expect(read('are any of the linux machines running low on disk?').condition).toBeNull()
    expect(read('anything called node running on web03?').condition).toBeNull()
  })
})

describe('more of the catalog said plainly', () => {
  it('reads a drive letter, "when did X last restart", "end task", "how many X processes" and "tcp N"', () => {
    expect(read('is the D drive full on fs01').operations).toEqual([
      { operation: 'disk.usage', parameters: { path: 'D:\\' } },
    ])
    expect(read('when did db02 last restart?').operations).toEqual([
      { operation: 'system.uptime', parameters: {} },
    ])
    expect(read('end task outlook on WS-FIN-12').operations).toEqual([
      { operation: 'process.stop', parameters: { process: 'outlook' } },
    ])
    expect(read('how many python processes are on dp01')).toMatchObject({
      kind: 'operation',
      operations: [{ operation: 'process.check', parameters: { process: 'python' } }],
    })
    expect(read('test tcp 8443 from web02 to api.partner.com').operations).toEqual([
      { operation: 'network.port-check', parameters: { host: 'api.partner.com', port: 8443 } },
    ])
  })

  it('never takes an adjective or "pid" for a name, and reads "at the latest version" as an update', () => {
    expect(read('hard restart build02').operations).toEqual([
      { operation: 'system.reboot', parameters: {} },
    ])
    expect(read('kill pid 991 on dp03').operations).toEqual([])
    expect(read('make sure git is on the latest version on build01').operations).toEqual([
      { operation: 'package.update', parameters: { package: 'git' } },
    ])
  })
})

describe('the owner before the name', () => {
  it('reads "restart the web servers\' nginx" and "db02\'s postgresql" as the name on the owner', () => {
    expect(read("restart the web servers' nginx")).toEqual({
      kind: 'operation',
      operations: [{ operation: 'service.restart', parameters: { service: 'nginx' } }],
      targets: on([], ['web-servers']),
      condition: null,
    })
    expect(read("stop db02's postgresql").operations).toEqual([
      { operation: 'service.stop', parameters: { service: 'postgresql' } },
    ])
    expect(read('remove the package named nano from web01').operations).toEqual([
      { operation: 'package.remove', parameters: { package: 'nano' } },
    ])
  })
})
