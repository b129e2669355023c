import {
  CreateLoginProfileCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  IAMClient,
  IAMServiceException,
  NoSuchEntityException,
  PasswordPolicyViolationException,
  UpdateLoginProfileCommand,
} from '@aws-sdk/client-iam'
import { mockClient } from 'aws-sdk-client-mock'
import fc from 'fast-check'
import { beforeEach, describe, expect, it } from 'vitest'
import type { PlanStep } from '../../planning/plan.ts'
import type { SecretDelivery } from '../delivery/secret-delivery.ts'
import { operationStep } from '../testing/operation-step.ts'
import { AwsIamExecutor } from './aws-iam-executor.ts'
import { generateConsolePassword } from './aws-iam-operations.ts'

const iam = mockClient(IAMClient)
let delivered: string[] = []
const delivery: SecretDelivery = {
  id: 'memory',
  async deliver({ secret }) {
    delivered.push(secret.reveal())
    return { receipt: `receipt-${delivered.length}` }
  },
}
const executor = () =>
  new AwsIamExecutor({ client: new IAMClient({ region: 'us-east-1' }), delivery })
const context = { requester: 'helpdesk', requestId: 'request-1' }
const noSuchEntity = (message: string) =>
  new NoSuchEntityException({ message, $metadata: { httpStatusCode: 404 } })

function iamStep(operation: string, values: Record<string, string | boolean>): PlanStep {
  return operationStep('aws_iam', operation, values)
}
const run = (operation: string, values: Record<string, string | boolean> = { username: 'jdoe' }) =>
  executor().doExecute(iamStep(operation, values), context)
const actions = () =>
  iam.calls().map((call) => call.args[0].constructor.name.replace(/Command$/, ''))

beforeEach(() => {
  iam.reset()
  delivered = []
})

describe('AwsIamExecutor: get_user', () => {
  it('reads the user and its login profile', async () => {
    iam.on(GetUserCommand, { UserName: 'jdoe' }).resolves({
      User: {
        UserName: 'jdoe',
        UserId: 'AIDA1',
        Arn: 'arn:aws:iam::1:user/jdoe',
        Path: '/',
        CreateDate: new Date('2024-01-02T00:00:00Z'),
      },
    })
    iam.on(GetLoginProfileCommand, { UserName: 'jdoe' }).resolves({
      LoginProfile: { UserName: 'jdoe', CreateDate: new Date(), PasswordResetRequired: true },
    })
    const result = await run('get_user')
    expect(actions()).toEqual(['GetUser', 'GetLoginProfile'])
    expect(result).toMatchObject({ status: 'succeeded', changed: false })
    expect(result.data).toMatchObject({
      arn: 'arn:aws:iam::1:user/jdoe',
      consoleAccess: true,
      passwordResetRequired: true,
    })
    expect(result.wouldRun).toBe(
      'aws_iam.get_user(username="jdoe"): iam:GetUser(UserName="jdoe"); iam:GetLoginProfile(UserName="jdoe")',
    )
  })

  it('reports no console access when the user has no login profile; that is not a failure', async () => {
    iam.on(GetUserCommand).resolves({
      User: { UserName: 'jdoe', UserId: 'A', Arn: 'arn', Path: '/', CreateDate: new Date() },
    })
    iam
      .on(GetLoginProfileCommand)
      .rejects(noSuchEntity('Login Profile for User jdoe cannot be found.'))
    const result = await run('get_user')
    expect(result.status).toBe('succeeded')
    expect(result.data).toMatchObject({ consoleAccess: false, passwordResetRequired: null })
    expect(result.stdout).toContain('no console access')
  })

  it('fails with IAM_NO_SUCH_ENTITY for an unknown user and stops there', async () => {
    iam.on(GetUserCommand).rejects(noSuchEntity('The user with name jdoe cannot be found.'))
    const result = await run('get_user')
    expect(result).toMatchObject({
      status: 'failed',
      errorCode: 'IAM_NO_SUCH_ENTITY',
      changed: false,
    })
    expect(result.errorMessage).toContain('cannot be found. Check the spelling')
    expect(actions()).toEqual(['GetUser'])
  })
})

