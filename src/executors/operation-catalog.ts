/**
 * The operations the API executors (Active Directory, AWS IAM) offer. Runbooks may name only these;
 * the loader rejects anything else. Each operation lists the parameters it takes (by runbook
 * parameter name) and whether it changes anything.
 * @module
 */

export interface OperationSpec {
  /** Plain-words description, shown in plans and dry-run results. */
  description: string
  /** Runbook parameters the operation needs, by name. */
  parameters: readonly string[]
  /** Fixed arguments a runbook may set, with their type. */
  arguments?: Readonly<Record<string, 'boolean' | 'string' | 'number'>>
  readOnly: boolean
}

export const ACTIVE_DIRECTORY_OPERATIONS = {
  find_user: {
    description: 'Find the user object by sAMAccountName',
    parameters: ['username'],
    readOnly: true,
  },
  get_user_status: {
    description: 'Read lockout, disabled, password-expired and must-change-at-next-logon flags',
    parameters: ['username'],
    readOnly: true,
  },
  reset_password: {
    description: 'Set a new random password (unicodePwd) and deliver it out of band',
    parameters: ['username'],
    arguments: { mustChangeAtNextLogon: 'boolean' },
    readOnly: false,
  },
  unlock_account: {
    description: 'Clear the lockout (lockoutTime = 0)',
    parameters: ['username'],
    readOnly: false,
  },
  enable_account: {
    description: 'Clear ACCOUNTDISABLE (0x2) in userAccountControl',
    parameters: ['username'],
    readOnly: false,
  },
  disable_account: {
    description: 'Set ACCOUNTDISABLE (0x2) in userAccountControl',
    parameters: ['username'],
    readOnly: false,
  },
  add_group_member: {
    description: 'Add the user to the group (member attribute)',
    parameters: ['username', 'group'],
    readOnly: false,
  },
  remove_group_member: {
    description: 'Remove the user from the group',
    parameters: ['username', 'group'],
    readOnly: false,
  },
  list_group_members: {
    description: "List the group's members",
    parameters: ['group'],
    readOnly: true,
  },
} as const satisfies Record<string, OperationSpec>

export const AWS_IAM_OPERATIONS = {
  get_user: {
    description: 'iam:GetUser and iam:GetLoginProfile',
    parameters: ['username'],
    readOnly: true,
  },
  reset_console_password: {
    description: 'iam:UpdateLoginProfile (or CreateLoginProfile) with a random password',
    parameters: ['username'],
    arguments: { passwordResetRequired: 'boolean' },
    readOnly: false,
  },
  list_access_keys: { description: 'iam:ListAccessKeys', parameters: ['username'], readOnly: true },
  deactivate_access_key: {
    description: 'iam:UpdateAccessKey Status=Inactive',
    parameters: ['username'],
    readOnly: false,
  },
  add_user_to_group: {
    description: 'iam:AddUserToGroup',
    parameters: ['username', 'group'],
    readOnly: false,
  },
  remove_user_from_group: {
    description: 'iam:RemoveUserFromGroup',
    parameters: ['username', 'group'],
    readOnly: false,
  },
  list_mfa_devices: { description: 'iam:ListMFADevices', parameters: ['username'], readOnly: true },
} as const satisfies Record<string, OperationSpec>

export type ActiveDirectoryOperation = keyof typeof ACTIVE_DIRECTORY_OPERATIONS
export type AwsIamOperation = keyof typeof AWS_IAM_OPERATIONS

export const OPERATIONS_BY_EXECUTOR: Readonly<
  Record<'active_directory' | 'aws_iam', Readonly<Record<string, OperationSpec>>>
> = {
  active_directory: ACTIVE_DIRECTORY_OPERATIONS,
  aws_iam: AWS_IAM_OPERATIONS,
}

export function findOperation(executor: string, operation: string): OperationSpec | undefined {
  const table = OPERATIONS_BY_EXECUTOR[executor as keyof typeof OPERATIONS_BY_EXECUTOR]
  return table ? table[operation] : undefined
}
