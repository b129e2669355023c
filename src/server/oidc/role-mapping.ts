import { HelpdeskError } from '../../errors/index.ts'
import { checkRole, checkUsername, ROLES, type Role } from '../../identity/user.ts'

/**
 * Who a person signed in with OpenID Connect is here: their username from one claim, their role
 * from the values of another (a group or app-role claim) through `OIDC_ROLE_MAP`. The provider
 * stays the source of truth: both are read afresh at every sign-in.
 * @module
 */

/** Provider value (a group name, group id or app role) to helpdesk role. */
export type RoleMap = ReadonlyMap<string, Role>

const ENTRY = /^([^=,\s][^=,]*)=([a-z]+)$/

/**
 * Parses `helpdesk-admins=admin,helpdesk-techs=technician`. Taken whole or refused: one bad
 * entry refuses the whole setting, naming the entry.
 * @throws {HelpdeskError} INVALID_CONFIGURATION naming OIDC_ROLE_MAP and the entry.
 */
export function parseRoleMap(text: string): RoleMap {
  const map = new Map<string, Role>()
  for (const rawEntry of text.split(',')) {
    const entry = rawEntry.trim()
    const match = ENTRY.exec(entry)
    const value = match?.[1]?.trim()
    const role = ROLES.find((each) => each === match?.[2])
    if (!value || !role) {
      throw configurationError(
        `OIDC_ROLE_MAP entry "${entry.slice(0, 80)}": expected VALUE=ROLE with ROLE one of ${ROLES.join(', ')} (for example helpdesk-admins=admin,helpdesk-techs=technician)`,
      )
    }
    if (map.has(value)) {
      throw configurationError(`OIDC_ROLE_MAP names "${value.slice(0, 80)}" twice`)
    }
    map.set(value, role)
  }
  return map
}

/**
 * The values of a claim as strings: a string is one value, an array of strings many; a dotted
 * name reaches into an object (Keycloak's `realm_access.roles`). Anything else holds none.
 */
export function claimValues(claims: Readonly<Record<string, unknown>>, name: string): string[] {
  let value: unknown = claims
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return []
    value = (value as Record<string, unknown>)[part]
  }
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.filter((each): each is string => typeof each === 'string')
  return []
}

/** The highest role any of the claim's values maps to; `requester` when none maps. */
export function roleFromClaims(
  claims: Readonly<Record<string, unknown>>,
  claimName: string,
  roleMap: RoleMap,
): Role {
  let best = 0
  for (const value of claimValues(claims, claimName)) {
    const role = roleMap.get(value)
    if (role) best = Math.max(best, ROLES.indexOf(role))
  }
  return checkRole(ROLES[best] ?? 'requester')
}

/**
 * The username from `claimName`, checked by the project's username rule. With `domain`, a value
 * ending in `@domain` (an Entra ID UPN, an e-mail) loses exactly that suffix; any other `@` value
 * is refused, never cut somewhere else.
 * @throws {HelpdeskError} FORBIDDEN saying which claim is missing or not a valid username.
 */
export function usernameFromClaims(
  claims: Readonly<Record<string, unknown>>,
  claimName: string,
  domain?: string,
): string {
  const value = claims[claimName]
  if (typeof value !== 'string' || value === '') {
    throw signInRefused(
      `the provider sent no "${claimName}" claim to take the username from (OIDC_USERNAME_CLAIM)`,
    )
  }
  const suffix = domain ? `@${domain.toLowerCase()}` : undefined
  const username =
    suffix && value.toLowerCase().endsWith(suffix) ? value.slice(0, -suffix.length) : value
  try {
    return checkUsername(username)
  } catch (error) {
    const hint = domain ? '' : ' (set OIDC_USERNAME_DOMAIN to take the name before @domain)'
    throw signInRefused(
      `the "${claimName}" claim "${value.slice(0, 80)}" is not a helpdesk username${hint}: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
}

function configurationError(message: string): HelpdeskError {
  return new HelpdeskError({ code: 'INVALID_CONFIGURATION', message })
}

function signInRefused(message: string): HelpdeskError {
  return new HelpdeskError({ code: 'FORBIDDEN', message })
}
