import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { InventoryData } from '../inventory/inventory-schema.ts'
import { readOperationRequest } from './request-reader.ts'
import { fleetOf } from './request-targets.ts'

/**
 * Round 19 of the operation reader (issue 10), from the odd half of the fresh9 set (five
 * writers' habits) once its failures were read (`tests/fixtures/operations-dev-fresh9.jsonl`):
 * the reason told before the request is context, errors people tell of are why work is asked,
 * states are not names, what not to do is no step.
 */
const fleet = fleetOf(
  parse(readFileSync('tests/fixtures/operations-inventory.yaml', 'utf8')) as InventoryData,
)
const read = (text: string) => readOperationRequest(text, fleet)

describe('round 19 phrasings', () => {
  it('reads the request after the reason, and only it, when it is whole on its own', () => {
    const request = read(
      'Users on the third floor cannot reach the file server. Could you check whether app-win01 can reach fs01 on port 445?',
    )
    expect(request.operations).toEqual([
      { operation: 'network.port-check', parameters: { host: 'fs01', port: 445 } },
    ])
    expect(request.targets.machines).toEqual(['app-win01'])
    expect(request.targets.groups).toEqual([])
    expect(
      read(
        'Users are complaining about timeouts, so please stop the nginx service on web03, copy nginx/timeouts.conf to /etc/nginx/conf.d/timeouts.conf, and then start nginx again.',
      ).operations.map((step) => step.operation),
    ).toEqual(['service.stop', 'file.copy', 'service.start'])
    // The request leans on the reason for its machines: read whole.
    expect(read('The web servers are slow. Could you restart nginx there?').targets.groups).toEqual(
      ['web-servers'],
    )
  })

  it('errors people tell of are not a step; a state is not a name; "don\'t start it" is no step', () => {
    expect(
      read('does api.partner.example.com resolve from the web boxes? getting dns errors evrywhere')
        .operations,
    ).toEqual([
      { operation: 'network.name-check', parameters: { host: 'api.partner.example.com' } },
    ])
    expect(read('check disk space and recent errors on web01').operations).toHaveLength(2)
    expect(
      read(
        'We have had complaints that the shares are filling up. Could you please check the disk usage on the file servers?',
      ).operations,
    ).toEqual([{ operation: 'disk.usage', parameters: {} }])
    expect(read('users are seeing errors on web01, show me the logs').operations).toEqual([
      { operation: 'logs.errors', parameters: {} },
    ])
    expect(read('remove the broken nodejs package on build02').operations).toEqual([
      { operation: 'package.remove', parameters: { package: 'nodejs' } },
    ])
    expect(
      read(
        'restart php-fpm on all the web servers but only the ones where its running dont start it anywhere it was off',
      ).operations,
    ).toEqual([{ operation: 'service.restart', parameters: { service: 'php-fpm' } }])
    expect(
      read("restart the dataprocessor service on the dp nodes but don't touch dp01").targets.except,
    ).toEqual({ machines: ['dp01'], groups: [] })
  })

  it('commands and questions as these writers put them', () => {
    expect(read('ps check for gunicorn on web01-web03').operations).toEqual([
      { operation: 'process.check', parameters: { process: 'gunicorn' } },
    ])
    expect(read('Stop-Process the hung w3wp on app-win01').operations).toEqual([
      { operation: 'process.stop', parameters: { process: 'w3wp' } },
    ])
    expect(
      read('kill rsync on files-lnx01 its hammering the disk then check df for /srv').operations,
    ).toEqual([
      { operation: 'process.stop', parameters: { process: 'rsync' } },
      { operation: 'disk.usage', parameters: { path: '/srv' } },
    ])
    expect(read('For the asset review, how many machines are in the databases group?').kind).toBe(
      'inventory',
    )
    expect(
      read('Could you tell me who the laptop LT-0423 is assigned to, please?').operations,
    ).toEqual([{ operation: 'inventory.describe', parameters: {} }])
    // Their own trouble with the "I" left out is an employee's request, a server in passing.
    expect(
      read(
        'cant get the vpn to connect at all from home, error 691, need to get on web01 for the incident',
      ).kind,
    ).toBe('employee')
  })
})
