import { randomBytes, timingSafeEqual } from 'node:crypto'
import * as client from 'openid-client'
import { HelpdeskError } from '../../errors/index.ts'
import type { Caller } from '../authentication.ts'
import type { BrowserSession, BrowserSessionStore } from './browser-session-store.ts'
import type { OidcSettings } from './oidc-settings.ts'
import { roleFromClaims, usernameFromClaims } from './role-mapping.ts'

/**
 * Browser sign-in with OpenID Connect: authorization code flow with PKCE (S256), state and nonce,
 * through `openid-client` (a certified relying party). What the browser must bring back (state,
 * nonce, PKCE verifier) stays server-side, under a random id that only the browser's short-lived
 * cookie knows, so an answer is accepted only in the browser that started the sign-in.
 */
export class OidcSignIn {
  private readonly configuration: client.Configuration
  private readonly settings: OidcSettings
  private readonly store: BrowserSessionStore
  private readonly now: () => number
  private readonly log: (line: string) => void

  private constructor(
    configuration: client.Configuration,
    settings: OidcSettings,
    options: { store: BrowserSessionStore; now?: () => number; log: (line: string) => void },
  ) {
    this.configuration = configuration
    this.settings = settings
    this.store = options.store
    this.now = options.now ?? Date.now
    this.log = options.log
  }

