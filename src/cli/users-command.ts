import { databaseFile } from '../app/build-execution.ts'
import { loadConfig } from '../config/load-config.ts'
import { HelpdeskError } from '../errors/index.ts'
import { TOKEN_ID_PATTERN } from '../identity/access-token.ts'
import { checkRole } from '../identity/user.ts'
import type { TokenInfo, UserStore } from '../identity/user-store.ts'
import { openProjectStores } from '../store/project-stores.ts'

async function withUsers<T>(work: (users: UserStore) => Promise<T>): Promise<T> {
  const config = loadConfig()
  // DATABASE_URL or the SQLite file, as the server chooses; nothing logged (stdout is the token).
  const stores = await openProjectStores(config, databaseFile(config), () => {})
  const users = stores.users({ tokenLifetimeDays: config.HELPDESK_TOKEN_TTL_DAYS })
  try {
    return await work(users)
  } finally {
    await users.close()
    await stores.close()
  }
}

/**
 * `helpdesk users add NAME --role ROLE`: the token alone goes to stdout (so a script can take it),
 * the note that it cannot be shown again to stderr.
 */
export async function usersAddCommand(username: string, options: { role: string }): Promise<void> {
  const role = checkRole(options.role)
  await withUsers(async (users) => {
    const { user, token, tokenInfo } = await users.add(username, role)
    process.stdout.write(`${token}\n`)
    process.stderr.write(
      `added ${user.username} (${user.role}); this token is shown only once (only its hash is stored): keep it now; it is ${tokenInfo.id} and expires ${tokenInfo.expiresAt}\n`,
    )
  })
}

/** `helpdesk users list`: one line per user, or JSON. */
export async function usersListCommand(options: { json?: boolean }): Promise<void> {
  await withUsers(async (users) => {
    const listed = await users.list()
    if (options.json) {
      process.stdout.write(`${JSON.stringify(listed)}\n`)
      return
    }
    if (listed.length === 0) {
      process.stderr.write('no users yet; add one with npx helpdesk users add NAME --role ROLE\n')
      return
    }
    const width = Math.max(...listed.map((user) => user.username.length))
    for (const user of listed) {
      process.stdout.write(
        `${user.username.padEnd(width)}  ${user.role.padEnd(10)}  added ${user.createdAt}\n`,
      )
    }
  })
}

/** Whether a token still signs in, as a listing shows it. */
function tokenStatus(token: TokenInfo, now: Date): 'active' | 'expired' | 'revoked' {
  if (token.revokedAt !== undefined) return 'revoked'
  return token.expiresAt <= now.toISOString() ? 'expired' : 'active'
}

/**
 * `helpdesk users tokens [NAME]`: each token's id, owner, creation, expiry and state, never the
 * token or its hash. JSON: the same records with their `status`.
 */
export async function usersTokensCommand(
  username: string | undefined,
  options: { json?: boolean },
): Promise<void> {
  await withUsers(async (users) => {
    const now = new Date()
    const tokens = (await users.listTokens(username)).map((token) => ({
      ...token,
      status: tokenStatus(token, now),
    }))
    if (options.json) {
      process.stdout.write(`${JSON.stringify(tokens)}\n`)
      return
    }
    if (tokens.length === 0) {
      process.stderr.write('no tokens\n')
      return
    }
    const width = Math.max(...tokens.map((token) => token.username.length))
    for (const token of tokens) {
      const state = token.status === 'revoked' ? `revoked ${token.revokedAt}` : token.status
      process.stdout.write(
        `${token.id}  ${token.username.padEnd(width)}  created ${token.createdAt}  expires ${token.expiresAt}  ${state}${token.lastUsedAt ? `  last used ${token.lastUsedAt}` : ''}\n`,
      )
    }
  })
}

/** `helpdesk users revoke NAME [--token ID]`: every token of the user, or the one named. */
export async function usersRevokeCommand(
  username: string,
  options: { token?: string },
): Promise<void> {
  if (options.token !== undefined && !TOKEN_ID_PATTERN.test(options.token)) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      // Not echoed: a person may have pasted the token itself.
      message: `--token: expected a token id such as tok_0123456789ab (helpdesk users tokens ${username} lists them), not the token itself`,
    })
  }
  await withUsers(async (users) => {
    const revoked = await users.revoke(username, options.token)
    const ids = revoked.map((token) => token.id).join(', ')
    process.stdout.write(
      revoked.length === 0
        ? `nothing to revoke: ${options.token ?? `the tokens of ${username}`} ${options.token ? 'was' : 'were'} revoked already\n`
        : `revoked ${revoked.length} token${revoked.length === 1 ? '' : 's'} of ${revoked[0]?.username}: ${ids}\n`,
    )
  })
}

/**
 * `helpdesk users rotate NAME`: a new token on stdout (shown once), every older one revoked; what
 * happened goes to stderr.
 */
export async function usersRotateCommand(username: string): Promise<void> {
  await withUsers(async (users) => {
    const { user, token, tokenInfo, revoked } = await users.rotate(username)
    process.stdout.write(`${token}\n`)
    process.stderr.write(
      `new token ${tokenInfo.id} for ${user.username}, expiring ${tokenInfo.expiresAt}; shown only once: keep it now; revoked ${revoked.length} older token${revoked.length === 1 ? '' : 's'}${revoked.length > 0 ? ` (${revoked.map((each) => each.id).join(', ')})` : ''}\n`,
    )
  })
}
