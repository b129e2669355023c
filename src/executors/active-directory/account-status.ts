import type { AuditValue } from '../../audit/audit-log.ts'
import type { DirectoryUser } from './directory-connection.ts'

/** userAccountControl: the account is disabled. */
export const ACCOUNT_DISABLED = 0x2
/** userAccountControl: the password never expires. */
const PASSWORD_NEVER_EXPIRES = 0x10000
/** msDS-User-Account-Control-Computed: locked out now (lockoutTime alone can be stale). */
export const LOCKED_OUT = 0x10
/** msDS-User-Account-Control-Computed: the password has expired (also set by pwdLastSet = 0). */
const PASSWORD_EXPIRED = 0x800000

/** Windows FILETIME (100 ns since 1601) of the Unix epoch. */
const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n
const FILETIME_NEVER = 9_223_372_036_854_775_807n

export interface AccountStatus {
  locked: boolean
  disabled: boolean
  passwordExpired: boolean
  mustChangePassword: boolean
  passwordNeverExpires: boolean
  accountExpired: boolean
  badPwdCount: number
  lockoutTime: string | null
  passwordLastSet: string | null
  accountExpires: string | null
}

export function accountStatus(user: DirectoryUser, now: Date = new Date()): AccountStatus {
  const mustChangePassword = user.pwdLastSet === '0'
  const accountExpires = filetimeToIso(user.accountExpires)
  return {
    locked: (user.computedAccountControl & LOCKED_OUT) !== 0,
    disabled: (user.userAccountControl & ACCOUNT_DISABLED) !== 0,
    // "Must change" sets the expired bit too; report it once, as what it is.
    passwordExpired: (user.computedAccountControl & PASSWORD_EXPIRED) !== 0 && !mustChangePassword,
    mustChangePassword,
    passwordNeverExpires: (user.userAccountControl & PASSWORD_NEVER_EXPIRES) !== 0,
    accountExpired: accountExpires !== null && Date.parse(accountExpires) < now.getTime(),
    badPwdCount: user.badPwdCount,
    lockoutTime: filetimeToIso(user.lockoutTime),
    passwordLastSet: filetimeToIso(user.pwdLastSet),
    accountExpires,
  }
}

/** Facts for a step result: who, where, and every flag. */
export function statusData(user: DirectoryUser, status: AccountStatus): Record<string, AuditValue> {
  return {
    username: user.username,
    distinguishedName: user.distinguishedName,
    ...status,
  }
}

/** One line a technician reads first: the problems, or "no problem found". */
export function describeStatus(user: DirectoryUser, status: AccountStatus): string {
  const problems = [
    status.locked && `locked out (since ${status.lockoutTime ?? 'unknown'})`,
    status.disabled && 'disabled',
    status.accountExpired && `expired on ${status.accountExpires}`,
    status.passwordExpired && 'password expired',
    status.mustChangePassword && 'must change the password at next sign-in',
  ].filter((each): each is string => typeof each === 'string')
  const attempts = status.badPwdCount > 0 ? `; ${status.badPwdCount} recent wrong password(s)` : ''
  const summary = problems.length > 0 ? problems.join(', ') : 'enabled, not locked, password valid'
  return `${user.username} (${user.displayName ?? user.distinguishedName}): ${summary}${attempts}`
}

/** `0`, absent and "never" are null; anything else an ISO time. */
export function filetimeToIso(filetime: string): string | null {
  if (!/^\d+$/.test(filetime)) return null
  const value = BigInt(filetime)
  if (value === 0n || value >= FILETIME_NEVER) return null
  return new Date(Number((value - FILETIME_UNIX_EPOCH) / 10_000n)).toISOString()
}
