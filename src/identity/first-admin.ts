import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { isHelpdeskError } from '../errors/index.ts'
import type { AddedUser, UserStore } from './user-store.ts'

export const FIRST_ADMIN = 'admin'

/**
 * On the very first start (no users at all) creates an `admin` user, so `npm install && npm start`
 * still leads to a working chat: its token goes once into the log and into `tokenFile` (0600),
 * where a person who missed the log finds it. Never runs again once any user exists.
 * @returns the new admin, or undefined when there were users already.
 */
export async function ensureFirstAdmin(
  users: UserStore,
  options: { tokenFile: string; log: (line: string) => void },
): Promise<AddedUser | undefined> {
  if ((await users.list()).length > 0) return undefined
  let added: AddedUser
  try {
    added = await users.add(FIRST_ADMIN, 'admin')
  } catch (error) {
    // Another server on the same store created it a moment ago: that one reports the token.
    if (isHelpdeskError(error) && error.code === 'USER_EXISTS') return undefined
    throw error
  }
  mkdirSync(dirname(options.tokenFile), { recursive: true })
  writeFileSync(options.tokenFile, `${added.token}\n`, { mode: 0o600 })
  // The mode of writeFileSync applies only to a new file; a left-over one is tightened too.
  chmodSync(options.tokenFile, 0o600)
  options.log(
    `no users yet: created ${FIRST_ADMIN}; token ${added.token} (shown once; also written to ${options.tokenFile}, mode 0600); add more with npx helpdesk users add NAME --role requester|technician|admin`,
  )
  return added
}
