import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import pg from 'pg'
import { startTestService } from '../../../../tests/support/test-services.ts'
import { openPostgresDatabase, type PostgresDatabase } from '../postgres-database.ts'

/**
 * The loopback PostgreSQL of `scripts/test-services/postgres.sh` for store tests: each call of
 * `fresh` makes a schema of its own (migrated), so tests never see each other's rows; `dropAll`
 * removes this run's schemas.
 */
export interface PostgresTestServer {
  url: string
  password: string
  /** A new schema, migrated, behind a pool of its own. */
  fresh(name: string): Promise<PostgresDatabase>
  /** A new schema's name, dropped by `dropAll`, not made yet. */
  schemaName(name: string): string
  /** Another pool on the same schema: another replica. */
  again(schema: string): Promise<PostgresDatabase>
  /** Raw statements on a schema, outside any store (tampering, inspection). */
  query<Row extends pg.QueryResultRow>(
    schema: string,
    text: string,
    values?: unknown[],
  ): Promise<Row[]>
  dropAll(): Promise<void>
}

export async function startPostgresTestServer(): Promise<PostgresTestServer> {
  const facts = await startTestService('postgres')
  const password = (await readFile(facts.PG_PASSWORD_FILE ?? '', 'utf8')).trim()
  const url = `postgresql://${facts.PG_USER}:${encodeURIComponent(password)}@${facts.PG_HOST}:${facts.PG_PORT}/${facts.PG_DATABASE}`
  const run = `t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const schemas: string[] = []
  const opened: PostgresDatabase[] = []
  const again = async (schema: string) => {
    const database = await openPostgresDatabase({ url, schema, log: () => {} })
    opened.push(database)
    return database
  }
  const schemaName = (name: string) => {
    const schema = `${run}_${name}`
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_')
      .slice(0, 63)
    schemas.push(schema)
    return schema
  }
  const query = async <Row extends pg.QueryResultRow>(
    schema: string,
    text: string,
    values: unknown[] = [],
  ): Promise<Row[]> => {
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` })
    await client.connect()
    try {
      return (await client.query<Row>(text, values)).rows
    } finally {
      await client.end()
    }
  }
  return {
    url,
    password,
    fresh: async (name) => again(schemaName(name)),
    schemaName,
    again,
    query,
    dropAll: async () => {
      for (const database of opened) await database.close()
      for (const schema of schemas)
        await query('public', `DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    },
  }
}
