import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Attribute, Change, Client, type ClientOptions } from 'ldapts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { temporaryDirectory } from '../../../tests/support/temporary-directory.ts'
import { startTestService } from '../../../tests/support/test-services.ts'
import { loadInstructions } from '../../knowledge/instructions/instruction-loader.ts'
import type { PlanStep } from '../../planning/plan.ts'
import { quoteLdapDnValue, quoteLdapFilterValue } from '../../rendering/ldap-quoting.ts'
import { FileSecretDelivery } from '../delivery/file-secret-delivery.ts'
import type { StepResult } from '../executor.ts'
import { allRunbookSteps, runExecutorContract } from '../executor-contract.case.test.ts'
import { activeDirectoryConfigFromEnvironment } from './active-directory-config.ts'
import { describeDirectoryError } from './active-directory-errors.ts'
import { ActiveDirectoryExecutor } from './active-directory-executor.ts'

let facts: Record<string, string> = {}
const facts$ = startTestService('samba-dc').then((found) => {
  facts = found
  return found
})
const deliveries$ = temporaryDirectory('ad-deliveries')
/** Every result of this file, checked at the end for any delivered password. */
const results: StepResult[] = []
const LAB_GROUPS = ['jira-users', 'vpn-users', 'finance-share']

function environment(change: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    AD_URL: facts.LDAP_URL,
    AD_BASE_DN: facts.LDAP_BASE_DN,
    AD_BIND_DN: facts.LDAP_BIND_DN,
    AD_BIND_CREDENTIAL: `file:${facts.LDAP_BIND_PASSWORD_FILE}`,
    AD_CA_FILE: facts.LDAP_CA_FILE,
    AD_TLS_SERVERNAME: facts.LDAP_TLS_SERVERNAME,
    AD_TIMEOUT_MS: '10000',
    ...change,
  }
}

async function executor(
  change: Record<string, string | undefined> = {},
  extra: {
    createClient?: (options: ClientOptions) => Client
    environment?: NodeJS.ProcessEnv
  } = {},
): Promise<ActiveDirectoryExecutor> {
  const config = activeDirectoryConfigFromEnvironment(environment(change))
  if (!config) throw new Error('AD_URL is set, so the executor must be configured')
  const delivery = new FileSecretDelivery((await deliveries$).path)
  return new ActiveDirectoryExecutor({ config, delivery, ...extra })
}

function step(operation: string, values: Record<string, string | boolean>): PlanStep {
  return {
    id: `test.${operation}`,
    actionId: operation,
    title: operation,
    executor: 'active_directory',
    risk: 'low',
    readOnly:
      operation.startsWith('find') || operation.startsWith('get') || operation.startsWith('list'),
    approvalLevel: 0,
    invocation: {
      type: 'operation',
      executor: 'active_directory',
      operation,
      description: operation,
      arguments: values,
    },
  }
}

async function run(
  operation: string,
  values: Record<string, string | boolean>,
): Promise<StepResult> {
  const result = await (await executor()).doExecute(step(operation, values), {
    requester: 'tech',
    requestId: `it-${operation}`,
  })
  results.push(result)
  return result
}

function clientOptions(): ClientOptions {
  return {
    url: facts.LDAP_URL ?? '',
    timeout: 10_000,
    tlsOptions: {
      ca: [readFileSync(facts.LDAP_CA_FILE ?? '')],
      servername: facts.LDAP_TLS_SERVERNAME,
    },
  }
}

async function asAdministrator<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client(clientOptions())
  try {
    await client.bind(
      facts.LDAP_BIND_DN ?? '',
      readFileSync(facts.LDAP_BIND_PASSWORD_FILE ?? '', 'utf8').trim(),
    )
    return await work(client)
  } finally {
    await client.unbind()
  }
}

/** Binds as the user: undefined when the directory accepts the password, else the error. */
async function signIn(username: string, password: string): Promise<unknown> {
  const client = new Client(clientOptions())
  try {
    await client.bind(`${facts.LDAP_REALM?.split('.')[0]}\\${username}`, password)
    return undefined
  } catch (error) {
    return error
  } finally {
    await client.unbind()
  }
}

async function userDn(client: Client, username: string): Promise<string> {
  const { searchEntries } = await client.search(facts.LDAP_BASE_DN ?? '', {
    filter: `(sAMAccountName=${quoteLdapFilterValue(username)})`,
    attributes: ['distinguishedName'],
  })
  const dn = searchEntries[0]?.dn
  if (!dn) throw new Error(`lab user ${username} is missing`)
  return dn
}

/** Earlier tests (or runs) may have left the user locked, disabled, renamed in groups... */
async function resetUser(username: string): Promise<void> {
  await asAdministrator(async (client) => {
    const dn = await userDn(client, username)
    const replace = (type: string, values: string[] | Buffer[]) =>
      new Change({ operation: 'replace', modification: new Attribute({ type, values }) })
    await client.modify(dn, [
      replace('unicodePwd', [Buffer.from(`"${facts.LDAP_USER_PASSWORD}"`, 'utf16le')]),
      replace('pwdLastSet', ['-1']),
      replace('userAccountControl', ['512']),
      replace('lockoutTime', ['0']),
    ])
    for (const group of LAB_GROUPS) {
      const groupDn = `CN=${quoteLdapDnValue(group)},CN=Users,${facts.LDAP_BASE_DN}`
      const member = new Attribute({ type: 'member', values: [dn] })
      await client
        .modify(groupDn, new Change({ operation: 'delete', modification: member }))
        .catch(() => undefined)
    }
  })
}