describe('AwsIamExecutor: reset_console_password', () => {
  it('updates an existing login profile; the password goes only to the delivery', async () => {
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'jdoe', CreateDate: new Date() } })
    iam.on(UpdateLoginProfileCommand).resolves({})
    const result = await run('reset_console_password', {
      username: 'jdoe',
      passwordResetRequired: true,
    })
    expect(actions()).toEqual(['GetLoginProfile', 'UpdateLoginProfile'])
    const sent = iam.commandCalls(UpdateLoginProfileCommand)[0]?.args[0].input
    expect(sent).toEqual({ UserName: 'jdoe', Password: delivered[0], PasswordResetRequired: true })
    expect(delivered[0]).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)(?=.*[^A-Za-z\d]).{20}$/)
    expect(result).toMatchObject({ status: 'succeeded', changed: true })
    expect(result.stdout).toContain('receipt-1')
    expect(result.wouldRun).toBe(
      'aws_iam.reset_console_password(username="jdoe", passwordResetRequired=true): iam:GetLoginProfile(UserName="jdoe"); iam:UpdateLoginProfile(UserName="jdoe", Password=[generated], PasswordResetRequired=true)',
    )
    expect(JSON.stringify(result)).not.toContain(delivered[0])
  })

  it('creates a login profile when the user has none, with the requested PasswordResetRequired', async () => {
    iam
      .on(GetLoginProfileCommand)
      .rejects(noSuchEntity('Login Profile for User jdoe cannot be found.'))
    iam
      .on(CreateLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'jdoe', CreateDate: new Date() } })
    const result = await run('reset_console_password', {
      username: 'jdoe',
      passwordResetRequired: false,
    })
    expect(actions()).toEqual(['GetLoginProfile', 'CreateLoginProfile'])
    expect(iam.commandCalls(CreateLoginProfileCommand)[0]?.args[0].input).toMatchObject({
      PasswordResetRequired: false,
    })
    expect(result.data).toMatchObject({ loginProfileCreated: true })
    expect(JSON.stringify(result)).not.toContain(delivered[0])
  })

  it('requires a new password at next sign-in when the runbook does not say', async () => {
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'jdoe', CreateDate: new Date() } })
    await run('reset_console_password')
    expect(
      iam.commandCalls(UpdateLoginProfileCommand)[0]?.args[0].input.PasswordResetRequired,
    ).toBe(true)
  })

  it('a policy refusal changes nothing and delivers nothing', async () => {
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'jdoe', CreateDate: new Date() } })
    iam
      .on(UpdateLoginProfileCommand)
      .rejects(new PasswordPolicyViolationException({ message: 'too short', $metadata: {} }))
    const result = await run('reset_console_password')
    expect(result).toMatchObject({
      status: 'failed',
      errorCode: 'IAM_PASSWORD_POLICY',
      changed: false,
    })
    expect(delivered).toEqual([])
  })

  it('a failed delivery fails the step but says the password was changed', async () => {
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'jdoe', CreateDate: new Date() } })
    let password = ''
    const failing: SecretDelivery = {
      id: 'broken',
      async deliver({ secret }) {
        password = secret.reveal()
        throw new Error('queue is full')
      },
    }
    const result = await new AwsIamExecutor({
      client: new IAMClient({}),
      delivery: failing,
    }).doExecute(iamStep('reset_console_password', { username: 'jdoe' }), context)
    expect(result).toMatchObject({
      status: 'failed',
      errorCode: 'SECRET_DELIVERY_FAILED',
      changed: true,
    })
    expect(result.errorMessage).toContain('queue is full')
    expect(password).toHaveLength(20)
    expect(JSON.stringify(result)).not.toContain(password)
  })
})

describe('AwsIamExecutor: refusals and failures', () => {
  it('maps an SDK error to a failed result naming the action (the table: aws-iam-errors.test.ts)', async () => {
    const denied = new IAMServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'not authorized to perform: iam:GetUser',
    })
    iam.on(GetUserCommand).rejects(denied)
    const result = await run('get_user')
    expect(result).toMatchObject({
      status: 'failed',
      errorCode: 'IAM_ACCESS_DENIED',
      changed: false,
      data: { transient: false },
    })
    expect(result.errorMessage).toContain('may not call iam:GetUser')
    expect(result.wouldRun).toBe('aws_iam.get_user(username="jdoe"): iam:GetUser(UserName="jdoe")')
  })

  it('refuses any user or group name outside IAM rules before a single call', async () => {
    const bad = fc.string({ maxLength: 140 }).filter((text) => !/^[\w+=,.@-]{1,64}$/.test(text))
    await fc.assert(
      fc.asyncProperty(bad, async (username) => {
        const result = await run('get_user', { username })
        expect(result).toMatchObject({ status: 'failed', errorCode: 'INVALID_INPUT' })
      }),
    )
    for (const group of ['', 'a b', 'x'.repeat(129), 'g;rm', 'grp\n', 'g/rp']) {
      expect(await run('add_user_to_group', { username: 'jdoe', group })).toMatchObject({
        errorCode: 'INVALID_INPUT',
      })
    }
    expect(
      await run('reset_console_password', { username: 'jdoe', passwordResetRequired: 'yes' }),
    ).toMatchObject({ errorCode: 'INVALID_INPUT' })
    expect(iam.calls()).toHaveLength(0)
  })

  it('refuses steps that are not catalog aws_iam operations', async () => {
    expect(await run('delete_user')).toMatchObject({
      status: 'failed',
      errorCode: 'UNKNOWN_OPERATION',
    })
    const script: PlanStep = {
      ...iamStep('get_user', {}),
      invocation: { type: 'guidance', text: 'call IT' },
    }
    expect(await executor().doExecute(script, context)).toMatchObject({
      errorCode: 'UNSUPPORTED_STEP',
    })
    expect(iam.calls()).toHaveLength(0)
  })

  it("passes the caller's abort signal to every call", async () => {
    iam.on(GetUserCommand).resolves({
      User: { UserName: 'jdoe', UserId: 'A', Arn: 'a', Path: '/', CreateDate: new Date() },
    })
    iam.on(GetLoginProfileCommand).resolves({})
    const controller = new AbortController()
    await executor().doExecute(iamStep('get_user', { username: 'jdoe' }), {
      ...context,
      signal: controller.signal,
    })
    expect(iam.calls().map((call) => (call.args as unknown[])[1])).toEqual([
      { abortSignal: controller.signal },
      { abortSignal: controller.signal },
    ])
  })
})

describe('generateConsolePassword', () => {
  it('meets the IAM default policy and strict custom ones, and never repeats', () => {
    const seen = new Set<string>()
    for (let index = 0; index < 500; index++) {
      const password = generateConsolePassword()
      expect(password).toMatch(
        /^(?=.*[A-Z])(?=.*[a-z])(?=.*[2-9])(?=.*[!@#$%^&*()_+\-=[\]{}|]).{20}$/,
      )
      // Nothing a technician could misread on the phone.
      expect(password).not.toMatch(/[0O1lI]/)
      seen.add(password)
    }
    expect(seen.size).toBe(500)
  })
})
