import { readdir, readFile } from 'node:fs/promises'
import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeIamEndpoint } from '../../../tests/support/fake-iam-endpoint.ts'
import { temporaryDirectory } from '../../../tests/support/temporary-directory.ts'
import type { PlanStep } from '../../planning/plan.ts'
import { FileSecretDelivery } from '../delivery/file-secret-delivery.ts'
import { allRunbookSteps, runExecutorContract } from '../executor-contract.case.test.ts'
import { operationStep } from '../testing/operation-step.ts'
import { awsIamConfigFromEnvironment } from './aws-iam-config.ts'
import { AwsIamExecutor } from './aws-iam-executor.ts'

// The SDK's real signed HTTP requests, sent to a loopback IAM that checks every signature.
const ACCESS_KEY_ID = 'AKIAHELPDESKTEST0001'
const SECRET_ACCESS_KEY = 'helpdesk/Test+Secret/Key0000000000000000'
let fake: FakeIamEndpoint
let deliveries: { path: string; remove: () => Promise<void> }
const started = (async () => {
  fake = await FakeIamEndpoint.start({ [ACCESS_KEY_ID]: SECRET_ACCESS_KEY })
  deliveries = await temporaryDirectory('iam-deliveries')
})()

/** Exactly what production does: environment variables in, executor out; credentials by the SDK chain. */
function executorFromEnvironment(overrides: Record<string, string | undefined> = {}) {
  const environment: Record<string, string | undefined> = {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    // Keeps a developer's ~/.aws out of the test.
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_IAM_ENDPOINT: fake.url,
    AWS_IAM_TIMEOUT_MS: '5000',
    AWS_MAX_ATTEMPTS: '3',
    ...overrides,
  }
  for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value)
  const config = awsIamConfigFromEnvironment(process.env)
  return AwsIamExecutor.fromConfig(config, new FileSecretDelivery(deliveries.path))
}

function step(operation: string, values: Record<string, string | boolean>): PlanStep {
  return operationStep('aws_iam', operation, values, { idPrefix: 'int' })
}
const context = { requester: 'helpdesk', requestId: 'int-request' }
const run = (operation: string, values: Record<string, string | boolean> = { username: 'jdoe' }) =>
  executorFromEnvironment().doExecute(step(operation, values), context)
const sent = () => fake.requests.map((request) => ({ action: request.action, ...request.params }))

beforeAll(async () => {
  await started
})
beforeEach(() => {
  fake.reset()
  fake.groups.add('jira-users')
  fake.addUser('jdoe', {
    loginProfile: { passwordResetRequired: false, password: 'Old-Password-1' },
    accessKeys: [
      { accessKeyId: 'AKIAJDOE00000000001', status: 'Active' },
      { accessKeyId: 'AKIAJDOE00000000002', status: 'Inactive' },
      { accessKeyId: 'AKIAJDOE00000000003', status: 'Active' },
    ],
    groups: new Set(['developers']),
    mfaDevices: ['arn:aws:iam::123456789012:mfa/jdoe'],
  })
  fake.addUser('newhire')
})
afterAll(async () => {
  vi.unstubAllEnvs()
  await fake.close()
  await deliveries.remove()
})

runExecutorContract({
  name: 'AWS IAM against a loopback IAM Query endpoint',
  async create() {
    await started
    return executorFromEnvironment()
  },
  steps: (instructions) =>
    allRunbookSteps(instructions).filter((each) => each.executor === 'aws_iam'),
})

