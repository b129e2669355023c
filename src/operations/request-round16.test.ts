import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { InventoryData } from '../inventory/inventory-schema.ts'
import { readOperationRequest } from './request-reader.ts'
import { fleetOf } from './request-targets.ts'

/**
 * Round 16 of the operation reader (issue 10): a status question about several services is one
 * status check per service, never one check or none.
 */
const fleet = fleetOf(
  parse(readFileSync('tests/fixtures/operations-inventory.yaml', 'utf8')) as InventoryData,
)
const steps = (text: string) => readOperationRequest(text, fleet).operations
const status = (...services: string[]) =>
  services.map((service) => ({ operation: 'service.status', parameters: { service } }))

describe('status questions about several services (round 16)', () => {
  it('asks one status per service, in order', () => {
    expect(steps('are nginx and php-fpm running on web01?')).toEqual(status('nginx', 'php-fpm'))
    expect(steps('check whether sshd and cron are up on web02')).toEqual(status('sshd', 'cron'))
    expect(steps('check if the nginx and php-fpm services are running on web01')).toEqual(
      status('nginx', 'php-fpm'),
    )
    expect(steps('are cron and rsyslog up on every linux box?')).toEqual(status('cron', 'rsyslog'))
    expect(steps('please check nginx, php-fpm and memcached on web02')).toEqual(
      status('nginx', 'php-fpm', 'memcached'),
    )
    expect(steps('are nginx, php-fpm, and redis still running on web01')).toEqual(
      status('nginx', 'php-fpm', 'redis'),
    )
  })

  it('leaves machines in the list to the machine-state readings', () => {
    expect(steps('are web01 and web02 up?')).not.toContainEqual(
      expect.objectContaining({ operation: 'service.status' }),
    )
  })

  it("reads 'kick' on an owner's service as a restart of that service, never a reboot", () => {
    expect(steps("kick the build agents' jenkins-agent service")).toEqual([
      { operation: 'service.restart', parameters: { service: 'jenkins-agent' } },
    ])
    expect(steps("kick web01's nginx")).toEqual([
      { operation: 'service.restart', parameters: { service: 'nginx' } },
    ])
  })
})
