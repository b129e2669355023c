import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DatabaseSync } from 'node:sqlite'
import { fileURLToPath } from 'node:url'
import { Umzug } from 'umzug'
import { HelpdeskError } from '../../errors/index.ts'
import { openProjectDatabase } from '../open-project-database.ts'
import { MIGRATIONS_TABLE, SqliteMigrationStorage } from './sqlite-migration-storage.ts'

/**
 * Versioned schema of the SQLite project file: the numbered `migrations/NNNN_name.sql` files,
 * applied in order by umzug and recorded in `helpdesk_sqlite_migrations`, the way
 * node-pg-migrate does for PostgreSQL. The first files hold the stores' DDL as it stood when
 * migrations were introduced, written `IF NOT EXISTS`, so a file made by an earlier version is
 * adopted as it is and only recorded. The stores still run their own `CREATE ... IF NOT EXISTS`
 * and their in-place upgrades (the user tokens, the approval statuses, the audit columns), so a
 * store opened outside `openProjectStores` (tests, tools) keeps working.
 * @module
 */

export const SQLITE_MIGRATIONS_DIRECTORY = fileURLToPath(new URL('./migrations', import.meta.url))

const MIGRATION_FILE = /^\d{4}_[a-z0-9_-]+\.sql$/

/** The migrations this code knows, by name (the file name without `.sql`), in order. */
export function knownMigrations(
  directory: string = SQLITE_MIGRATIONS_DIRECTORY,
): Array<{ name: string; sql: string }> {
  return readdirSync(directory)
    .filter((file) => MIGRATION_FILE.test(file))
    .sort()
    .map((file) => ({
      name: file.slice(0, -'.sql'.length),
      sql: readFileSync(join(directory, file), 'utf8'),
    }))
}

/**
 * Applies the pending migrations to `database` inside one `BEGIN EXCLUSIVE` transaction: a
 * second process opening the same new file waits (the connection's busy timeout) and then finds
 * them recorded, so each is applied once. Nothing is changed when the file records a migration
 * this code does not have (it was written by a newer version).
 * @returns the names applied now (empty when the file was up to date)
 * @throws {HelpdeskError} DATABASE_NEWER naming the unknown migrations.
 */
export async function migrateSqliteDatabase(
  database: DatabaseSync,
  options: { file: string; directory?: string },
): Promise<string[]> {
  const migrations = knownMigrations(options.directory)
  database.exec('BEGIN EXCLUSIVE')
  try {
    const storage = new SqliteMigrationStorage(database)
    const known = new Set(migrations.map((migration) => migration.name))
    const unknown = (await storage.executed()).filter((name) => !known.has(name))
    if (unknown.length > 0) {
      throw new HelpdeskError({
        code: 'DATABASE_NEWER',
        category: 'SYSTEM',
        message: `the SQLite project file ${options.file} records migration ${unknown.join(', ')} in ${MIGRATIONS_TABLE}, which this version does not have (the file was written by a newer version); run that version or a newer one (nothing was changed)`,
        details: { file: options.file, migrations: unknown.join(', ') },
      })
    }
    const umzug = new Umzug({
      migrations: migrations.map((migration) => ({
        name: migration.name,
        up: async () => {
          database.exec(migration.sql)
        },
      })),
      storage,
      logger: undefined,
    })
    const applied = await umzug.up()
    database.exec('COMMIT')
    return applied.map((migration) => migration.name)
  } catch (error) {
    if (database.isTransaction) database.exec('ROLLBACK')
    throw error
  }
}

/** Opens the project file (creating it 0600), migrates it and closes this connection. */
export async function migrateProjectDatabase(
  file: string,
  options: { directory?: string } = {},
): Promise<string[]> {
  const database = openProjectDatabase(file)
  try {
    return await migrateSqliteDatabase(database, { file, ...options })
  } finally {
    database.close()
  }
}
