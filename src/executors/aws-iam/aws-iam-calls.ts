import { AWS_IAM_OPERATIONS, type AwsIamOperation } from '../operation-catalog.ts'

/**
 * The exact IAM API calls each catalog operation makes, as data, so that a dry run, a result and
 * an audit record list the same thing. Values that are unknown before the run (the generated
 * password, the ids of the keys a listing will find) are placeholders, never real values: a
 * password never appears here, not even after the run.
 * @module
 */

export type IamAction =
  | 'GetUser'
  | 'GetLoginProfile'
  | 'CreateLoginProfile'
  | 'UpdateLoginProfile'
  | 'ListAccessKeys'
  | 'UpdateAccessKey'
  | 'ListGroupsForUser'
  | 'AddUserToGroup'
  | 'RemoveUserFromGroup'
  | 'ListMFADevices'

/** Stands for a value that is not shown: `[generated]`, `[each Active key]`. */
export interface IamPlaceholder {
  readonly placeholder: string
}

export type IamCallValue = string | number | boolean | IamPlaceholder

export interface IamCall {
  action: IamAction
  input: Readonly<Record<string, IamCallValue>>
  /** For planned calls that depend on what an earlier call finds. */
  condition?: string
}

export const GENERATED_PASSWORD: IamPlaceholder = { placeholder: 'generated' }
const EACH_ACTIVE_KEY: IamPlaceholder = { placeholder: 'each Active key' }

export interface IamOperationArguments {
  username: string
  group?: string
  passwordResetRequired?: boolean
}

/** The calls an operation will make, in order, with the conditions that choose between them. */
export function plannedIamCalls(
  operation: AwsIamOperation,
  { username, group = '', passwordResetRequired = true }: IamOperationArguments,
): IamCall[] {
  const user = { UserName: username }
  const membership = { GroupName: group, UserName: username }
  switch (operation) {
    case 'get_user':
      return [
        { action: 'GetUser', input: user },
        { action: 'GetLoginProfile', input: user },
      ]
    case 'reset_console_password': {
      const profile = {
        ...user,
        Password: GENERATED_PASSWORD,
        PasswordResetRequired: passwordResetRequired,
      }
      return [
        { action: 'GetLoginProfile', input: user },
        {
          action: 'UpdateLoginProfile',
          input: profile,
          condition: 'if the user has a console password',
        },
        { action: 'CreateLoginProfile', input: profile, condition: 'if the user has none' },
      ]
    }
    case 'list_access_keys':
      return [
        {
          action: 'ListAccessKeys',
          input: user,
          condition: 'repeated with Marker while IsTruncated',
        },
      ]
    case 'deactivate_access_key':
      return [
        {
          action: 'ListAccessKeys',
          input: user,
          condition: 'repeated with Marker while IsTruncated',
        },
        {
          action: 'UpdateAccessKey',
          input: { ...user, AccessKeyId: EACH_ACTIVE_KEY, Status: 'Inactive' },
          condition: 'for each Active key',
        },
      ]
    case 'add_user_to_group':
      return [
        { action: 'ListGroupsForUser', input: user },
        { action: 'AddUserToGroup', input: membership, condition: 'if not yet a member' },
      ]
    case 'remove_user_from_group':
      return [
        { action: 'ListGroupsForUser', input: user },
        { action: 'RemoveUserFromGroup', input: membership, condition: 'if a member' },
      ]
    case 'list_mfa_devices':
      return [{ action: 'ListMFADevices', input: user }]
  }
}

function formatValue(value: IamCallValue): string {
  if (typeof value === 'object') return `[${value.placeholder}]`
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

/** `iam:UpdateLoginProfile(UserName="jdoe", Password=[generated], PasswordResetRequired=true)`. */
export function formatIamCall(call: IamCall): string {
  const input = Object.entries(call.input)
    .map(([name, value]) => `${name}=${formatValue(value)}`)
    .join(', ')
  return `iam:${call.action}(${input})${call.condition ? ` ${call.condition}` : ''}`
}

export function formatIamCalls(calls: readonly IamCall[]): string {
  return calls.map(formatIamCall).join('; ')
}

/**
 * For a dry run of an `aws_iam` step: the calls it would make, e.g. `iam:GetLoginProfile(...);
 * iam:UpdateLoginProfile(...) if the user has a console password; ...`. Undefined for an
 * operation outside the catalog.
 */
export function describePlannedIamCalls(
  operation: string,
  values: Readonly<Record<string, string | number | boolean>>,
): string | undefined {
  if (!Object.hasOwn(AWS_IAM_OPERATIONS, operation)) return undefined
  const reset = values.passwordResetRequired
  return formatIamCalls(
    plannedIamCalls(operation as AwsIamOperation, {
      username: String(values.username ?? ''),
      ...(values.group === undefined ? {} : { group: String(values.group) }),
      ...(typeof reset === 'boolean' ? { passwordResetRequired: reset } : {}),
    }),
  )
}

/** The calls as JSON-safe data for an audit record. */
export function iamCallsAsData(
  calls: readonly IamCall[],
): Array<{ action: string; input: Record<string, string | number | boolean> }> {
  return calls.map((call) => ({
    action: `iam:${call.action}`,
    input: Object.fromEntries(
      Object.entries(call.input).map(([name, value]) => [
        name,
        typeof value === 'object' ? `[${value.placeholder}]` : value,
      ]),
    ),
  }))
}
