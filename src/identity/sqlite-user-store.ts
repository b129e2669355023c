import type { DatabaseSync } from 'node:sqlite'
import { HelpdeskError } from '../errors/index.ts'
import { openProjectDatabase } from '../store/open-project-database.ts'
import {
  ACCESS_TOKEN_PATTERN,
  createAccessToken,
  hashAccessToken,
  sameHash,
} from './access-token.ts'
import { checkRole, checkUsername, ROLES, type Role, type User } from './user.ts'
import type { AddedUser, UserStore } from './user-store.ts'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS helpdesk_users (
  username TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN (${ROLES.map((role) => `'${role}'`).join(', ')})),
  token_sha256 TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);
`

interface Row {
  username: string
  role: string
  token_sha256: string
  created_at: string
}

/** Users in the project store (`node:sqlite`): the embedded default. */
export class SqliteUserStore implements UserStore {
  private readonly database: DatabaseSync
  private readonly now: () => Date

  /** @param file a path, or `:memory:` */
  constructor(options: { file: string; now?: () => Date }) {
    this.database = openProjectDatabase(options.file)
    this.database.exec(SCHEMA)
    this.now = options.now ?? (() => new Date())
  }

  async add(username: string, role: Role): Promise<AddedUser> {
    const user: User = {
      username: checkUsername(username),
      role: checkRole(role),
      createdAt: this.now().toISOString(),
    }
    const token = createAccessToken()
    const inserted = this.database
      .prepare(
        'INSERT INTO helpdesk_users (username, role, token_sha256, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (username) DO NOTHING',
      )
      .run(user.username, user.role, hashAccessToken(token), user.createdAt)
    if (inserted.changes === 0) {
      throw new HelpdeskError({
        code: 'USER_EXISTS',
        message: `user "${user.username}" already exists; helpdesk users list shows who is there`,
      })
    }
    return { user, token }
  }

  async findByToken(token: string): Promise<User | undefined> {
    if (typeof token !== 'string' || !ACCESS_TOKEN_PATTERN.test(token)) return undefined
    const hash = hashAccessToken(token)
    // The lookup is by the hash of the presented token, which the caller cannot steer byte by
    // byte; the final comparison is constant-time anyway, so equality itself never leaks timing.
    const row = this.database
      .prepare('SELECT * FROM helpdesk_users WHERE token_sha256 = ?')
      .get(hash) as Row | undefined
    return row && sameHash(row.token_sha256, hash) ? toUser(row) : undefined
  }

  async list(): Promise<User[]> {
    const rows = this.database
      .prepare('SELECT * FROM helpdesk_users ORDER BY rowid')
      .all() as unknown as Row[]
    return rows.map(toUser)
  }

  async close(): Promise<void> {
    if (this.database.isOpen) this.database.close()
  }
}

function toUser(row: Row): User {
  return { username: row.username, role: checkRole(row.role), createdAt: row.created_at }
}
