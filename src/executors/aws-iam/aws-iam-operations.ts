import { randomInt } from 'node:crypto'
import {
  AddUserToGroupCommand,
  CreateLoginProfileCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  RemoveUserFromGroupCommand,
  UpdateAccessKeyCommand,
  UpdateLoginProfileCommand,
} from '@aws-sdk/client-iam'
import type { AuditValue } from '../../audit/audit-log.ts'
import { Secret } from '../../inventory/secret.ts'
import type { SecretDelivery } from '../delivery/secret-delivery.ts'
import type { AwsIamOperation } from '../operation-catalog.ts'
import {
  GENERATED_PASSWORD,
  type IamAction,
  type IamCall,
  type IamOperationArguments,
} from './aws-iam-calls.ts'
import { iamFailure } from './aws-iam-errors.ts'

/**
 * What each AWS IAM operation of the catalog does, call by call. Every call goes through an
 * `IamSession`, which records it (password replaced by a placeholder) for `wouldRun` and the audit.
 * @module
 */

/** A listing longer than this many pages is a loop, not an account. */
const MAX_PAGES = 100

type Facts = { [key: string]: AuditValue }
type SendOptions = { abortSignal?: AbortSignal }

/** Delivery failed after the password was set: the step failed, but it did change the account. */
export class DeliveryFailed extends Error {}

/** The calls one step made, for `wouldRun`; whether one of them changed anything. */
export class IamSession {
  readonly calls: IamCall[] = []
  changed = false
  readonly facts: Facts = {}
  private readonly signal: AbortSignal | undefined
  constructor(signal: AbortSignal | undefined) {
    this.signal = signal
  }

  async run<Output>(
    call: IamCall,
    send: (options: SendOptions) => Promise<Output>,
    changes = false,
  ): Promise<Output> {
    this.calls.push(call)
    const output = await send(this.signal ? { abortSignal: this.signal } : {})
    if (changes) this.changed = true
    return output
  }

  get lastAction(): IamAction | undefined {
    return this.calls.at(-1)?.action
  }

  /** Every page of a listing for one user; each page is its own recorded call. */
  async pages<Output extends { IsTruncated?: boolean; Marker?: string }>(
    action: IamAction,
    username: string,
    send: (input: { UserName: string; Marker?: string }, options: SendOptions) => Promise<Output>,
  ): Promise<Output[]> {
    const outputs: Output[] = []
    let marker: string | undefined
    for (let page = 0; page < MAX_PAGES; page++) {
      const input = { UserName: username, ...(marker ? { Marker: marker } : {}) }
      const output = await this.run({ action, input }, (options) => send(input, options))
      outputs.push(output)
      marker = output.IsTruncated ? output.Marker : undefined
      if (!marker) break
    }
    return outputs
  }
}

function isNoSuchEntity(error: unknown): boolean {
  return iamFailure(error).errorCode === 'IAM_NO_SUCH_ENTITY'
}

function iso(date: Date | undefined): string | null {
  return date ? date.toISOString() : null
}

/**
 * 20 characters from all four classes, so it meets IAM's default policy and the usual custom
 * ones (length, upper, lower, digit, symbol). Ambiguous characters (0 O 1 l I) are left out
 * because a technician may read it out on the phone.
 */
export function generateConsolePassword(length = 20): string {
  const classes = [
    'ABCDEFGHJKLMNPQRSTUVWXYZ',
    'abcdefghijkmnopqrstuvwxyz',
    '23456789',
    '!@#$%^&*()_+-=[]{}|',
  ]
  const all = classes.join('')
  const pick = (from: string) => from.charAt(randomInt(from.length))
  const characters = classes.map(pick)
  while (characters.length < length) characters.push(pick(all))
  for (let index = characters.length - 1; index > 0; index--) {
    const other = randomInt(index + 1)
    ;[characters[index], characters[other]] = [characters[other] ?? '', characters[index] ?? '']
  }
  return characters.join('')
}

/** The operations themselves; the executor validated the arguments before any of them runs. */
export class IamOperations {
  private readonly client: IAMClient
  private readonly delivery: SecretDelivery
  constructor(client: IAMClient, delivery: SecretDelivery) {
    this.client = client
    this.delivery = delivery
  }