describe('AwsIamExecutor over HTTP, configured from the environment', () => {
  it('signs with SigV4 for iam in the configured region, with the key from the default chain', async () => {
    const result = await run('get_user')
    expect(result).toMatchObject({
      status: 'succeeded',
      data: { consoleAccess: true, userName: 'jdoe' },
    })
    expect(sent()).toEqual([
      { action: 'GetUser', Version: '2010-05-08', UserName: 'jdoe' },
      { action: 'GetLoginProfile', Version: '2010-05-08', UserName: 'jdoe' },
    ])
    for (const request of fake.requests) {
      expect(request.authorization).toMatch(
        new RegExp(
          `^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/\\d{8}/eu-west-1/iam/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$`,
        ),
      )
      expect(request.scope).toMatchObject({
        accessKeyId: ACCESS_KEY_ID,
        region: 'eu-west-1',
        service: 'iam',
      })
      expect(request.amzDate).toMatch(/^\d{8}T\d{6}Z$/)
      expect(request.host).toBe(new URL(fake.url).host)
      expect(request.contentType).toBe('application/x-www-form-urlencoded')
    }
  })

  it('resets a console password: IAM gets it, the delivery file holds it, the result never does', async () => {
    const result = await run('reset_console_password', {
      username: 'jdoe',
      passwordResetRequired: true,
    })
    expect(result).toMatchObject({ status: 'succeeded', changed: true })
    expect(sent().map((request) => request.action)).toEqual([
      'GetLoginProfile',
      'UpdateLoginProfile',
    ])
    const password = fake.users.get('jdoe')?.loginProfile?.password ?? ''
    expect(password).not.toBe('Old-Password-1')
    expect(fake.requestsFor('UpdateLoginProfile')[0]?.params).toEqual({
      Version: '2010-05-08',
      UserName: 'jdoe',
      Password: password,
      PasswordResetRequired: 'true',
    })
    const files = await readdir(deliveries.path)
    const stored = await Promise.all(
      files.map((file) => readFile(join(deliveries.path, file), 'utf8')),
    )
    expect(stored.map((text) => JSON.parse(text).secret)).toContain(password)
    expect(JSON.stringify(result)).not.toContain(password)
    expect(result.wouldRun).toContain('Password=[generated], PasswordResetRequired=true')
  })

  it('creates the login profile of a user without console access', async () => {
    const result = await run('reset_console_password', {
      username: 'newhire',
      passwordResetRequired: false,
    })
    expect(sent().map((request) => request.action)).toEqual([
      'GetLoginProfile',
      'CreateLoginProfile',
    ])
    expect(fake.users.get('newhire')?.loginProfile?.passwordResetRequired).toBe(false)
    expect(result).toMatchObject({
      status: 'succeeded',
      changed: true,
      data: { loginProfileCreated: true },
    })
  })

  it('pages through the keys and deactivates only the Active ones', async () => {
    fake.pageSize = 2
    const listed = await run('list_access_keys')
    expect(listed.data?.accessKeys).toHaveLength(3)
    expect(fake.requestsFor('ListAccessKeys').map((request) => request.params.Marker)).toEqual([
      undefined,
      '2',
    ])
    fake.requests.length = 0
    const result = await run('deactivate_access_key')
    expect(fake.requestsFor('UpdateAccessKey').map((request) => request.params)).toEqual([
      {
        Version: '2010-05-08',
        UserName: 'jdoe',
        AccessKeyId: 'AKIAJDOE00000000001',
        Status: 'Inactive',
      },
      {
        Version: '2010-05-08',
        UserName: 'jdoe',
        AccessKeyId: 'AKIAJDOE00000000003',
        Status: 'Inactive',
      },
    ])
    expect(fake.users.get('jdoe')?.accessKeys.every((key) => key.status === 'Inactive')).toBe(true)
    expect(result).toMatchObject({
      changed: true,
      data: { deactivated: ['AKIAJDOE00000000001', 'AKIAJDOE00000000003'] },
    })
    expect((await run('deactivate_access_key')).changed).toBe(false)
  })

  it('adds to and removes from a group, and removing a non-member changes nothing', async () => {
    const membership = { username: 'jdoe', group: 'jira-users' }
    expect(await run('add_user_to_group', membership)).toMatchObject({
      status: 'succeeded',
      changed: true,
    })
    expect(fake.requestsFor('AddUserToGroup')[0]?.params).toEqual({
      Version: '2010-05-08',
      GroupName: 'jira-users',
      UserName: 'jdoe',
    })
    expect(fake.users.get('jdoe')?.groups.has('jira-users')).toBe(true)
    expect(await run('remove_user_from_group', membership)).toMatchObject({ changed: true })
    expect(fake.users.get('jdoe')?.groups.has('jira-users')).toBe(false)
    const again = await run('remove_user_from_group', membership)
    expect(again).toMatchObject({ status: 'succeeded', changed: false })
    expect(fake.requestsFor('RemoveUserFromGroup')).toHaveLength(1)
  })

  it('lists MFA devices', async () => {
    const result = await run('list_mfa_devices')
    expect(result.data?.mfaDevices).toEqual([
      {
        serialNumber: 'arn:aws:iam::123456789012:mfa/jdoe',
        enableDate: '2024-03-01T09:30:00.000Z',
      },
    ])
    expect(sent()).toEqual([{ action: 'ListMFADevices', Version: '2010-05-08', UserName: 'jdoe' }])
  })
})

