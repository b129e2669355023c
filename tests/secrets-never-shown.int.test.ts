import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { startTestService } from './support/test-services.ts'

const run = promisify(execFile)
let facts: Record<string, string> = {}
let dataDirectory = ''

beforeAll(async () => {
  facts = await startTestService('samba-dc')
  dataDirectory = mkdtempSync(path.join(tmpdir(), 'secrets-'))
})

describe('secrets never appear in output, logs, results or audit records', () => {
  it('a real password reset: the new password reaches only the delivery file', async () => {
    const bindPassword = readFileSync(facts.LDAP_BIND_PASSWORD_FILE ?? '', 'utf8').trim()
    const environment = {
      ...process.env,
      HELPDESK_DATA_DIR: dataDirectory,
      LOG_LEVEL: 'debug',
      AD_URL: facts.LDAP_URL,
      AD_BASE_DN: facts.LDAP_BASE_DN,
      AD_BIND_DN: facts.LDAP_BIND_DN,
      AD_BIND_CREDENTIAL: `file:${facts.LDAP_BIND_PASSWORD_FILE}`,
      AD_CA_FILE: facts.LDAP_CA_FILE,
      AD_TLS_SERVERNAME: facts.LDAP_TLS_SERVERNAME,
    }
    const outputs: string[] = []
    for (const extra of [['--json'], []]) {
      const { stdout, stderr } = await run(
        process.execPath,
        [
          'bin/helpdesk.js',
          'run',
          'password_reset',
          '--param',
          'username=dave',
          '--param',
          'system=active_directory',
          '--yes',
          ...extra,
        ],
        { env: environment },
      )
      outputs.push(stdout, stderr)
    }
    expect(outputs.join('\n')).toContain('[succeeded] password_reset.')
    const deliveries = readdirSync(path.join(dataDirectory, 'deliveries'))
    expect(deliveries).toHaveLength(2)
    const passwords = deliveries.map(
      (file) =>
        (
          JSON.parse(readFileSync(path.join(dataDirectory, 'deliveries', file), 'utf8')) as {
            secret: string
          }
        ).secret,
    )
    // The receipt names the delivery; the password itself is nowhere else.
    const database = readFileSync(path.join(dataDirectory, 'helpdesk.sqlite')).toString('latin1')
    const databaseUtf16 = readFileSync(path.join(dataDirectory, 'helpdesk.sqlite')).toString(
      'utf16le',
    )
    for (const secret of [...passwords, bindPassword]) {
      expect(secret.length).toBeGreaterThan(8)
      for (const text of [...outputs, database, databaseUtf16])
        expect(text.includes(secret)).toBe(false)
    }
    expect(outputs.join('\n')).toMatch(/delivery [0-9a-f-]{36}/)
  })
})
