import { spawn } from 'node:child_process'
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { SqliteSessionStore } from '../../agent/core/sqlite-session-store.ts'
import { SCHEMA as AUDIT_SCHEMA } from '../../audit/sqlite-audit-schema.ts'
import { isHelpdeskError } from '../../errors/index.ts'
import { sqliteStores } from '../project-stores.ts'
import {
  knownMigrations,
  migrateProjectDatabase,
  SQLITE_MIGRATIONS_DIRECTORY,
} from './migrate-sqlite-database.ts'
import { MIGRATIONS_TABLE } from './sqlite-migration-storage.ts'

const ALL = knownMigrations().map((migration) => migration.name)

function newFile(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'sqlite-migrations-')), 'helpdesk.sqlite')
}

function recorded(file: string): string[] {
  const database = new DatabaseSync(file)
  try {
    return (
      database.prepare(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY name`).all() as Array<{
        name: string
      }>
    ).map((row) => row.name)
  } finally {
    database.close()
  }
}

/** Every table, index and trigger with its columns: what the stores depend on. */
function schemaOf(file: string): string[] {
  const database = new DatabaseSync(file)
  try {
    const objects = database
      .prepare(
        `SELECT type, name FROM sqlite_master
         WHERE name NOT LIKE 'sqlite_%' AND name <> '${MIGRATIONS_TABLE}' ORDER BY type, name`,
      )
      .all() as Array<{ type: string; name: string }>
    return objects.map((object) => {
      if (object.type !== 'table') return `${object.type} ${object.name}`
      const columns = database.prepare(`PRAGMA table_info("${object.name}")`).all() as Array<{
        name: string
        type: string
        notnull: number
        pk: number
      }>
      const described = columns.map(
        (column) => `${column.name} ${column.type}${column.notnull ? ' NOT NULL' : ''}`,
      )
      return `table ${object.name} (${described.join(', ')})`
    })
  } finally {
    database.close()
  }
}

async function openEveryStore(file: string): Promise<void> {
  const stores = sqliteStores(file)
  const opened = [
    stores.approvals(),
    stores.ledger(),
    stores.users({ tokenLifetimeDays: 30 }),
    stores.sessions(),
    stores.tickets(),
    stores.runbooks(),
    stores.browserSessions(),
    stores.jobs(),
    stores.feedback(),
  ]
  for (const framework of ['langgraph', 'langchain', 'openai_agents'] as const) {
    stores.pausedRuns(framework)
  }
  for (const store of opened) await store.close()
  await stores.close()
  const checkpoints = new DatabaseSync(file)
  // The audit log needs a key to open; its schema is the statement it runs first.
  checkpoints.exec(AUDIT_SCHEMA)
  const { NodeSqliteCheckpointSaver } = await import(
    '../../agent/langgraph/node-sqlite-checkpoint-saver.ts'
  )
  await new NodeSqliteCheckpointSaver(checkpoints).getTuple({ configurable: { thread_id: 't' } })
  checkpoints.close()
}

describe('versioned SQLite migrations (umzug)', () => {
  it('apply every migration once to a new file and record each', async () => {
    const file = newFile()
    expect(ALL.length).toBeGreaterThanOrEqual(11)
    expect(await migrateProjectDatabase(file)).toEqual(ALL)
    expect(recorded(file)).toEqual(ALL)
    // Opening it again applies nothing and records nothing twice.
    expect(await migrateProjectDatabase(file)).toEqual([])
    expect(recorded(file)).toEqual(ALL)
  })

  it('hold the same schema the stores create themselves (no store adds a table or column)', async () => {
    const migrated = newFile()
    await migrateProjectDatabase(migrated)
    const before = schemaOf(migrated)
    await openEveryStore(migrated)
    expect(schemaOf(migrated)).toEqual(before)
    const byStores = newFile()
    await openEveryStore(byStores)
    expect(schemaOf(byStores)).toEqual(before)
  })

  it('adopt a file made by the stores before migrations: recorded, its rows untouched', async () => {
    const file = newFile()
    const sessions = new SqliteSessionStore({ file })
    await sessions.close()
    const database = new DatabaseSync(file)
    database
      .prepare('INSERT INTO chat_sessions (id, created_at, updated_at, state) VALUES (?, ?, ?, ?)')
      .run('kept', '2026-01-01', '2026-01-01', '{}')
    database.close()
    expect(await migrateProjectDatabase(file)).toEqual(ALL)
    const after = new DatabaseSync(file)
    expect(after.prepare('SELECT id FROM chat_sessions').all()).toEqual([{ id: 'kept' }])
    after.close()
  })

  it('refuse a file recording a migration this version does not have, naming it, changing nothing', async () => {
    const file = newFile()
    const newer = mkdtempSync(path.join(tmpdir(), 'sqlite-migrations-newer-'))
    for (const name of ALL.slice(0, 2)) {
      copyFileSync(path.join(SQLITE_MIGRATIONS_DIRECTORY, `${name}.sql`), `${newer}/${name}.sql`)
    }
    writeFileSync(path.join(newer, '0099_future.sql'), 'CREATE TABLE future (a);')
    expect(await migrateProjectDatabase(file, { directory: newer })).toEqual([
      ...ALL.slice(0, 2),
      '0099_future',
    ])
    const before = schemaOf(file)
    const error = await migrateProjectDatabase(file).catch((caught: unknown) => caught)
    expect(isHelpdeskError(error) && error.code).toBe('DATABASE_NEWER')
    expect(String(error)).toMatch(/0099_future/)
    expect(String(error)).toContain(file)
    expect(schemaOf(file)).toEqual(before)
    expect(recorded(file)).toEqual([...ALL.slice(0, 2), '0099_future'])
  })

  it('let two processes opening one new file at once both succeed, applying each migration once', async () => {
    const file = newFile()
    const module = path.join(SQLITE_MIGRATIONS_DIRECTORY, '..', 'migrate-sqlite-database.ts')
    // Both children wait for the same instant, so their migrations overlap.
    const start = Date.now() + 1500
    const script = `
      const { migrateProjectDatabase } = await import(${JSON.stringify(module)})
      const [file, start] = process.argv.slice(-2)
      // Spinning, not sleeping: a timer could wake one child tens of milliseconds late.
      while (Date.now() < Number(start)) {}
      console.log(JSON.stringify(await migrateProjectDatabase(file)))`
    const run = () =>
      new Promise<{ code: number | null; output: string; errors: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ['--input-type=module', '-e', script, '--', file, String(start)],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        )
        let output = ''
        let errors = ''
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString()
        })
        child.stderr.on('data', (chunk: Buffer) => {
          errors += chunk.toString()
        })
        child.on('close', (code) => resolve({ code, output, errors }))
      })
    const results = await Promise.all([run(), run()])
    for (const result of results) expect(result, result.errors).toMatchObject({ code: 0 })
    const applied = results.map((result) => JSON.parse(result.output) as string[])
    // One applied them all, the other found them recorded.
    expect(applied.flat().sort()).toEqual(ALL)
    expect(recorded(file)).toEqual(ALL)
  }, 30_000)
})