describe('AwsIamExecutor over HTTP: retries and failures', () => {
  it('the SDK retries a 500 ServiceFailure and a Throttling answer, up to AWS_MAX_ATTEMPTS', async () => {
    // 4, not the SDK's default of 3, so that the setting is seen to apply.
    const patient = () => executorFromEnvironment({ AWS_MAX_ATTEMPTS: '4' })
    fake.failNext('GetUser', 500, 'ServiceFailure', 3)
    const get = step('get_user', { username: 'jdoe' })
    expect(await patient().doExecute(get, context)).toMatchObject({ status: 'succeeded' })
    expect(fake.requestsFor('GetUser')).toHaveLength(4)
    fake.requests.length = 0
    fake.failNext('GetUser', 400, 'Throttling', 5)
    const throttled = await patient().doExecute(get, context)
    expect(throttled).toMatchObject({
      status: 'failed',
      errorCode: 'IAM_THROTTLED',
      data: { transient: true },
    })
    expect(throttled.errorMessage).toContain('after 4 attempts')
    expect(fake.requestsFor('GetUser')).toHaveLength(4)
  })

  it('a NoSuchEntity is final: one request, a clear failure', async () => {
    const result = await run('get_user', { username: 'nobody' })
    expect(result).toMatchObject({
      status: 'failed',
      errorCode: 'IAM_NO_SUCH_ENTITY',
      changed: false,
    })
    expect(result.errorMessage).toContain('The user with name nobody cannot be found')
    expect(fake.requests).toHaveLength(1)
  })

  it('a wrong secret key or an unknown key id are named as such, not retried', async () => {
    const wrongSecret = executorFromEnvironment({ AWS_SECRET_ACCESS_KEY: 'not-the-secret' })
    expect(
      await wrongSecret.doExecute(step('get_user', { username: 'jdoe' }), context),
    ).toMatchObject({ errorCode: 'IAM_SIGNATURE_MISMATCH' })
    const unknownKey = executorFromEnvironment({ AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN000000000' })
    expect(
      await unknownKey.doExecute(step('get_user', { username: 'jdoe' }), context),
    ).toMatchObject({ errorCode: 'IAM_INVALID_CREDENTIALS' })
    expect(fake.requests).toHaveLength(2)
  })

  it('an endpoint that never answers times out per attempt (AWS_IAM_TIMEOUT_MS), and abort stops a call', async () => {
    const sockets = new Set<Socket>()
    const silent = createServer((socket) => sockets.add(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const address = silent.address()
    const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
    try {
      const slow = executorFromEnvironment({
        AWS_IAM_ENDPOINT: endpoint,
        AWS_IAM_TIMEOUT_MS: '300',
        AWS_MAX_ATTEMPTS: '2',
      })
      const timedOut = await slow.doExecute(step('get_user', { username: 'jdoe' }), context)
      expect(timedOut).toMatchObject({
        status: 'failed',
        errorCode: 'IAM_TIMEOUT',
        data: { transient: true },
      })
      expect(sockets.size).toBe(2)
      const patient = executorFromEnvironment({
        AWS_IAM_ENDPOINT: endpoint,
        AWS_IAM_TIMEOUT_MS: '60000',
      })
      const aborted = await patient.doExecute(step('get_user', { username: 'jdoe' }), {
        ...context,
        signal: AbortSignal.timeout(200),
      })
      expect(aborted).toMatchObject({ status: 'failed', errorCode: 'IAM_ABORTED' })
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => silent.close(resolve))
    }
  })

  it('an endpoint nobody listens on is unreachable', async () => {
    const closed = await FakeIamEndpoint.start()
    const url = closed.url
    await closed.close()
    const executor = executorFromEnvironment({ AWS_IAM_ENDPOINT: url, AWS_MAX_ATTEMPTS: '1' })
    const result = await executor.doExecute(step('get_user', { username: 'jdoe' }), context)
    executor.close()
    expect(result).toMatchObject({ status: 'failed', errorCode: 'IAM_UNREACHABLE' })
  })
})
