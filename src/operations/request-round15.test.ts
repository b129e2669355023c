import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { InventoryData } from '../inventory/inventory-schema.ts'
import { readOperationRequest } from './request-reader.ts'
import { fleetOf } from './request-targets.ts'

/**
 * Round 15 of the operation reader (issue 10): one verb on two or more objects, exclusions with a
 * description before the names, and a technician's command in the first person with no machine.
 */
const fleet = fleetOf(
  parse(readFileSync('tests/fixtures/operations-inventory.yaml', 'utf8')) as InventoryData,
)
const read = (text: string) => readOperationRequest(text, fleet)
const steps = (text: string) => read(text).operations

describe('one verb on several objects (round 15)', () => {
  it('gives one step per service, in order, whatever the articles and kind nouns', () => {
    const both = [
      { operation: 'service.restart', parameters: { service: 'nginx' } },
      { operation: 'service.restart', parameters: { service: 'php-fpm' } },
    ]
    expect(steps('restart the nginx service and the php-fpm service on web01')).toEqual(both)
    expect(steps('restart nginx and the php-fpm service on web01')).toEqual(both)
    expect(steps('restart both nginx and php-fpm on web01')).toEqual(both)
    expect(steps('restart nginx as well as php-fpm on web01')).toEqual(both)
    expect(steps('stop nginx & php-fpm on the web servers')).toEqual([
      { operation: 'service.stop', parameters: { service: 'nginx' } },
      { operation: 'service.stop', parameters: { service: 'php-fpm' } },
    ])
    expect(steps('stop the dataprocessor and the redis services on dp01')).toEqual([
      { operation: 'service.stop', parameters: { service: 'dataprocessor' } },
      { operation: 'service.stop', parameters: { service: 'redis' } },
    ])
  })

  it('reads a list of three, and lists of processes, packages and status checks', () => {
    expect(steps('restart nginx, php-fpm and redis on web01')).toEqual([
      { operation: 'service.restart', parameters: { service: 'nginx' } },
      { operation: 'service.restart', parameters: { service: 'php-fpm' } },
      { operation: 'service.restart', parameters: { service: 'redis' } },
    ])
    expect(steps('kill java and python on dp01')).toEqual([
      { operation: 'process.stop', parameters: { process: 'java' } },
      { operation: 'process.stop', parameters: { process: 'python' } },
    ])
    expect(steps('install git plus curl on build01')).toEqual([
      { operation: 'package.install', parameters: { package: 'git' } },
      { operation: 'package.install', parameters: { package: 'curl' } },
    ])
    expect(steps('check the nginx service and the php-fpm service on web01')).toEqual([
      { operation: 'service.status', parameters: { service: 'nginx' } },
      { operation: 'service.status', parameters: { service: 'php-fpm' } },
    ])
  })

  it('lists names in capitals, names in a status question and names before a participle', () => {
    expect(steps('restart W3SVC and WAS on app-win01')).toEqual([
      { operation: 'service.restart', parameters: { service: 'W3SVC' } },
      { operation: 'service.restart', parameters: { service: 'WAS' } },
    ])
    expect(steps('check the status of nginx and php-fpm on web02')).toEqual([
      { operation: 'service.status', parameters: { service: 'nginx' } },
      { operation: 'service.status', parameters: { service: 'php-fpm' } },
    ])
    expect(steps('I need nginx and php-fpm restarted on web01')).toEqual([
      { operation: 'service.restart', parameters: { service: 'nginx' } },
      { operation: 'service.restart', parameters: { service: 'php-fpm' } },
    ])
  })

  it('reads "then" between two names as the same verb again', () => {
    const both = [
      { operation: 'service.restart', parameters: { service: 'nginx' } },
      { operation: 'service.restart', parameters: { service: 'php-fpm' } },
    ]
    expect(steps('restart nginx and then php-fpm on web01')).toEqual(both)
    expect(steps('restart nginx, then php-fpm on web01')).toEqual(both)
    expect(steps('stop nginx then start it on web01')).toEqual([
      { operation: 'service.stop', parameters: { service: 'nginx' } },
      { operation: 'service.start', parameters: { service: 'nginx' } },
    ])
  })

  it('reads "+" and "/" between two names as a list', () => {
    const both = [
      { operation: 'service.restart', parameters: { service: 'nginx' } },
      { operation: 'service.restart', parameters: { service: 'php-fpm' } },
    ]
    expect(steps('restart nginx + php-fpm on web01')).toEqual(both)
    expect(steps('restart nginx/php-fpm on web01')).toEqual(both)
  })

  it('still ends a list at the next instruction or a target', () => {
    expect(steps('stop nginx, clear the cache on web01')).toEqual([
      { operation: 'service.stop', parameters: { service: 'nginx' } },
    ])
    expect(steps('restart nginx and web02 on web01')).toEqual([
      { operation: 'service.restart', parameters: { service: 'nginx' } },
    ])
  })
})

