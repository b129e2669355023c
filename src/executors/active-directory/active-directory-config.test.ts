import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { HelpdeskError } from '../../errors/index.ts'
import { activeDirectoryConfigFromEnvironment } from './active-directory-config.ts'

const directory = mkdtempSync(path.join(tmpdir(), 'ad-config-'))
const caFile = path.join(directory, 'ca.pem')
writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
const notPem = path.join(directory, 'not.pem')
writeFileSync(notPem, 'hello')

const VALID = {
  AD_URL: 'ldaps://dc01.corp.example.com:636',
  AD_BASE_DN: 'DC=corp,DC=example,DC=com',
  AD_BIND_DN: 'CN=svc-helpdesk,OU=Service Accounts,DC=corp,DC=example,DC=com',
  AD_BIND_CREDENTIAL: 'env:AD_PASSWORD',
}

function problem(environment: NodeJS.ProcessEnv): HelpdeskError {
  try {
    activeDirectoryConfigFromEnvironment(environment)
  } catch (error) {
    if (error instanceof HelpdeskError) return error
    throw error
  }
  throw new Error('expected INVALID_CONFIGURATION')
}

describe('activeDirectoryConfigFromEnvironment', () => {
  it('is not configured without AD_URL', () => {
    expect(activeDirectoryConfigFromEnvironment({})).toBeUndefined()
    expect(activeDirectoryConfigFromEnvironment({ AD_URL: '' })).toBeUndefined()
  })

  it('reads a full configuration with defaults', () => {
    expect(activeDirectoryConfigFromEnvironment(VALID)).toEqual({
      url: VALID.AD_URL,
      baseDn: VALID.AD_BASE_DN,
      bindDn: VALID.AD_BIND_DN,
      bindCredential: 'env:AD_PASSWORD',
      timeoutMs: 10_000,
    })
    const full = activeDirectoryConfigFromEnvironment({
      ...VALID,
      AD_CA_FILE: caFile,
      AD_TLS_SERVERNAME: 'VM.corp.example.test',
      AD_TIMEOUT_MS: '2500',
      AD_BASE_DN: 'OU=Sales\\, EMEA,DC=corp,DC=example,DC=com',
    })
    expect(full).toMatchObject({ tlsServerName: 'VM.corp.example.test', timeoutMs: 2500 })
    expect(full?.caCertificates).toContain('BEGIN CERTIFICATE')
  })

  it.each([
    [{ AD_URL: 'ldap://dc01:389' }, 'AD_URL', /ldaps/],
    [{ AD_BASE_DN: undefined }, 'AD_BASE_DN', /required/],
    [{ AD_BASE_DN: 'corp.example.com' }, 'AD_BASE_DN', /DN such as/],
    [{ AD_BIND_DN: undefined }, 'AD_BIND_DN', /required/],
    [{ AD_BIND_CREDENTIAL: 'Hunter2!secret' }, 'AD_BIND_CREDENTIAL', /credential reference/],
    [{ AD_CA_FILE: path.join(directory, 'missing.pem') }, 'AD_CA_FILE', /ENOENT/],
    [{ AD_CA_FILE: notPem }, 'AD_CA_FILE', /no PEM certificate/],
    [{ AD_TLS_SERVERNAME: 'not a name' }, 'AD_TLS_SERVERNAME', /DNS name/],
    [{ AD_TIMEOUT_MS: 'soon' }, 'AD_TIMEOUT_MS', /AD_TIMEOUT_MS/],
  ])('refuses %o naming %s', (change, variable, message) => {
    const error = problem({ ...VALID, ...change })
    expect(error.code).toBe('INVALID_CONFIGURATION')
    expect(error.details.variable).toBe(variable)
    expect(error.message.startsWith(`${variable}: `)).toBe(true)
    expect(error.message).toMatch(message)
  })

  it('never echoes a password written where the reference belongs', () => {
    const error = problem({ ...VALID, AD_BIND_CREDENTIAL: 'Hunter2!secret' })
    expect(JSON.stringify(error.toJSON())).not.toContain('Hunter2')
  })
})