async function deliveredPassword(receipt: string): Promise<string> {
  const id = /delivery ([0-9a-f-]{36})/.exec(receipt)?.[1]
  if (!id) throw new Error(`no delivery id in ${receipt}`)
  const file = path.join((await deliveries$).path, `${id}.json`)
  return (JSON.parse(readFileSync(file, 'utf8')) as { secret: string }).secret
}

runExecutorContract({
  name: 'active_directory against a real Samba AD DC',
  async create() {
    await facts$
    await resetUser('dave')
    return executor()
  },
  // Every Active Directory step of every runbook, for the lab user dave instead of jdoe.
  steps: (instructions) => labSteps(allRunbookSteps(instructions)),
})

function labSteps(steps: PlanStep[]): PlanStep[] {
  return steps
    .filter((each) => each.executor === 'active_directory')
    .map((each) => {
      const invocation = each.invocation
      if (invocation.type !== 'operation' || !('username' in invocation.arguments)) return each
      return {
        ...each,
        invocation: { ...invocation, arguments: { ...invocation.arguments, username: 'dave' } },
      }
    })
}

describe('ActiveDirectoryExecutor against a real Samba AD DC', () => {
  beforeAll(async () => {
    await facts$
  })
  afterAll(async () => {
    await (await deliveries$).remove()
  })

  it('performs every runbook step for a lab user', async () => {
    await resetUser('dave')
    const steps = labSteps(allRunbookSteps(await loadInstructions('data/instructions')))
    expect(
      new Set(
        steps.map((each) => each.invocation.type === 'operation' && each.invocation.operation),
      ).size,
    ).toBeGreaterThanOrEqual(5)
    const ad = await executor()
    for (const each of steps) {
      const result = await ad.doExecute(each, { requester: 'tech', requestId: each.id })
      results.push(result)
      expect(result.status, `${each.id}: ${result.errorMessage}`).toBe('succeeded')
    }
  })

  it('finds a user by login name', async () => {
    const result = await run('find_user', { username: 'alice' })
    expect(result).toMatchObject({
      status: 'succeeded',
      changed: false,
      wouldRun: 'active_directory.find_user(username="alice")',
    })
    expect(result.data).toMatchObject({
      distinguishedName: `CN=Alice Anders,CN=Users,${facts.LDAP_BASE_DN}`,
      givenName: 'Alice',
      surname: 'Anders',
    })
  })

  it('shows an account locked by three wrong passwords, and unlocks it', async () => {
    await resetUser('bob')
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(describeDirectoryError(await signIn('bob', 'Wrong-Passw0rd!')).errorCode).toBe(
        'LDAP_INVALID_CREDENTIALS',
      )
    }
    const status = await run('get_user_status', { username: 'bob' })
    expect(status.status).toBe('succeeded')
    expect(status.data).toMatchObject({
      locked: true,
      disabled: false,
      passwordExpired: false,
      mustChangePassword: false,
      badPwdCount: 3,
    })
    expect(status.stdout).toContain('locked out')
    const locked = describeDirectoryError(await signIn('bob', facts.LDAP_USER_PASSWORD ?? ''), {
      account: 'bob',
    })
    expect(locked).toEqual({
      errorCode: 'LDAP_ACCOUNT_LOCKED',
      message:
        'bob: the account is locked out after too many wrong passwords; unlock it (AD data 775)',
    })

    const unlocked = await run('unlock_account', { username: 'bob' })
    expect(unlocked).toMatchObject({ status: 'succeeded', changed: true })
    expect(unlocked.data).toMatchObject({ locked: false, badPwdCount: 0 })
    expect(await signIn('bob', facts.LDAP_USER_PASSWORD ?? '')).toBeUndefined()
    expect(await run('unlock_account', { username: 'bob' })).toMatchObject({
      status: 'succeeded',
      changed: false,
    })
  })

  it('resets a password that must be changed at next sign-in, delivered only to the delivery', async () => {
    await resetUser('alice')
    const result = await run('reset_password', { username: 'alice', mustChangeAtNextLogon: true })
    expect(result).toMatchObject({ status: 'succeeded', changed: true })
    expect(result.data).toMatchObject({ mustChangePassword: true, locked: false })
    const password = await deliveredPassword(String(result.data?.delivery))
    expect(result.stdout).toContain(String(result.data?.delivery))
    expect(describeDirectoryError(await signIn('alice', password)).errorCode).toBe(
      'LDAP_MUST_CHANGE_PASSWORD',
    )
    expect(
      describeDirectoryError(await signIn('alice', facts.LDAP_USER_PASSWORD ?? '')).errorCode,
    ).toBe('LDAP_INVALID_CREDENTIALS')
  })

  it('resets a password that works at once without must-change', async () => {
    await resetUser('alice')
    const result = await run('reset_password', { username: 'alice', mustChangeAtNextLogon: false })
    expect(result).toMatchObject({ status: 'succeeded', changed: true })
    expect(result.data).toMatchObject({ mustChangePassword: false })
    expect(
      await signIn('alice', await deliveredPassword(String(result.data?.delivery))),
    ).toBeUndefined()
  })

  it('disables and enables an account, idempotently', async () => {
    await resetUser('carol')
    const disabled = await run('disable_account', { username: 'carol' })
    expect(disabled).toMatchObject({ status: 'succeeded', changed: true })
    expect(disabled.data).toMatchObject({ disabled: true })
    expect(
      describeDirectoryError(await signIn('carol', facts.LDAP_USER_PASSWORD ?? '')).errorCode,
    ).toBe('LDAP_ACCOUNT_DISABLED')
    expect(await run('disable_account', { username: 'carol' })).toMatchObject({
      status: 'succeeded',
      changed: false,
    })
    const enabled = await run('enable_account', { username: 'carol' })
    expect(enabled).toMatchObject({ status: 'succeeded', changed: true })
    expect(enabled.data).toMatchObject({ disabled: false })
    expect(await signIn('carol', facts.LDAP_USER_PASSWORD ?? '')).toBeUndefined()
    expect(await run('enable_account', { username: 'carol' })).toMatchObject({
      status: 'succeeded',
      changed: false,
    })
  })

  it('adds, lists and removes a group member, idempotently', async () => {
    await resetUser('dave')
    const memberOf = () =>
      asAdministrator(async (client) => {
        const { searchEntries } = await client.search(await userDn(client, 'dave'), {
          scope: 'base',
          filter: '(objectClass=*)',
          attributes: ['memberOf'],
        })
        return ([] as string[]).concat(
          (searchEntries[0]?.memberOf as string[] | string | undefined) ?? [],
        )
      })
    const vpnDn = `CN=vpn-users,CN=Users,${facts.LDAP_BASE_DN}`
    expect(await run('add_group_member', { username: 'dave', group: 'vpn-users' })).toMatchObject({
      status: 'succeeded',
      changed: true,
    })
    expect(await memberOf()).toContain(vpnDn)
    expect(await run('add_group_member', { username: 'dave', group: 'vpn-users' })).toMatchObject({
      status: 'succeeded',
      changed: false,
    })
    const listed = await run('list_group_members', { group: 'vpn-users' })
    expect(listed).toMatchObject({ status: 'succeeded', changed: false })
    expect(listed.data?.members).toEqual(['dave'])
    expect(
      await run('remove_group_member', { username: 'dave', group: 'vpn-users' }),
    ).toMatchObject({ status: 'succeeded', changed: true })
    expect(await memberOf()).not.toContain(vpnDn)
    expect(
      await run('remove_group_member', { username: 'dave', group: 'vpn-users' }),
    ).toMatchObject({ status: 'succeeded', changed: false })
    expect((await run('list_group_members', { group: 'vpn-users' })).data?.members).toEqual([])
  })

  it('fails clearly for an unknown user or group', async () => {
    const user = await run('get_user_status', { username: 'nosuchuser' })
    expect(user).toMatchObject({ status: 'failed', changed: false, errorCode: 'AD_USER_NOT_FOUND' })
    expect(user.errorMessage).toContain('"nosuchuser"')
    const group = await run('add_group_member', { username: 'dave', group: 'no-such-group' })
    expect(group).toMatchObject({ status: 'failed', errorCode: 'AD_GROUP_NOT_FOUND' })
  })

  it('refuses to change privileged accounts and groups', async () => {
    expect(
      await run('reset_password', { username: 'Administrator', mustChangeAtNextLogon: true }),
    ).toMatchObject({ status: 'failed', errorCode: 'AD_PROTECTED_OBJECT', changed: false })
    expect(
      await run('add_group_member', { username: 'dave', group: 'Domain Admins' }),
    ).toMatchObject({ status: 'failed', errorCode: 'AD_PROTECTED_OBJECT' })
    const admins = await run('list_group_members', { group: 'Domain Admins' })
    expect(admins.data?.members).toEqual(['Administrator'])
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

  it('never puts a delivered password in any result', async () => {
    const deliveries = (await deliveries$).path
    const secrets = readdirSync(deliveries).map(
      (file) =>
        (JSON.parse(readFileSync(path.join(deliveries, file), 'utf8')) as { secret: string })
          .secret,
    )
    expect(secrets.length).toBeGreaterThanOrEqual(3)
    const text = JSON.stringify(results)
    for (const secret of secrets) expect(text).not.toContain(secret)
    expect(text).not.toContain(facts.LDAP_USER_PASSWORD)
    expect(text).not.toContain(readFileSync(facts.LDAP_BIND_PASSWORD_FILE ?? '', 'utf8').trim())
  })

  it('leaves no connection open', async () => {
    await run('get_user_status', { username: 'alice' })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const sockets = process.getActiveResourcesInfo().filter((each) => /TCP|TLS/i.test(each))
    expect(sockets).toEqual([])
  })
})
