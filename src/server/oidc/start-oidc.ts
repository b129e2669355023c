import type { HelpdeskConfig } from '../../config/config-schema.ts'
import type { ProjectStores } from '../../store/project-stores.ts'
import { oidcSettingsFrom } from './oidc-settings.ts'
import { OidcSignIn } from './oidc-sign-in.ts'

/**
 * Browser sign-in for `serve`, when OIDC_ISSUER is set: sessions in the project stores (so a
 * restart keeps people signed in, and with DATABASE_URL every replica knows them) and the provider discovered once at start.
 * @returns undefined without OIDC_ISSUER; otherwise the sign-in and a `close` for its store.
 * @throws {HelpdeskError} INVALID_CONFIGURATION when the secret or the provider cannot be read.
 */
export async function startOidc(
  config: HelpdeskConfig,
  stores: Pick<ProjectStores, 'browserSessions'>,
  log: (line: string) => void,
): Promise<{ signIn: OidcSignIn; close: () => Promise<void> } | undefined> {
  const settings = await oidcSettingsFrom(config)
  if (!settings) return undefined
  const store = stores.browserSessions()
  try {
    const signIn = await OidcSignIn.discover(settings, { store, log })
    log(
      `browser sign-in: OpenID Connect at ${settings.issuer.href} (roles from the "${settings.roleClaim}" claim)`,
    )
    return { signIn, close: () => store.close() }
  } catch (error) {
    await store.close()
    throw error
  }
}
