import type { HelpdeskConfig } from '../../config/config-schema.ts'
import { resolveCredential } from '../../inventory/credential-reference.ts'
import type { Secret } from '../../inventory/secret.ts'
import { parseRoleMap, type RoleMap } from './role-mapping.ts'

/** Browser sign-in settings, from the OIDC_* variables (validated by the config schema). */
export interface OidcSettings {
  issuer: URL
  clientId: string
  /** Undefined for a public client (PKCE alone). */
  clientSecret: Secret | undefined
  redirectUrl: URL
  postLogoutRedirectUrl: URL
  scopes: string
  roleClaim: string
  roleMap: RoleMap
  usernameClaim: string
  usernameDomain: string | undefined
  sessionLifetimeMs: number
  /** How long the provider's login may take before its answer is refused as expired. */
  signInLifetimeMs: number
}

export const SIGN_IN_LIFETIME_MS = 10 * 60 * 1000

/**
 * The settings, or undefined when OIDC_ISSUER is unset (bearer tokens only, as before).
 * @throws {HelpdeskError} INVALID_CONFIGURATION when the client secret's reference cannot be read.
 */
export async function oidcSettingsFrom(
  config: HelpdeskConfig,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<OidcSettings | undefined> {
  if (!config.OIDC_ISSUER || !config.OIDC_CLIENT_ID || !config.OIDC_REDIRECT_URL) return undefined
  const redirectUrl = new URL(config.OIDC_REDIRECT_URL)
  return {
    issuer: new URL(config.OIDC_ISSUER),
    clientId: config.OIDC_CLIENT_ID,
    clientSecret: config.OIDC_CLIENT_SECRET
      ? await resolveCredential(config.OIDC_CLIENT_SECRET, environment)
      : undefined,
    redirectUrl,
    postLogoutRedirectUrl: new URL(config.OIDC_POST_LOGOUT_URL ?? new URL('/', redirectUrl)),
    scopes: config.OIDC_SCOPES,
    roleClaim: config.OIDC_ROLE_CLAIM,
    roleMap: config.OIDC_ROLE_MAP ? parseRoleMap(config.OIDC_ROLE_MAP) : new Map(),
    usernameClaim: config.OIDC_USERNAME_CLAIM,
    usernameDomain: config.OIDC_USERNAME_DOMAIN,
    sessionLifetimeMs: config.OIDC_SESSION_HOURS * 60 * 60 * 1000,
    signInLifetimeMs: SIGN_IN_LIFETIME_MS,
  }
}
