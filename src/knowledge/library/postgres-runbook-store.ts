import type { PostgresDatabase } from '../../store/postgres/postgres-database.ts'
import type {
  RunbookDocumentKind,
  RunbookStore,
  RunbookVersion,
  RunbookWrite,
} from './runbook-store.ts'
import {
  nextVersion,
  RUNBOOK_VERSION_COLUMNS,
  type RunbookVersionRow,
  rowValues,
  versionFromRow,
} from './runbook-version-row.ts'

/**
 * Runbook versions in PostgreSQL (migration `0006_runbooks.sql`), shared by every replica on
 * the database. A batch takes the table's write lock first (SHARE ROW EXCLUSIVE: readers go on,
 * other writers wait), so two replicas' batches never interleave their version numbers, and
 * `sequence` (the revision) grows in commit order.
 * @module
 */
export class PostgresRunbookStore implements RunbookStore {
  private readonly database: PostgresDatabase

  constructor(options: { database: PostgresDatabase }) {
    this.database = options.database
  }

  async current(kind: RunbookDocumentKind): Promise<RunbookVersion[]> {
    return (await this.latest(kind)).filter((each) => each.change !== 'deleted')
  }

  async deleted(kind: RunbookDocumentKind): Promise<RunbookVersion[]> {
    return (await this.latest(kind)).filter((each) => each.change === 'deleted')
  }

  /** The latest version of each document of a kind, deletions included, by id. */
  private async latest(kind: RunbookDocumentKind): Promise<RunbookVersion[]> {
    const result = await this.database.pool.query<RunbookVersionRow>(
      `SELECT DISTINCT ON (id) ${RUNBOOK_VERSION_COLUMNS} FROM runbook_versions
       WHERE kind = $1 ORDER BY id, version DESC`,
      [kind],
    )
    return result.rows.map(versionFromRow)
  }

  async versions(kind: RunbookDocumentKind, id: string): Promise<RunbookVersion[]> {
    const result = await this.database.pool.query<RunbookVersionRow>(
      `SELECT ${RUNBOOK_VERSION_COLUMNS} FROM runbook_versions
       WHERE kind = $1 AND id = $2 ORDER BY version`,
      [kind, id],
    )
    return result.rows.map(versionFromRow)
  }

  async everWritten(kind: RunbookDocumentKind): Promise<boolean> {
    const result = await this.database.pool.query(
      'SELECT 1 FROM runbook_versions WHERE kind = $1 LIMIT 1',
      [kind],
    )
    return result.rowCount !== null && result.rowCount > 0
  }

  async apply(
    kind: RunbookDocumentKind,
    writes: readonly RunbookWrite[],
    who: { author: string; reason: string },
  ): Promise<RunbookVersion[]> {
    const at = new Date().toISOString()
    const client = await this.database.pool.connect()
    try {
      await client.query('BEGIN')
      try {
        await client.query('LOCK TABLE runbook_versions IN SHARE ROW EXCLUSIVE MODE')
        const written: RunbookVersion[] = []
        for (const write of writes) {
          const latest = await client.query<{ version: number; change: string }>(
            `SELECT version, change FROM runbook_versions
             WHERE kind = $1 AND id = $2 ORDER BY version DESC LIMIT 1`,
            [kind, write.id],
          )
          const version = nextVersion(kind, write, latest.rows[0], { ...who, at })
          await client.query(
            `INSERT INTO runbook_versions (${RUNBOOK_VERSION_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
            rowValues(version),
          )
          written.push(version)
        }
        await client.query('COMMIT')
        return written
      } catch (error) {
        await client.query('ROLLBACK')
        throw error
      }
    } finally {
      client.release()
    }
  }

  async revision(): Promise<number> {
    const result = await this.database.pool.query<{ latest: string | null }>(
      'SELECT MAX(sequence) AS latest FROM runbook_versions',
    )
    return Number(result.rows[0]?.latest ?? 0)
  }

  /** The pool is the project's: `ProjectStores.close` ends it. */
  async close(): Promise<void> {}
}
