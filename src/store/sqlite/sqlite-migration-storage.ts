import type { DatabaseSync } from 'node:sqlite'
import type { UmzugStorage } from 'umzug'

/** The table that records which numbered SQLite migrations a project file has had. */
export const MIGRATIONS_TABLE = 'helpdesk_sqlite_migrations'

/**
 * umzug's record of applied migrations, kept in the project file itself so the record and the
 * tables it describes are written in the same transaction (a crash leaves neither or both).
 */
export class SqliteMigrationStorage implements UmzugStorage {
  private readonly database: DatabaseSync

  constructor(database: DatabaseSync) {
    this.database = database
    this.database.exec(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`,
    )
  }

  async logMigration(params: { name: string }): Promise<void> {
    this.database
      .prepare(`INSERT INTO ${MIGRATIONS_TABLE} (name, applied_at) VALUES (?, ?)`)
      .run(params.name, new Date().toISOString())
  }

  async unlogMigration(params: { name: string }): Promise<void> {
    this.database.prepare(`DELETE FROM ${MIGRATIONS_TABLE} WHERE name = ?`).run(params.name)
  }

  async executed(): Promise<string[]> {
    const rows = this.database
      .prepare(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY name`)
      .all() as Array<{ name: string }>
    return rows.map((row) => row.name)
  }
}
