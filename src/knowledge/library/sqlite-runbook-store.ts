import type { DatabaseSync } from 'node:sqlite'
import { openProjectDatabase } from '../../store/open-project-database.ts'
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

/** One table of versions: the current text is the latest version that is not a deletion. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS runbook_versions (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  change TEXT NOT NULL,
  text TEXT NOT NULL,
  author TEXT NOT NULL,
  reason TEXT NOT NULL,
  at TEXT NOT NULL,
  UNIQUE (kind, id, version)
);
`

/** The runbook store in the project's SQLite file (`node:sqlite`). */
export class SqliteRunbookStore implements RunbookStore {
  private readonly database: DatabaseSync

  /** @param options.file a path, or `:memory:` */
  constructor(options: { file: string }) {
    this.database = openProjectDatabase(options.file)
    this.database.exec(SCHEMA)
  }

  async current(kind: RunbookDocumentKind): Promise<RunbookVersion[]> {
    return (await this.latest(kind)).filter((each) => each.change !== 'deleted')
  }

  async deleted(kind: RunbookDocumentKind): Promise<RunbookVersion[]> {
    return (await this.latest(kind)).filter((each) => each.change === 'deleted')
  }

  /** The latest version of each document of a kind, deletions included, by id. */
  private async latest(kind: RunbookDocumentKind): Promise<RunbookVersion[]> {
    const rows = this.database
      .prepare(
        `SELECT v.kind, v.id, v.version, v.change, v.text, v.author, v.reason, v.at
         FROM runbook_versions v
         JOIN (SELECT id, MAX(version) AS latest FROM runbook_versions WHERE kind = ? GROUP BY id) l
           ON v.id = l.id AND v.version = l.latest
         WHERE v.kind = ?
         ORDER BY v.id`,
      )
      .all(kind, kind) as unknown as RunbookVersionRow[]
    return rows.map(versionFromRow)
  }

  async versions(kind: RunbookDocumentKind, id: string): Promise<RunbookVersion[]> {
    const rows = this.database
      .prepare(
        `SELECT kind, id, version, change, text, author, reason, at FROM runbook_versions
         WHERE kind = ? AND id = ? ORDER BY version`,
      )
      .all(kind, id) as unknown as RunbookVersionRow[]
    return rows.map(versionFromRow)
  }

  async everWritten(kind: RunbookDocumentKind): Promise<boolean> {
    return (
      this.database.prepare('SELECT 1 FROM runbook_versions WHERE kind = ? LIMIT 1').get(kind) !==
      undefined
    )
  }

  async apply(
    kind: RunbookDocumentKind,
    writes: readonly RunbookWrite[],
    who: { author: string; reason: string },
  ): Promise<RunbookVersion[]> {
    const at = new Date().toISOString()
    const latest = this.database.prepare(
      'SELECT version, change FROM runbook_versions WHERE kind = ? AND id = ? ORDER BY version DESC LIMIT 1',
    )
    const insert = this.database.prepare(
      `INSERT INTO runbook_versions (${RUNBOOK_VERSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    // IMMEDIATE takes the write lock first: another process's batch cannot interleave its
    // version numbers with this one's.
    this.database.exec('BEGIN IMMEDIATE')
    try {
      const written: RunbookVersion[] = []
      for (const write of writes) {
        const latestRow = latest.get(kind, write.id) as
          | { version: number; change: string }
          | undefined
        const version = nextVersion(kind, write, latestRow, { ...who, at })
        insert.run(...rowValues(version))
        written.push(version)
      }
      this.database.exec('COMMIT')
      return written
    } catch (error) {
      this.database.exec('ROLLBACK')
      throw error
    }
  }

  async revision(): Promise<number> {
    const row = this.database
      .prepare('SELECT MAX(sequence) AS latest FROM runbook_versions')
      .get() as { latest: number | null } | undefined
    return row?.latest ?? 0
  }

  async close(): Promise<void> {
    if (this.database.isOpen) this.database.close()
  }
}
