import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadInstructions } from '../../knowledge/instructions/instruction-loader.ts'
import { allRunbookSteps, runExecutorContract } from '../executor-contract.case.test.ts'
import { describeDirectoryError } from './active-directory-errors.ts'
import {
  asAdministrator,
  deliveredPassword,
  deliveries$,
  executor,
  facts,
  facts$,
  labSteps,
  resetUser,
  results,
  run,
  signIn,
  userDn,
} from './testing/samba-directory.ts'

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

describe('ActiveDirectoryExecutor against a real Samba AD DC: accounts and groups', () => {
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
})
