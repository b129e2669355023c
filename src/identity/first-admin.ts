import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { HelpdeskError, isHelpdeskError } from '../errors/index.ts'
import { ACCESS_TOKEN_PATTERN } from './access-token.ts'
import type { AddedUser, UserStore } from './user-store.ts'

export const FIRST_ADMIN = 'admin'

/** The variable naming a file with an operator-generated admin token (a Kubernetes secret). */
export const ADMIN_TOKEN_FILE_VARIABLE = 'HELPDESK_ADMIN_TOKEN_FILE'

/**
 * On the very first start (no users at all) creates an `admin` user, so `npm install && npm start`
 * still leads to a working chat. The token never goes into the log (journald, docker and
 * Kubernetes keep logs): either it is written to `tokenFile` (0600) and the log says where, or,
 * with `givenTokenFile`, the operator generated it and the admin is created with its hash.
 * Never runs again once any user exists.
 * @returns the new admin, or undefined when there were users already.
 * @throws {HelpdeskError} INVALID_CONFIGURATION when `givenTokenFile` cannot be read or does not
 *   hold a token (checked on every start, so a broken secret is noticed at once).
 */
export async function ensureFirstAdmin(
  users: UserStore,
  options: { tokenFile: string; givenTokenFile?: string; log: (line: string) => void },
): Promise<AddedUser | undefined> {
  const given =
    options.givenTokenFile === undefined ? undefined : readGivenToken(options.givenTokenFile)
  if ((await users.list()).length > 0) return undefined
  let added: AddedUser
  try {
    added = await users.add(FIRST_ADMIN, 'admin', given === undefined ? {} : { token: given })
  } catch (error) {
    // Another server on the same store created it a moment ago: that one says where the token is.
    if (isHelpdeskError(error) && error.code === 'USER_EXISTS') return undefined
    throw error
  }
  const more = 'add more with npx helpdesk users add NAME --role requester|technician|admin'
  if (given !== undefined) {
    options.log(
      `no users yet: created ${FIRST_ADMIN} with the token in ${ADMIN_TOKEN_FILE_VARIABLE} (${options.givenTokenFile}), expiring ${added.tokenInfo.expiresAt}; ${more}`,
    )
    return added
  }
  mkdirSync(dirname(options.tokenFile), { recursive: true })
  writeFileSync(options.tokenFile, `${added.token}\n`, { mode: 0o600 })
  // The mode of writeFileSync applies only to a new file; a left-over one is tightened too.
  chmodSync(options.tokenFile, 0o600)
  options.log(
    `no users yet: created ${FIRST_ADMIN}; its token is in ${options.tokenFile} (mode 0600, not shown in this log), expiring ${added.tokenInfo.expiresAt}; ${more}`,
  )
  return added
}

/** The token in an operator's file: the whole content, less surrounding whitespace. */
function readGivenToken(file: string): string {
  let content: string
  try {
    content = readFileSync(file, 'utf8')
  } catch (error) {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: `${ADMIN_TOKEN_FILE_VARIABLE}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      cause: error,
    })
  }
  const token = content.trim()
  if (!ACCESS_TOKEN_PATTERN.test(token)) {
    // The content is a secret, or close to one: it is not repeated in the message.
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: `${ADMIN_TOKEN_FILE_VARIABLE}: ${file} does not hold a helpdesk token: expected hd_ followed by 43 base64url characters (${content.length} characters found), for example from: echo "hd_$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')"`,
    })
  }
  return token
}