describe('exclusions described before they are named (round 15)', () => {
  it('leaves out the machine named after a description', () => {
    for (const text of [
      'restart nginx on all web servers except the one in maintenance, web02',
      'restart nginx on all web servers except the one in maintenance (web02)',
      'restart nginx on the web servers excluding the box under maintenance: web02',
      'restart nginx on all web servers except the one in maintenance which is web02',
    ]) {
      expect(read(text).targets).toEqual({
        machines: [],
        groups: ['web-servers'],
        all: false,
        os: null,
        except: { machines: ['web02'], groups: [] },
      })
    }
    expect(
      read('reboot every linux box apart from the two databases, db01 and db02').targets,
    ).toEqual({
      machines: [],
      groups: [],
      all: true,
      os: 'linux',
      except: { machines: ['db01', 'db02'], groups: [] },
    })
  })

  it('reads "bar", "leave X alone", "without touching X" and "don\'t touch X" as exclusions', () => {
    const web = {
      machines: [],
      groups: ['web-servers'],
      all: false,
      os: null,
      except: { machines: ['web02'], groups: [] },
    }
    expect(read('reboot all web servers bar web02').targets).toEqual(web)
    expect(read('reboot all web servers, leave web02 alone').targets).toEqual(web)
    expect(read("reboot the web servers but don't touch web02").targets).toEqual(web)
    // "the windows ones" left out of every box: the other operating system.
    expect(read('check disk on all boxes but leave out the windows ones').targets).toEqual({
      machines: [],
      groups: [],
      all: true,
      os: 'linux',
    })
    const patched = read('patch curl on all linux servers without touching db01')
    expect(patched.condition).toBeNull()
    expect(patched.targets.except).toEqual({ machines: ['db01'], groups: [] })
  })
})

describe("a technician's first-person command with no machine (round 15)", () => {
  it('is an operation, and the technician is asked which machines', () => {
    for (const [text, operation] of [
      ['I need to restart the print spooler service', 'service.restart'],
      ['can you check disk space for me', 'disk.usage'],
      ['we should reboot after patching', 'system.reboot'],
      ["I'd like to stop the dataprocessor service", 'service.stop'],
      ['we need to check uptime', 'system.uptime'],
      ['we have to restart the print spooler', 'service.restart'],
    ] as const) {
      const request = read(text)
      expect(request.kind, text).toBe('operation')
      expect(request.operations[0]?.operation, text).toBe(operation)
      expect(request.operations[0]?.parameters.service ?? 'spooler', text).not.toBe('print')
      expect(request.targets, text).toEqual({ machines: [], groups: [], all: false, os: null })
      expect(request.clarify, text).toMatch(/^Which machines should I/)
    }
  })

  it("still gives an employee's own trouble and own device to the employee runbooks", () => {
    for (const text of [
      'my laptop is slow',
      "I can't print",
      'I need to restart my laptop',
      'can you restart outlook for me',
      'we need to reboot my computer, it froze',
      'I need to restart teams, it keeps crashing',
      'can you check my disk space',
      'can you reboot it for me, it froze',
    ]) {
      expect(read(text).kind, text).toBe('employee')
    }
  })
})