  /**
   * Reads the provider's discovery document. Plain http is allowed only for a provider on this
   * machine (tests, a local Keycloak).
   * @throws {HelpdeskError} INVALID_CONFIGURATION when the provider cannot be discovered.
   */
  static async discover(
    settings: OidcSettings,
    options: { store: BrowserSessionStore; now?: () => number; log: (line: string) => void },
  ): Promise<OidcSignIn> {
    const insecure = settings.issuer.protocol === 'http:'
    if (insecure && !isLoopback(settings.issuer.hostname)) {
      throw new HelpdeskError({
        code: 'INVALID_CONFIGURATION',
        message: `OIDC_ISSUER ${settings.issuer.href}: expected https (plain http only on 127.0.0.1 or localhost)`,
      })
    }
    const secret = settings.clientSecret?.reveal()
    try {
      const configuration = await client.discovery(
        settings.issuer,
        settings.clientId,
        undefined,
        secret === undefined ? client.None() : client.ClientSecretBasic(secret),
        insecure ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      return new OidcSignIn(configuration, settings, options)
    } catch (error) {
      throw new HelpdeskError({
        code: 'INVALID_CONFIGURATION',
        message: `OIDC_ISSUER ${settings.issuer.href}: cannot read the provider's discovery document (${error instanceof Error ? error.message : String(error)})`,
      })
    }
  }

  get secureCookies(): boolean {
    return this.settings.redirectUrl.protocol === 'https:'
  }

  get signInLifetimeSeconds(): number {
    return Math.floor(this.settings.signInLifetimeMs / 1000)
  }

  get sessionLifetimeSeconds(): number {
    return Math.floor(this.settings.sessionLifetimeMs / 1000)
  }

  /** A new sign-in: the id for the browser's cookie and the provider URL to send it to. */
  async start(): Promise<{ pendingId: string; authorizationUrl: URL }> {
    const codeVerifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const nonce = client.randomNonce()
    const pendingId = await this.store.savePendingSignIn({
      state,
      nonce,
      codeVerifier,
      expiresAt: this.now() + this.settings.signInLifetimeMs,
    })
    const authorizationUrl = client.buildAuthorizationUrl(this.configuration, {
      redirect_uri: this.settings.redirectUrl.href,
      scope: this.settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    })
    return { pendingId, authorizationUrl }
  }

  /**
   * The provider's answer at /auth/callback: checks it belongs to the sign-in this browser
   * started, redeems the code, and opens a session.
   * @param pendingId from the browser's sign-in cookie (undefined when it sent none)
   * @param query the callback's query string
   * @throws {HelpdeskError} SIGN_IN_REFUSED saying why (no sign-in under way, expired, forged
   *   state, the provider's error), FORBIDDEN when the username claim is missing or invalid.
   */
  async finish(
    pendingId: string | undefined,
    query: URLSearchParams,
  ): Promise<{ sessionId: string; session: BrowserSession }> {
    const pending = pendingId ? await this.store.takePendingSignIn(pendingId) : undefined
    if (!pending) {
      throw refused(
        'no sign-in was started from this browser, or its answer was already used; start again',
      )
    }
    if (pending.expiresAt <= this.now()) {
      throw refused(
        `the sign-in took longer than ${Math.round(this.settings.signInLifetimeMs / 60_000)} minutes and expired; start again`,
      )
    }
    if (!sameText(query.get('state') ?? '', pending.state)) {
      throw refused(
        'the answer does not carry the state this sign-in was started with (forged or mixed up); start again',
      )
    }
    const providerError = query.get('error')
    if (providerError) {
      const description = query.get('error_description') ?? ''
      throw refused(
        `the provider refused: ${providerError.slice(0, 80)}${description ? ` (${description.slice(0, 200)})` : ''}`,
      )
    }
    // The URL the provider was given, not the one this request reached (a proxy may rewrite it).
    const currentUrl = new URL(this.settings.redirectUrl)
    currentUrl.search = query.toString()
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>
    try {
      tokens = await client.authorizationCodeGrant(this.configuration, currentUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      })
    } catch (error) {
      throw refused(
        `the provider's answer could not be verified: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
    const idClaims = tokens.claims()
    if (!idClaims) throw refused('the provider sent no ID token')
    // Groups and roles often come from the userinfo endpoint only; the ID token's claims win.
    let claims: Record<string, unknown> = { ...idClaims }
    if (this.configuration.serverMetadata().userinfo_endpoint) {
      try {
        const userInfo = await client.fetchUserInfo(
          this.configuration,
          tokens.access_token,
          idClaims.sub,
        )
        claims = { ...userInfo, ...idClaims }
      } catch (error) {
        throw refused(
          `the provider's userinfo endpoint failed: ${error instanceof Error ? error.message : String(error)}`,
        )
      }
    }
    const username = usernameFromClaims(
      claims,
      this.settings.usernameClaim,
      this.settings.usernameDomain,
    )
    const role = roleFromClaims(claims, this.settings.roleClaim, this.settings.roleMap)
    const session: BrowserSession = {
      username,
      role,
      csrfToken: randomBytes(32).toString('base64url'),
      idToken: tokens.id_token,
      expiresAt: this.now() + this.settings.sessionLifetimeMs,
    }
    const sessionId = await this.store.create(session)
    this.log(`browser sign-in: ${username} as ${role} (OpenID Connect)`)
    return { sessionId, session }
  }

  /** The session of a cookie's id, while it lasts. */
  async session(sessionId: string | undefined): Promise<BrowserSession | undefined> {
    return sessionId ? this.store.find(sessionId) : undefined
  }

  /** The caller of a session, as the API sees them. */
  static callerOf(session: BrowserSession): Caller {
    return { username: session.username, role: session.role, signedIn: true }
  }

  /**
   * Ends the session here and returns where to send the browser: the provider's end-session
   * endpoint when it has one (RP-initiated logout), else the page.
   */
  async signOut(sessionId: string | undefined): Promise<string> {
    const session = await this.session(sessionId)
    if (sessionId) await this.store.delete(sessionId)
    if (!session) return '/'
    this.log(`browser sign-out: ${session.username}`)
    if (!this.configuration.serverMetadata().end_session_endpoint) return '/'
    return client.buildEndSessionUrl(this.configuration, {
      post_logout_redirect_uri: this.settings.postLogoutRedirectUrl.href,
      ...(session.idToken ? { id_token_hint: session.idToken } : {}),
    }).href
  }
}

/** Constant-time equality of two strings (the lengths may differ). */
export function sameText(left: string, right: string): boolean {
  const leftBytes = Buffer.from(left, 'utf8')
  const rightBytes = Buffer.from(right, 'utf8')
  return leftBytes.length === rightBytes.length && timingSafeEqual(leftBytes, rightBytes)
}

function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]'
}

function refused(message: string): HelpdeskError {
  return new HelpdeskError({ code: 'SIGN_IN_REFUSED', message: `sign-in refused: ${message}` })
}
