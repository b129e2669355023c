import { databaseFile } from '../app/build-execution.ts'
import { loadConfig } from '../config/load-config.ts'
import { SqliteUserStore } from '../identity/sqlite-user-store.ts'
import { checkRole } from '../identity/user.ts'

async function withUsers<T>(work: (users: SqliteUserStore) => Promise<T>): Promise<T> {
  const users = new SqliteUserStore({ file: databaseFile(loadConfig()) })
  try {
    return await work(users)
  } finally {
    await users.close()
  }
}

/**
 * `helpdesk users add NAME --role ROLE`: the token alone goes to stdout (so a script can take it),
 * the note that it cannot be shown again to stderr.
 */
export async function usersAddCommand(username: string, options: { role: string }): Promise<void> {
  const role = checkRole(options.role)
  await withUsers(async (users) => {
    const { user, token } = await users.add(username, role)
    process.stdout.write(`${token}\n`)
    process.stderr.write(
      `added ${user.username} (${user.role}); this token is shown only once (only its hash is stored): keep it now\n`,
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
