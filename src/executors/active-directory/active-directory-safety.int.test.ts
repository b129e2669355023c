import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { Client } from 'ldapts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { temporaryDirectory } from '../../../tests/support/temporary-directory.ts'
import { quoteLdapFilterValue } from '../../rendering/ldap-quoting.ts'
import {
  asAdministrator,
  deliveries$,
  executor,
  facts,
  facts$,
  resetUser,
  run,
  step,
} from './testing/samba-directory.ts'

describe('ActiveDirectoryExecutor against a real Samba AD DC: injection, TLS, sign-in, connections', () => {
  beforeAll(async () => {
    await facts$
  })
  afterAll(async () => {
    await (await deliveries$).remove()
  })

  it('refuses filter-injection input before it reaches the directory', async () => {
    let clients = 0
    const counting = await executor(
      {},
      {
        createClient: (options) => {
          clients += 1
          return new Client(options)
        },
      },
    )
    for (const username of ['*)(sAMAccountName=*', '*', 'alice)(|(cn=*']) {
      const result = await counting.doExecute(step('get_user_status', { username }), {
        requester: 'tech',
        requestId: 'inject',
      })
      expect(result).toMatchObject({ status: 'failed', errorCode: 'INVALID_INPUT', changed: false })
    }
    expect(
      await counting.doExecute(step('list_group_members', { group: 'jira-users)(cn=*' }), {
        requester: 'tech',
        requestId: 'inject',
      }),
    ).toMatchObject({ errorCode: 'INVALID_INPUT' })
    expect(clients).toBe(0)
  })

  it('makes the injection input harmless at the quoting layer on its own', async () => {
    const count = (filter: string) =>
      asAdministrator(
        async (client) =>
          (
            await client.search(facts.LDAP_BASE_DN ?? '', {
              filter,
              attributes: ['sAMAccountName'],
            })
          ).searchEntries.length,
      )
    for (const input of ['*)(sAMAccountName=*', '*']) {
      // Unquoted, the input would match every user: the check below has teeth.
      expect(await count(`(&(objectClass=user)(sAMAccountName=${input}))`)).toBeGreaterThan(4)
      expect(
        await count(`(&(objectClass=user)(sAMAccountName=${quoteLdapFilterValue(input)}))`),
      ).toBe(0)
    }
  })

  it('refuses a directory whose certificate does not chain to AD_CA_FILE, or carries another name', async () => {
    const other = await temporaryDirectory('ad-other-ca')
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=Other CA',
          '-keyout',
          path.join(other.path, 'key.pem'),
          '-out',
          path.join(other.path, 'ca.pem'),
        ],
        { stdio: 'ignore' },
      )
      const untrusted = await (
        await executor({ AD_CA_FILE: path.join(other.path, 'ca.pem') })
      ).doExecute(step('find_user', { username: 'alice' }), { requester: 'tech', requestId: 'tls' })
      expect(untrusted).toMatchObject({ status: 'failed', errorCode: 'LDAP_TLS_UNTRUSTED' })
      expect(untrusted.errorMessage).toContain('AD_CA_FILE')
    } finally {
      await other.remove()
    }
    const wrongName = await (await executor({ AD_TLS_SERVERNAME: undefined })).doExecute(
      step('find_user', { username: 'alice' }),
      { requester: 'tech', requestId: 'tls' },
    )
    expect(wrongName).toMatchObject({ status: 'failed', errorCode: 'LDAP_TLS_NAME_MISMATCH' })
    const refused = await (await executor({ AD_URL: 'ldaps://127.0.0.1:1' })).doExecute(
      step('find_user', { username: 'alice' }),
      { requester: 'tech', requestId: 'tls' },
    )
    expect(refused).toMatchObject({ status: 'failed', errorCode: 'LDAP_CONNECTION_REFUSED' })
  })

  it('names the service account when its own sign-in is refused', async () => {
    await resetUser('carol')
    const asCarol = {
      AD_BIND_DN: `carol@${facts.LDAP_REALM}`,
      AD_BIND_CREDENTIAL: 'env:HELPDESK_TEST_CAROL',
    }
    const unset = await (await executor(asCarol, { environment: {} })).doExecute(
      step('find_user', { username: 'alice' }),
      { requester: 'tech', requestId: 'bind' },
    )
    expect(unset).toMatchObject({ status: 'failed', errorCode: 'INVALID_CONFIGURATION' })
    expect(unset.errorMessage).toContain('env:HELPDESK_TEST_CAROL')
    const wrong = await executor(asCarol, {
      environment: { HELPDESK_TEST_CAROL: 'Wrong-Passw0rd!' },
    })
    const refused = await wrong.doExecute(step('find_user', { username: 'alice' }), {
      requester: 'tech',
      requestId: 'bind',
    })
    expect(refused).toMatchObject({ status: 'failed', errorCode: 'LDAP_INVALID_CREDENTIALS' })
    expect(refused.errorMessage).toMatch(/^service account carol@.*: the password is wrong/)
    // A plain user may bind and read: the executor works with any account the directory accepts.
    const right = await executor(asCarol, {
      environment: { HELPDESK_TEST_CAROL: facts.LDAP_USER_PASSWORD },
    })
    expect(
      await right.doExecute(step('find_user', { username: 'alice' }), {
        requester: 'tech',
        requestId: 'bind',
      }),
    ).toMatchObject({ status: 'succeeded' })
    await resetUser('carol')
  })

  it('leaves no connection open', async () => {
    await run('get_user_status', { username: 'alice' })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const sockets = process.getActiveResourcesInfo().filter((each) => /TCP|TLS/i.test(each))
    expect(sockets).toEqual([])
  })
})
