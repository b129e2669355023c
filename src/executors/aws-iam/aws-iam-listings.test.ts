import {
  AddUserToGroupCommand,
  IAMClient,
  IAMServiceException,
  ListAccessKeysCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  RemoveUserFromGroupCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import type { SecretDelivery } from '../delivery/secret-delivery.ts'
import { operationStep } from '../testing/operation-step.ts'
import { AwsIamExecutor } from './aws-iam-executor.ts'

// The listing operations and the ones built on them: pagination, idempotent changes.
const iam = mockClient(IAMClient)
const unused: SecretDelivery = {
  id: 'unused',
  deliver: () => Promise.reject(new Error('no secret is delivered by these operations')),
}
const run = (operation: string, values: Record<string, string> = { username: 'jdoe' }) =>
  new AwsIamExecutor({
    client: new IAMClient({ region: 'us-east-1' }),
    delivery: unused,
  }).doExecute(operationStep('aws_iam', operation, values, { idPrefix: 'test' }), {
    requester: 'helpdesk',
    requestId: 'request-1',
  })
const actions = () =>
  iam.calls().map((call) => call.args[0].constructor.name.replace(/Command$/, ''))

beforeEach(() => {
  iam.reset()
})

describe('AwsIamExecutor: access keys', () => {
  const page = (ids: Array<[string, 'Active' | 'Inactive']>, marker?: string) => ({
    AccessKeyMetadata: ids.map(([AccessKeyId, Status]) => ({
      AccessKeyId,
      Status,
      UserName: 'jdoe',
      CreateDate: new Date('2024-05-01T00:00:00Z'),
    })),
    IsTruncated: marker !== undefined,
    ...(marker ? { Marker: marker } : {}),
  })

  it('lists every page of keys', async () => {
    iam
      .on(ListAccessKeysCommand, { UserName: 'jdoe' }, true)
      .resolves(page([['AKIA1', 'Active']], 'next'))
    iam
      .on(ListAccessKeysCommand, { UserName: 'jdoe', Marker: 'next' }, true)
      .resolves(page([['AKIA2', 'Inactive']]))
    const result = await run('list_access_keys')
    expect(iam.commandCalls(ListAccessKeysCommand).map((call) => call.args[0].input)).toEqual([
      { UserName: 'jdoe' },
      { UserName: 'jdoe', Marker: 'next' },
    ])
    expect(result.data?.accessKeys).toEqual([
      { accessKeyId: 'AKIA1', status: 'Active', createDate: '2024-05-01T00:00:00.000Z' },
      { accessKeyId: 'AKIA2', status: 'Inactive', createDate: '2024-05-01T00:00:00.000Z' },
    ])
    expect(result.changed).toBe(false)
  })

  it('deactivates every Active key across pages and names them', async () => {
    iam.on(ListAccessKeysCommand, { UserName: 'jdoe' }, true).resolves(
      page(
        [
          ['AKIA1', 'Active'],
          ['AKIA2', 'Inactive'],
        ],
        'p2',
      ),
    )
    iam
      .on(ListAccessKeysCommand, { UserName: 'jdoe', Marker: 'p2' }, true)
      .resolves(page([['AKIA3', 'Active']]))
    const result = await run('deactivate_access_key')
    expect(iam.commandCalls(UpdateAccessKeyCommand).map((call) => call.args[0].input)).toEqual([
      { UserName: 'jdoe', AccessKeyId: 'AKIA1', Status: 'Inactive' },
      { UserName: 'jdoe', AccessKeyId: 'AKIA3', Status: 'Inactive' },
    ])
    expect(result).toMatchObject({
      status: 'succeeded',
      changed: true,
      data: { deactivated: ['AKIA1', 'AKIA3'], alreadyInactive: ['AKIA2'] },
    })
  })

  it('with no Active key, succeeds without a change', async () => {
    iam.on(ListAccessKeysCommand).resolves(page([['AKIA2', 'Inactive']]))
    const result = await run('deactivate_access_key')
    expect(result).toMatchObject({ status: 'succeeded', changed: false })
    expect(actions()).toEqual(['ListAccessKeys'])
  })

  it('a failure half-way still reports the key it changed', async () => {
    iam.on(ListAccessKeysCommand).resolves(
      page([
        ['AKIA1', 'Active'],
        ['AKIA3', 'Active'],
      ]),
    )
    iam.on(UpdateAccessKeyCommand, { AccessKeyId: 'AKIA3' }).rejects(
      new IAMServiceException({
        name: 'Throttling',
        $fault: 'client',
        $metadata: { attempts: 3 },
        message: 'Rate exceeded',
      }),
    )
    const result = await run('deactivate_access_key')
    expect(result).toMatchObject({
      status: 'failed',
      errorCode: 'IAM_THROTTLED',
      changed: true,
      data: { deactivated: ['AKIA1'], transient: true },
    })
    expect(result.errorMessage).toContain('after 3 attempts')
  })
})

describe('AwsIamExecutor: groups and MFA', () => {
  const groups = (...names: string[]) => ({
    Groups: names.map((GroupName) => ({
      GroupName,
      GroupId: 'G',
      Arn: 'a',
      Path: '/',
      CreateDate: new Date(),
    })),
  })

  it('adds a user who is not a member, after reading the memberships', async () => {
    iam.on(ListGroupsForUserCommand).resolves(groups('devs'))
    const result = await run('add_user_to_group', { username: 'jdoe', group: 'jira-users' })
    expect(actions()).toEqual(['ListGroupsForUser', 'AddUserToGroup'])
    expect(iam.commandCalls(AddUserToGroupCommand)[0]?.args[0].input).toEqual({
      GroupName: 'jira-users',
      UserName: 'jdoe',
    })
    expect(result.changed).toBe(true)
  })

  it('adding a member again changes nothing (names compare regardless of case)', async () => {
    iam.on(ListGroupsForUserCommand).resolves(groups('Jira-Users'))
    const result = await run('add_user_to_group', { username: 'jdoe', group: 'jira-users' })
    expect(result).toMatchObject({ status: 'succeeded', changed: false })
    expect(result.stdout).toContain('already a member')
    expect(actions()).toEqual(['ListGroupsForUser'])
  })

  it('removes a member; removing a non-member succeeds, changes nothing and says so', async () => {
    iam.on(ListGroupsForUserCommand).resolves(groups('jira-users'))
    expect(
      await run('remove_user_from_group', { username: 'jdoe', group: 'jira-users' }),
    ).toMatchObject({ changed: true })
    expect(iam.commandCalls(RemoveUserFromGroupCommand)[0]?.args[0].input).toEqual({
      GroupName: 'jira-users',
      UserName: 'jdoe',
    })
    iam.reset()
    iam.on(ListGroupsForUserCommand).resolves(groups('devs'))
    const result = await run('remove_user_from_group', { username: 'jdoe', group: 'jira-users' })
    expect(result).toMatchObject({
      status: 'succeeded',
      changed: false,
      stdout: 'jdoe was not a member of jira-users; nothing changed',
    })
    expect(actions()).toEqual(['ListGroupsForUser'])
  })

  it('lists MFA devices', async () => {
    iam.on(ListMFADevicesCommand, { UserName: 'jdoe' }).resolves({
      MFADevices: [
        {
          UserName: 'jdoe',
          SerialNumber: 'arn:aws:iam::1:mfa/jdoe',
          EnableDate: new Date('2024-02-03T00:00:00Z'),
        },
      ],
    })
    const result = await run('list_mfa_devices')
    expect(result.data?.mfaDevices).toEqual([
      { serialNumber: 'arn:aws:iam::1:mfa/jdoe', enableDate: '2024-02-03T00:00:00.000Z' },
    ])
    expect(result).toMatchObject({ status: 'succeeded', changed: false })
  })
})
