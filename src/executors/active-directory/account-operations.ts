import type { AuditValue } from '../../audit/audit-log.ts'
import { Secret } from '../../inventory/secret.ts'
import type { SecretDelivery } from '../delivery/secret-delivery.ts'
import type { ExecutionContext } from '../executor.ts'
import { ACCOUNT_DISABLED, accountStatus, describeStatus, statusData } from './account-status.ts'
import { DirectoryOperationFailure } from './active-directory-errors.ts'
import type { DirectoryConnection, DirectoryUser } from './directory-connection.ts'
import { temporaryPassword } from './temporary-password.ts'

/** What one operation needs; the arguments were validated by the executor. */
export interface OperationRequest {
  connection: DirectoryConnection
  username: string
  group: string
  mustChangeAtNextLogon: boolean
  context: ExecutionContext
  delivery: SecretDelivery
}

export interface OperationOutcome {
  stdout: string
  data: Record<string, AuditValue>
  changed: boolean
}

export async function findUser({
  connection,
  username,
}: OperationRequest): Promise<OperationOutcome> {
  const user = await requireUser(connection, username)
  const label = user.displayName ? `${user.displayName} ` : ''
  return {
    stdout: `found ${user.username}: ${label}(${user.distinguishedName})`,
    data: {
      username: user.username,
      distinguishedName: user.distinguishedName,
      displayName: user.displayName ?? null,
      givenName: user.givenName ?? null,
      surname: user.surname ?? null,
      userPrincipalName: user.userPrincipalName ?? null,
      mail: user.mail ?? null,
    },
    changed: false,
  }
}

export async function getUserStatus({
  connection,
  username,
}: OperationRequest): Promise<OperationOutcome> {
  const user = await requireUser(connection, username)
  return statusOutcome(user, '', false)
}

/**
 * Sets a random password and, in the same modify request, pwdLastSet: 0 (must change at next
 * sign-in) or -1 (the password is valid now). The password goes to the delivery only.
 */
export async function resetPassword(request: OperationRequest): Promise<OperationOutcome> {
  const { connection, username, mustChangeAtNextLogon, delivery, context } = request
  const user = await requireChangeableUser(connection, username)
  const password = new Secret(
    temporaryPassword([user.username, user.givenName ?? '', user.surname ?? '']),
    'generated',
  )
  await connection.replace(user.distinguishedName, {
    // AD takes a new password only as the quoted text in UTF-16LE.
    unicodePwd: Buffer.from(`"${password.reveal()}"`, 'utf16le'),
    pwdLastSet: mustChangeAtNextLogon ? '0' : '-1',
  })
  let receipt: string
  try {
    ;({ receipt } = await delivery.deliver({
      account: user.username,
      system: 'active_directory',
      requestId: context.requestId,
      secret: password,
    }))
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new DirectoryOperationFailure(
      'SECRET_DELIVERY_FAILED',
      `the password of ${user.username} was changed but could not be delivered (${reason}); nobody knows it, so reset it again once delivery works`,
      true,
    )
  }
  const after = await requireUser(connection, username)
  const status = accountStatus(after)
  if (status.mustChangePassword !== mustChangeAtNextLogon) {
    throw new DirectoryOperationFailure(
      'VERIFICATION_FAILED',
      `the password of ${user.username} was set, but "must change at next sign-in" reads ${status.mustChangePassword}`,
      true,
    )
  }
  const next = mustChangeAtNextLogon ? '; they must change it at next sign-in' : ''
  return {
    stdout: `new password for ${user.username} set and delivered: ${receipt}${next}`,
    data: { ...statusData(after, status), delivery: receipt },
    changed: true,
  }
}

/** lockoutTime = 0 clears the lockout and the bad-password count. */
export async function unlockAccount({
  connection,
  username,
}: OperationRequest): Promise<OperationOutcome> {
  const user = await requireChangeableUser(connection, username)
  const before = accountStatus(user)
  if (!before.locked && before.lockoutTime === null) {
    return statusOutcome(user, 'Not locked out; nothing changed. ', false)
  }
  await connection.replace(user.distinguishedName, { lockoutTime: '0' })
  const after = await requireUser(connection, username)
  if (accountStatus(after).locked) {
    throw new DirectoryOperationFailure(
      'VERIFICATION_FAILED',
      `${user.username} still reads as locked out after lockoutTime was cleared`,
      true,
    )
  }
  return statusOutcome(after, 'Unlocked. ', true)
}

export function enableAccount(request: OperationRequest): Promise<OperationOutcome> {
  return setDisabled(request, false)
}

export function disableAccount(request: OperationRequest): Promise<OperationOutcome> {
  return setDisabled(request, true)
}

/** Read-modify-write of userAccountControl, so no other flag is touched. */
async function setDisabled(
  { connection, username }: OperationRequest,
  disabled: boolean,
): Promise<OperationOutcome> {
  const user = await requireChangeableUser(connection, username)
  const verb = disabled ? 'disabled' : 'enabled'
  if (accountStatus(user).disabled === disabled) {
    return statusOutcome(user, `Already ${verb}; nothing changed. `, false)
  }
  const control = disabled
    ? user.userAccountControl | ACCOUNT_DISABLED
    : user.userAccountControl & ~ACCOUNT_DISABLED
  await connection.replace(user.distinguishedName, { userAccountControl: String(control) })
  const after = await requireUser(connection, username)
  if (accountStatus(after).disabled !== disabled) {
    throw new DirectoryOperationFailure(
      'VERIFICATION_FAILED',
      `${user.username} was not ${verb}: userAccountControl reads ${after.userAccountControl}`,
      true,
    )
  }
  return statusOutcome(after, disabled ? 'Disabled. ' : 'Enabled. ', true)
}

function statusOutcome(user: DirectoryUser, prefix: string, changed: boolean): OperationOutcome {
  const status = accountStatus(user)
  const description = describeStatus(user, status)
  return {
    stdout: `${prefix}${description}`,
    data: statusData(user, status),
    changed,
  }
}

export async function requireUser(
  connection: DirectoryConnection,
  username: string,
): Promise<DirectoryUser> {
  const user = await connection.findUser(username)
  if (!user) {
    throw new DirectoryOperationFailure(
      'AD_USER_NOT_FOUND',
      `no user with the login name "${username}" in the directory; check the spelling (the login name, such as jdoe, not the display name)`,
    )
  }
  return user
}

/** Built-in and privileged accounts (adminCount=1) are for domain administrators, not the helpdesk. */
export async function requireChangeableUser(
  connection: DirectoryConnection,
  username: string,
): Promise<DirectoryUser> {
  const user = await requireUser(connection, username)
  if (user.protected) {
    throw new DirectoryOperationFailure(
      'AD_PROTECTED_OBJECT',
      `${user.username} is a privileged or built-in account; the helpdesk does not change it (ask a domain administrator)`,
    )
  }
  return user
}
