import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HelpdeskError } from '../../errors/index.ts'
import { openProjectStores } from '../project-stores.ts'
import { MIGRATIONS_DIRECTORY, openPostgresDatabase } from './postgres-database.ts'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from './testing/postgres-test-database.ts'

let server: PostgresTestServer
beforeAll(async () => {
  server = await startPostgresTestServer()
})
afterAll(async () => {
  await server?.dropAll()
})

const migrationFiles = () =>
  readdirSync(MIGRATIONS_DIRECTORY)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => file.replace(/\.sql$/, ''))
    .sort()

/** Whatever `promise` rejected with; fails the test when it resolved. */
async function rejection(promise: Promise<unknown>): Promise<HelpdeskError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(outcome).toBeInstanceOf(HelpdeskError)
  return outcome as HelpdeskError
}

function expectNoSecret(text: string): void {
  expect(server.password.length).toBeGreaterThan(8)
  expect(text).not.toContain(server.password)
  expect(text).not.toContain(encodeURIComponent(server.password))
}

describe('PostgreSQL store schema and connection', () => {
  it('four replicas starting together apply each migration once, under the lock', async () => {
    const schema = server.schemaName('race')
    const opened = await Promise.allSettled(Array.from({ length: 4 }, () => server.again(schema)))
    expect(opened.map((each) => (each.status === 'rejected' ? String(each.reason) : 'ok'))).toEqual(
      ['ok', 'ok', 'ok', 'ok'],
    )
    const applied = await server.query<{ name: string }>(
      schema,
      'SELECT name FROM pgmigrations ORDER BY id',
    )
    expect(applied.map((row) => row.name)).toEqual(migrationFiles())
    expect(migrationFiles().length).toBeGreaterThanOrEqual(2)
    const tables = await server.query<{ table_name: string }>(
      schema,
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    )
    expect(tables.map((row) => row.table_name)).toEqual([
      'approval_requests',
      'approval_step_executions',
      'audit_head',
      'audit_records',
      'chat_sessions',
      'helpdesk_browser_sessions',
      'helpdesk_pending_sign_ins',
      'helpdesk_tokens',
      'helpdesk_users',
      'paused_run_approvals',
      'paused_run_states',
      'pgmigrations',
      'reply_feedback',
      'runbook_versions',
      'tickets',
      'vector_index_marks',
      'workflow_job_cells',
      'workflow_job_events',
      'workflow_jobs',
    ])
    // A restart applies nothing again.
    await server.again(schema)
    expect(await server.query(schema, 'SELECT name FROM pgmigrations')).toHaveLength(
      migrationFiles().length,
    )
  })

  it('takes the password from PGPASSWORD when the URL has none', async () => {
    const bare = server.url.replace(/:[^:@/]*@/, '@')
    expect(bare).not.toContain(encodeURIComponent(server.password))
    const saved = process.env.PGPASSWORD
    process.env.PGPASSWORD = server.password
    try {
      const database = await openPostgresDatabase({
        url: bare,
        schema: server.schemaName('pgpassword'),
      })
      expect((await database.pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
      expectNoSecret(database.description)
      await database.close()
    } finally {
      if (saved === undefined) delete process.env.PGPASSWORD
      else process.env.PGPASSWORD = saved
    }
  })

  it('takes the password from ~/.pgpass when neither the URL nor PGPASSWORD has one', async () => {
    const bare = new URL(server.url)
    bare.password = ''
    const home = mkdtempSync(join(tmpdir(), 'helpdesk-pgpass-'))
    const saved = {
      HOME: process.env.HOME,
      PGPASSWORD: process.env.PGPASSWORD,
      PGPASSFILE: process.env.PGPASSFILE,
    }
    // pg reads HOME/.pgpass (through the pgpass package) only when no other password is given.
    delete process.env.PGPASSWORD
    delete process.env.PGPASSFILE
    process.env.HOME = home
    const writePgpass = (password: string) => {
      const fields = [
        bare.hostname,
        bare.port,
        bare.pathname.slice(1),
        decodeURIComponent(bare.username),
        password,
      ]
      // .pgpass escapes ':' and '\\' with a backslash; pg ignores the file unless it is 0600.
      writeFileSync(
        join(home, '.pgpass'),
        `${fields.map((field) => field.replace(/[\\:]/g, '\\$&')).join(':')}\n`,
        { mode: 0o600 },
      )
      // The mode above applies only when the file is created.
      chmodSync(join(home, '.pgpass'), 0o600)
    }
    try {
      writePgpass(server.password)
      const database = await openPostgresDatabase({
        url: bare.toString(),
        schema: server.schemaName('pgpass'),
        log: () => {},
      })
      expect((await database.pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
      expectNoSecret(database.description)
      await database.close()

      // A .pgpass others may read is ignored (by pg, like libpq): no password at all, said so.
      chmodSync(join(home, '.pgpass'), 0o644)
      const unread = await rejection(openPostgresDatabase({ url: bare.toString(), log: () => {} }))
      expect(unread.details).toMatchObject({ reason: 'AUTHENTICATION_FAILED' })
      expect(unread.message).toContain('none was found')
      expect(unread.message).toContain('~/.pgpass')
      expectNoSecret(unread.message)

      // A stale entry: refused as an authentication failure, the password in no message.
      const lines: string[] = []
      writePgpass(`${server.password}x`)
      const refused = await rejection(
        openPostgresDatabase({ url: bare.toString(), log: (line) => lines.push(line) }),
      )
      expect(refused).toMatchObject({
        code: 'BACKEND_UNAVAILABLE',
        details: { reason: 'AUTHENTICATION_FAILED' },
      })
      expectNoSecret(`${refused.message}\n${JSON.stringify(refused.toJSON())}\n${refused.stack}`)
      for (const line of lines) expectNoSecret(line)
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
      rmSync(home, { recursive: true, force: true })
    }
  })

  it('never puts the password in an error or a log line', async () => {
    const lines: string[] = []
    const log = (line: string) => lines.push(line)
    // A wrong password (one that looks like the right one, in case a message quotes it).
    const wrong = server.url.replace(
      encodeURIComponent(server.password),
      `${encodeURIComponent(server.password)}x`,
    )
    const refused = await rejection(openPostgresDatabase({ url: wrong, log }))
    expect(refused).toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      details: { reason: 'AUTHENTICATION_FAILED' },
    })
    expect(refused.cause).toBeUndefined()
    expectNoSecret(`${refused.message}\n${JSON.stringify(refused.toJSON())}\n${refused.stack}`)

    // Nothing listens there: the URL (with the password) must not be repeated either.
    const closed = await rejection(
      openPostgresDatabase({ url: server.url.replace(/:\d+\//, ':1/'), log }),
    )
    expect(closed.details).toMatchObject({ reason: 'CONNECT_FAILED' })
    expectNoSecret(`${closed.message}\n${JSON.stringify(closed.toJSON())}`)

    const malformed = await rejection(
      openPostgresDatabase({ url: `mysql://root:${server.password}@h/db`, log }),
    )
    expect(malformed.code).toBe('INVALID_CONFIGURATION')
    expectNoSecret(malformed.message)

    // The factory's own start-up line, with the right password.
    const stores = await openProjectStores(
      { DATABASE_URL: server.url },
      '/nonexistent/helpdesk.sqlite',
      log,
    )
    expect(stores.kind).toBe('postgres')
    await stores.close()
    expect(lines.some((line) => line.includes('PostgreSQL at 127.0.0.1'))).toBe(true)
    for (const line of lines) expectNoSecret(line)
  })

  it('refuses a schema name it would have to quote', async () => {
    const refused = await rejection(
      openPostgresDatabase({ url: server.url, schema: 'a"; DROP TABLE x; --' }),
    )
    expect(refused.code).toBe('INVALID_CONFIGURATION')
  })
})
