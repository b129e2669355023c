import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { InventoryData } from '../inventory/inventory-schema.ts'
import { readOperationRequest } from './request-reader.ts'
import { fleetOf } from './request-targets.ts'

/**
 * Round 14 of the operation reader: the readings that failed on requests written by others
 * (fresh2 operations-held), each checked on a sentence worded unlike the one that showed it.
 */
const fleet = fleetOf(
  parse(readFileSync('tests/fixtures/operations-inventory.yaml', 'utf8')) as InventoryData,
)
const read = (text: string) => readOperationRequest(text, fleet)
const steps = (text: string) => {
  const record = read(text)
  return record.kind === 'operation' ? record.operations : []
}

describe('reading requests worded by others (round 14)', () => {
  it('takes the name after a description and its kind noun, not the description', () => {
    expect(steps('restart the DNS client service Dnscache on app-win02')).toEqual([
      { operation: 'service.restart', parameters: { service: 'Dnscache' } },
    ])
    expect(steps('upgrade the ssl library package libssl3 on web02')).toEqual([
      { operation: 'package.update', parameters: { package: 'libssl3' } },
    ])
    // The kind noun followed by a preposition is no description: the name stays.
    expect(steps('restart the nginx service across the web servers')).toEqual([
      { operation: 'service.restart', parameters: { service: 'nginx' } },
    ])
  })

  it('skips counting words and filler before a name, and keeps a trailing "+"', () => {
    expect(steps('terminate all copies of chrome on app-win01')).toEqual([
      { operation: 'process.stop', parameters: { process: 'chrome' } },
    ])
    expect(steps('plz start postgresql on db01')).toEqual([
      { operation: 'service.start', parameters: { service: 'postgresql' } },
    ])
    expect(steps('remove Notepad++ from app-win02')).toEqual([
      { operation: 'package.remove', parameters: { package: 'Notepad++' } },
    ])
  })

  it('reads a negated "there" and a turned "without" as conditions', () => {
    expect(read("add tmux on dp01 if it isn't there").condition).toBe('only-where-missing')
    expect(read("install git on build01 only if it's not already there").condition).toBe(
      'only-where-missing',
    )
    expect(read('patch bash on the web servers, skipping hosts without bash').condition).toBe(
      'only-where-installed',
    )
  })

  it("finds a log request's service after for/from wherever it stands", () => {
    expect(steps('errors over the last 12 hours for the redis service on dp02')).toEqual([
      { operation: 'logs.errors', parameters: { hours: 12, service: 'redis' } },
    ])
    expect(steps('errors in the application log on app-win01 for W3SVC')).toEqual([
      { operation: 'logs.errors', parameters: { service: 'W3SVC' } },
    ])
    // A kind of log or a group of machines is not a service.
    expect(steps('show errors for the web servers')).toEqual([
      { operation: 'logs.errors', parameters: {} },
    ])
  })

  it('reads a swap as a removal then an install', () => {
    expect(steps('replace exim4 with postfix on web03')).toEqual([
      { operation: 'package.remove', parameters: { package: 'exim4' } },
      { operation: 'package.install', parameters: { package: 'postfix' } },
    ])
    // Hardware swapped by hand is no package work.
    expect(steps('swap the fans for quieter ones on dp01')).toEqual([])
    expect(steps('replace the keyboard with a new keyboard on build01')).toEqual([])
  })

  it('reads a bare port after a dotted host, an arrow as "to", disk, uptime and "it\'s running"', () => {
    expect(steps('dp01 -> cache.internal 11211 reachable?')).toEqual([
      { operation: 'network.port-check', parameters: { host: 'cache.internal', port: 11211 } },
    ])
    expect(steps('check /home on files-lnx01 for space')).toEqual([
      { operation: 'disk.usage', parameters: { path: '/home' } },
    ])
    expect(steps('how long since dp03 was restarted?')).toEqual([
      { operation: 'system.uptime', parameters: {} },
    ])
    expect(steps("restart haproxy on web03 and check it's running")).toEqual([
      { operation: 'service.restart', parameters: { service: 'haproxy' } },
      { operation: 'service.status', parameters: { service: 'haproxy' } },
    ])
  })

  it('stops the process a request names before "stop it", and reads resource questions as process checks', () => {
    expect(steps('leftover node process on web02 -- stop it')).toEqual([
      { operation: 'process.stop', parameters: { process: 'node' } },
    ])
    expect(steps('cpu hog on dp01: is dataprocessor running?')).toEqual([
      { operation: 'process.check', parameters: { process: 'dataprocessor' } },
    ])
    expect(steps('is dataprocessor running on dp01?')).toEqual([
      { operation: 'service.status', parameters: { service: 'dataprocessor' } },
    ])
  })
})

describe('corrections typed after a misspelt name', () => {
  it('runs the step on the corrected name when it is one or two letters off', () => {
    expect(steps('stop the redsi service on dp02 (redis, sorry)')).toEqual([
      { operation: 'service.stop', parameters: { service: 'redis' } },
    ])
    expect(steps('install chromy on dp03, I meant chrony')).toEqual([
      { operation: 'package.install', parameters: { package: 'chrony' } },
    ])
  })

  it('takes a bracketed name as a correction only when the words say so', () => {
    expect(steps('install iotop on dp01 (iftop)')).toEqual([
      { operation: 'package.install', parameters: { package: 'iotop' } },
    ])
  })
})