  perform(
    operation: AwsIamOperation,
    args: IamOperationArguments,
    session: IamSession,
    requestId: string,
  ): Promise<string> {
    switch (operation) {
      case 'get_user':
        return this.getUser(args.username, session)
      case 'reset_console_password':
        return this.resetConsolePassword(args, session, requestId)
      case 'list_access_keys':
        return this.listAccessKeys(args.username, session)
      case 'deactivate_access_key':
        return this.deactivateAccessKeys(args.username, session)
      case 'add_user_to_group':
      case 'remove_user_from_group':
        return this.changeMembership(operation === 'add_user_to_group', args, session)
      case 'list_mfa_devices':
        return this.listMfaDevices(args.username, session)
    }
  }

  private async getUser(username: string, session: IamSession): Promise<string> {
    const input = { UserName: username }
    const { User: user } = await session.run({ action: 'GetUser', input }, (options) =>
      this.client.send(new GetUserCommand(input), options),
    )
    const profile = await this.loginProfile(username, session)
    Object.assign(session.facts, {
      userName: user?.UserName ?? username,
      userId: user?.UserId ?? null,
      arn: user?.Arn ?? null,
      createDate: iso(user?.CreateDate),
      passwordLastUsed: iso(user?.PasswordLastUsed),
      consoleAccess: profile !== undefined,
      passwordResetRequired: profile?.PasswordResetRequired ?? null,
    })
    const consoleAccess = profile
      ? `console access yes, new password required at next sign-in: ${profile.PasswordResetRequired ? 'yes' : 'no'}`
      : 'no console access (no login profile)'
    return `IAM user ${user?.UserName ?? username} (${user?.Arn ?? 'no ARN'}): ${consoleAccess}`
  }

  /** The login profile, or undefined when the user has none (no console access is a fact, not a failure). */
  private async loginProfile(username: string, session: IamSession) {
    const input = { UserName: username }
    try {
      const output = await session.run({ action: 'GetLoginProfile', input }, (options) =>
        this.client.send(new GetLoginProfileCommand(input), options),
      )
      return output.LoginProfile
    } catch (error) {
      if (isNoSuchEntity(error)) return undefined
      throw error
    }
  }

  private async resetConsolePassword(
    { username, passwordResetRequired = true }: IamOperationArguments,
    session: IamSession,
    requestId: string,
  ): Promise<string> {
    const hadProfile = (await this.loginProfile(username, session)) !== undefined
    const password = generateConsolePassword()
    const input = {
      UserName: username,
      Password: password,
      PasswordResetRequired: passwordResetRequired,
    }
    const shown = { ...input, Password: GENERATED_PASSWORD }
    if (hadProfile) {
      await session.run(
        { action: 'UpdateLoginProfile', input: shown },
        (options) => this.client.send(new UpdateLoginProfileCommand(input), options),
        true,
      )
    } else {
      await session.run(
        { action: 'CreateLoginProfile', input: shown },
        (options) => this.client.send(new CreateLoginProfileCommand(input), options),
        true,
      )
    }
    // Set first, then deliver: a delivered password always works. If delivery fails the old
    // password is gone too, so the step fails and says to run it again.
    let receipt: string
    try {
      receipt = (
        await this.delivery.deliver({
          account: username,
          system: 'aws_iam',
          requestId,
          secret: new Secret(password, 'generated'),
        })
      ).receipt
    } catch (error) {
      const reason = error instanceof Error ? error.message.slice(0, 200) : 'unknown reason'
      throw new DeliveryFailed(
        `the console password of ${username} was changed but could not be delivered (${this.delivery.id}: ${reason}); run the reset again once delivery works`,
      )
    }
    Object.assign(session.facts, {
      userName: username,
      loginProfileCreated: !hadProfile,
      passwordResetRequired,
      delivery: receipt,
    })
    const what = hadProfile ? 'reset' : 'set (console access was off; a login profile was created)'
    const change = passwordResetRequired ? '; a new password is required at next sign-in' : ''
    return `console password of ${username} ${what}${change}; password ${receipt}`
  }

