import { HelpdeskError } from '../errors/index.ts'

/**
 * Who may use the helpdesk, and as what. A `requester` asks for help for themselves; a
 * `technician` may also act for someone else (and, with the approval loop, approve); an `admin`
 * may in addition see every conversation and manage the helpdesk.
 */
export const ROLES = ['requester', 'technician', 'admin'] as const
export type Role = (typeof ROLES)[number]

export interface User {
  username: string
  role: Role
  /** ISO 8601 time the user was added. */
  createdAt: string
}

/** The project's usernames: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/**
 * Names no user may have: `anonymous` is the caller when sign-in is off (and the requester the
 * audit records when none is known), so a user of that name would inherit those conversations.
 */
export const RESERVED_USERNAMES: readonly string[] = ['anonymous']

/** @throws {HelpdeskError} INVALID_INPUT naming what a username may contain. */
export function checkUsername(username: string): string {
  if (!USERNAME_PATTERN.test(username)) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `username "${username.slice(0, 80)}": expected 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit (for example jdoe or maria.garcia)`,
    })
  }
  if (RESERVED_USERNAMES.includes(username.toLowerCase())) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `username "${username}" is reserved for the caller when sign-in is off; choose another`,
    })
  }
  return username
}

/**
 * Whether two usernames name the same person. Usernames compare without case everywhere (as
 * directory accounts do), so `JDoe` can neither approve nor read what belongs to `jdoe`; the user
 * store refuses a name that differs from another only by case. Names are ASCII (see
 * `USERNAME_PATTERN`), so lower-casing is exact.
 */
export function samePerson(left: string, right: string): boolean {
  return left.toLowerCase() === right.toLowerCase()
}

/** @throws {HelpdeskError} INVALID_INPUT listing the valid roles. */
export function checkRole(role: string): Role {
  const known = ROLES.find((each) => each === role)
  if (!known) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `role "${role.slice(0, 40)}": expected one of ${ROLES.join(', ')}`,
      details: { roles: [...ROLES] },
    })
  }
  return known
}
