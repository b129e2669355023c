import { IAMClient } from '@aws-sdk/client-iam'
import { mockClient } from 'aws-sdk-client-mock'
import { describe, expect, it } from 'vitest'
import { AWS_IAM_OPERATIONS, type AwsIamOperation } from '../operation-catalog.ts'
import { operationStep } from '../testing/operation-step.ts'
import {
  describePlannedIamCalls,
  formatIamCalls,
  iamCallsAsData,
  plannedIamCalls,
} from './aws-iam-calls.ts'
import { AwsIamExecutor } from './aws-iam-executor.ts'

const ARGUMENTS = { username: 'jdoe', group: 'jira-users' }

describe('the IAM calls of each operation, as data', () => {
  it('lists a reset for a dry run with the password as a placeholder', () => {
    expect(formatIamCalls(plannedIamCalls('reset_console_password', ARGUMENTS))).toBe(
      'iam:GetLoginProfile(UserName="jdoe"); ' +
        'iam:UpdateLoginProfile(UserName="jdoe", Password=[generated], PasswordResetRequired=true) if the user has a console password; ' +
        'iam:CreateLoginProfile(UserName="jdoe", Password=[generated], PasswordResetRequired=true) if the user has none',
    )
    expect(iamCallsAsData(plannedIamCalls('reset_console_password', ARGUMENTS))[1]).toEqual({
      action: 'iam:UpdateLoginProfile',
      input: { UserName: 'jdoe', Password: '[generated]', PasswordResetRequired: true },
    })
  })

  it('lists a deactivation with one UpdateAccessKey per Active key', () => {
    expect(formatIamCalls(plannedIamCalls('deactivate_access_key', ARGUMENTS))).toBe(
      'iam:ListAccessKeys(UserName="jdoe") repeated with Marker while IsTruncated; ' +
        'iam:UpdateAccessKey(UserName="jdoe", AccessKeyId=[each Active key], Status="Inactive") for each Active key',
    )
  })

  it('describes a planned step for the dry-run executor from its invocation arguments', () => {
    expect(describePlannedIamCalls('remove_user_from_group', ARGUMENTS)).toBe(
      'iam:ListGroupsForUser(UserName="jdoe"); iam:RemoveUserFromGroup(GroupName="jira-users", UserName="jdoe") if a member',
    )
    expect(
      describePlannedIamCalls('reset_console_password', {
        username: 'jdoe',
        passwordResetRequired: false,
      }),
    ).toContain('PasswordResetRequired=false')
    expect(describePlannedIamCalls('delete_user', ARGUMENTS)).toBeUndefined()
  })

  it('quotes values, so a name cannot pass for another parameter', () => {
    const text = formatIamCalls(
      plannedIamCalls('add_user_to_group', { username: 'a", X="b', group: 'g' }),
    )
    expect(text).toContain('UserName="a\\", X=\\"b"')
  })

  // The plan must not drift from the code: whatever the executor really calls was listed.
  it.each(Object.keys(AWS_IAM_OPERATIONS) as AwsIamOperation[])(
    'plans every call %s really makes',
    async (operation) => {
      const iam = mockClient(IAMClient)
      iam.onAnyCommand().resolves({
        User: { UserName: 'jdoe', UserId: 'A', Arn: 'a', Path: '/', CreateDate: new Date() },
        AccessKeyMetadata: [{ AccessKeyId: 'AKIA1', Status: 'Active' }],
        Groups: [
          { GroupName: 'jira-users', GroupId: 'G', Arn: 'a', Path: '/', CreateDate: new Date() },
        ],
        MFADevices: [],
      })
      const delivery = { id: 'memory', deliver: async () => ({ receipt: 'r' }) }
      const result = await new AwsIamExecutor({ client: new IAMClient({}), delivery }).doExecute(
        operationStep('aws_iam', operation, ARGUMENTS, { idPrefix: 't' }),
        { requester: 'jdoe', requestId: 'r' },
      )
      const planned = new Set(plannedIamCalls(operation, ARGUMENTS).map((call) => call.action))
      const made = iam.calls().map((call) => call.args[0].constructor.name.replace(/Command$/, ''))
      expect(result.status).toBe('succeeded')
      expect(made.length).toBeGreaterThan(0)
      for (const action of made) expect(planned, `${operation} made ${action}`).toContain(action)
      iam.restore()
    },
  )
})