  private async accessKeys(username: string, session: IamSession) {
    const pages = await session.pages('ListAccessKeys', username, (input, options) =>
      this.client.send(new ListAccessKeysCommand(input), options),
    )
    return pages.flatMap((page) => page.AccessKeyMetadata ?? [])
  }

  private async listAccessKeys(username: string, session: IamSession): Promise<string> {
    const keys = await this.accessKeys(username, session)
    session.facts.accessKeys = keys.map((key) => ({
      accessKeyId: key.AccessKeyId ?? '',
      status: key.Status ?? 'unknown',
      createDate: iso(key.CreateDate),
    }))
    if (keys.length === 0) return `${username} has no access keys`
    const listed = keys.map(
      (key) =>
        `${key.AccessKeyId} ${key.Status} (created ${iso(key.CreateDate)?.slice(0, 10) ?? '?'})`,
    )
    return `${username} has ${keys.length} access key${keys.length === 1 ? '' : 's'}: ${listed.join(', ')}`
  }

  private async deactivateAccessKeys(username: string, session: IamSession): Promise<string> {
    const keys = await this.accessKeys(username, session)
    const deactivated: string[] = []
    // Recorded before the calls so a failure half-way still says which keys were changed.
    session.facts.deactivated = deactivated
    session.facts.alreadyInactive = keys
      .filter((key) => key.Status !== 'Active')
      .map((key) => key.AccessKeyId ?? '')
    for (const key of keys.filter((each) => each.Status === 'Active')) {
      const input = {
        UserName: username,
        AccessKeyId: key.AccessKeyId ?? '',
        Status: 'Inactive' as const,
      }
      await session.run(
        { action: 'UpdateAccessKey', input },
        (options) => this.client.send(new UpdateAccessKeyCommand(input), options),
        true,
      )
      deactivated.push(input.AccessKeyId)
    }
    if (deactivated.length === 0)
      return `${username} has no active access key (${keys.length} key${keys.length === 1 ? '' : 's'} in all); nothing changed`
    return `deactivated ${deactivated.length} access key${deactivated.length === 1 ? '' : 's'} of ${username}: ${deactivated.join(', ')}`
  }

  private async changeMembership(
    add: boolean,
    args: IamOperationArguments,
    session: IamSession,
  ): Promise<string> {
    const username = args.username
    const groupName = args.group ?? ''
    const pages = await session.pages('ListGroupsForUser', username, (input, options) =>
      this.client.send(new ListGroupsForUserCommand(input), options),
    )
    const groups = pages.flatMap((page) => page.Groups ?? [])
    // IAM names are unique regardless of case, so "Jira-Users" is the group "jira-users".
    const member = groups.some(
      (group) => group.GroupName?.toLowerCase() === groupName.toLowerCase(),
    )
    Object.assign(session.facts, { userName: username, groupName, wasMember: member })
    if (add === member)
      return `${username} ${member ? 'is already a member' : 'was not a member'} of ${groupName}; nothing changed`
    const input = { GroupName: groupName, UserName: username }
    if (add) {
      await session.run(
        { action: 'AddUserToGroup', input },
        (options) => this.client.send(new AddUserToGroupCommand(input), options),
        true,
      )
      return `added ${username} to ${groupName}`
    }
    await session.run(
      { action: 'RemoveUserFromGroup', input },
      (options) => this.client.send(new RemoveUserFromGroupCommand(input), options),
      true,
    )
    return `removed ${username} from ${groupName}`
  }

  private async listMfaDevices(username: string, session: IamSession): Promise<string> {
    const pages = await session.pages('ListMFADevices', username, (input, options) =>
      this.client.send(new ListMFADevicesCommand(input), options),
    )
    const devices = pages.flatMap((page) => page.MFADevices ?? [])
    session.facts.mfaDevices = devices.map((device) => ({
      serialNumber: device.SerialNumber ?? '',
      enableDate: iso(device.EnableDate),
    }))
    if (devices.length === 0) return `${username} has no MFA device`
    return `${username} has ${devices.length} MFA device${devices.length === 1 ? '' : 's'}: ${devices.map((device) => device.SerialNumber).join(', ')}`
  }
}
