import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { MemorySaver } from '@langchain/langgraph-checkpoint'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../../bench/bench-support.ts'
import { startTestService } from '../../../tests/support/test-services.ts'
import { RecordingExecutor } from '../../approvals/testing/approval-fixture.ts'
import { HelpdeskError } from '../../errors/index.ts'
import { LangGraphAgent } from '../adapters/langgraph-agent.ts'
import { openLiveStack } from '../adapters/testing/live-approval-stack.ts'
import { lastReply } from '../event-stream.ts'
import { SqlitePausedRunStore } from '../paused/sqlite-paused-run-store.ts'
import {
  CHECKPOINT_URL_VARIABLE,
  checkpointerUrlFromEnvironment,
  openCheckpointer,
} from './checkpointer-from-config.ts'
import { NodeSqliteCheckpointSaver } from './node-sqlite-checkpoint-saver.ts'

const TECHNICIAN = { username: 'tech.anna', role: 'technician' as const }
const UNLOCK = 'account_locked.unlock_ad_account'
// One prefix per run: a rerun never finds an earlier run's tables, and afterAll drops them.
const RUN = `lgtest_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
const schemas: string[] = []

let service: Record<string, string>
let password = ''
let url = ''

function freshSchema(name: string): string {
  const schema = `${RUN}_${name}`
  schemas.push(schema)
  return schema
}

function urlWith(parts: { password?: string; port?: number; database?: string }): string {
  const secret = encodeURIComponent(parts.password ?? password)
  return `postgresql://${service.PG_USER}:${secret}@${service.PG_HOST}:${parts.port ?? service.PG_PORT}/${parts.database ?? service.PG_DATABASE}`
}

async function query<Row>(text: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(text, values)).rows as Row[]
  } finally {
    await client.end()
  }
}

async function tablesOf(schema: string): Promise<string[]> {
  const rows = await query<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
    [schema],
  )
  return rows.map((row) => row.table_name)
}

/** Whatever `promise` rejected with; fails the test when it resolved. */
async function rejection(promise: Promise<unknown>): Promise<HelpdeskError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(outcome).toBeInstanceOf(HelpdeskError)
  return outcome as HelpdeskError
}

/** A password must not appear anywhere an operator or a log could see it. */
function expectNoSecret(error: HelpdeskError, ...secrets: string[]): void {
  const visible = `${error.message}\n${JSON.stringify(error.toJSON())}`
  for (const secret of secrets) expect(visible).not.toContain(secret)
}

/**
 * One "server process": approvals, audit and the LangGraph paused-run table on the SQLite file,
 * checkpoints on PostgreSQL, the executor's runs appended to `runLog` so they add up across two.
 */
async function helpdeskProcess(file: string, runLog: string, schema: string) {
  const checkpoints = await openCheckpointer({ postgresUrl: url, schema })
  const live = await openLiveStack(
    (toolbox, database) =>
      new LangGraphAgent(
        toolbox,
        checkpoints.saver,
        new SqlitePausedRunStore({ database, framework: 'langgraph' }),
      ),
    { file, executor: new RecordingExecutor({ logFile: runLog }) },
  )
  return {
    ...live,
    checkpoints,
    stop: async () => {
      await checkpoints.close()
      await live.close()
    },
  }
}

function runsOf(runLog: string, stepId: string): number {
  return readFileSync(runLog, 'utf8')
    .split('\n')
    .filter((line) => line === stepId).length
}

beforeAll(async () => {
  service = await startTestService('postgres')
  password = (await readFile(service.PG_PASSWORD_FILE ?? '', 'utf8')).trim()
  url = urlWith({})
})

afterAll(async () => {
  if (!url) return
  for (const schema of schemas) await query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
})

describe('LangGraph checkpoints in PostgreSQL', () => {
  it('setup makes the tables once and is safe to repeat, one after another and all at once', async () => {
    const schema = freshSchema('setup')
    expect(await tablesOf(schema)).toEqual([])
    for (let round = 0; round < 2; round++) {
      const opened = await openCheckpointer({ postgresUrl: url, schema })
      expect(opened.kind).toBe('postgres')
      expect(opened.description).toContain(`${service.PG_HOST}:${service.PG_PORT}`)
      expect(opened.description).not.toContain(password)
      await opened.close()
      await opened.close()
    }
    expect(await tablesOf(schema)).toEqual([
      'checkpoint_blobs',
      'checkpoint_migrations',
      'checkpoint_writes',
      'checkpoints',
    ])
    const migrations = await query<{ v: number }>(
      `SELECT v FROM "${schema}".checkpoint_migrations ORDER BY v`,
    )
    expect(migrations.map((row) => row.v)).toEqual([0, 1, 2, 3, 4])

    // Replicas starting together: the saver's own setup races on the catalogue without our lock.
    const racing = freshSchema('race')
    const opened = await Promise.allSettled(
      Array.from({ length: 4 }, () => openCheckpointer({ postgresUrl: url, schema: racing })),
    )
    for (const each of opened) if (each.status === 'fulfilled') await each.value.close()
    expect(opened.map((each) => (each.status === 'rejected' ? String(each.reason) : 'ok'))).toEqual(
      ['ok', 'ok', 'ok', 'ok'],
    )
    expect(await tablesOf(racing)).toHaveLength(4)
  })

  it('an approval interrupted by one process is resumed after a restart and runs exactly once', async () => {
    const schema = freshSchema('restart')
    const directory = mkdtempSync(path.join(tmpdir(), 'postgres-checkpoint-'))
    const file = path.join(directory, 'helpdesk.sqlite')
    const runLog = path.join(directory, 'runs.log')

    const first = await helpdeskProcess(file, runLog, schema)
    const turn = await lastReply(
      first.agent.handleTurn({
        message: 'user maria.garcia is locked out of active directory',
        requester: 'maria.garcia',
      }),
    )
    expect(turn.results.find((result) => result.stepId === UNLOCK)?.status).toBe(
      'awaiting_approval',
    )
    const approvalId = turn.approvals?.[0]?.id ?? ''
    expect(approvalId).not.toBe('')
    expect(runsOf(runLog, UNLOCK)).toBe(0)
    const [row] = await query<{ count: string }>(
      `SELECT COUNT(*) AS count FROM "${schema}".checkpoints`,
    )
    // One checkpoint, written when the run stopped at await_approval's interrupt (durability
    // exit): what the restarted process resumes from. None for the nodes before it.
    expect(Number(row?.count)).toBe(1)
    await first.stop()

    const second = await helpdeskProcess(file, runLog, schema)
    try {
      // Control: the same process state without these checkpoints has nothing to resume.
      const control = new DatabaseSync(file, { timeout: 5000 })
      const empty = new LangGraphAgent(
        second.toolbox,
        new MemorySaver(),
        new SqlitePausedRunStore({ database: control, framework: 'langgraph' }),
      )
      expect(
        await empty.resumeApproval(approvalId, { outcome: 'approved', actor: TECHNICIAN.username }),
      ).toBeUndefined()
      control.close()

      await second.stack.service.approve(approvalId, TECHNICIAN)
      const run = await second.agent.resumeApproval(approvalId, {
        outcome: 'approved',
        actor: TECHNICIAN.username,
      })
      expect(run?.results.find((result) => result.stepId === UNLOCK)?.status).toBe('succeeded')
      expect(runsOf(runLog, UNLOCK)).toBe(1)

      // Neither a second decision nor the service's own path runs it again.
      expect(
        await second.agent.resumeApproval(approvalId, {
          outcome: 'approved',
          actor: TECHNICIAN.username,
        }),
      ).toBeUndefined()
      await second.stack.service
        .executeApproved(approvalId, { actor: TECHNICIAN.username })
        .catch(() => undefined)
      expect(runsOf(runLog, UNLOCK)).toBe(1)
      const executions = (await second.stack.audit.list({ limit: 1000 })).filter(
        (record) => record.action === 'step-execute' && record.detail.stepId === UNLOCK,
      )
      expect(executions).toHaveLength(1)
      expect((await second.stack.audit.verify()).ok).toBe(true)
    } finally {
      await second.stop()
    }
  })

  it('a connection the server drops while idle is logged, not fatal, and the next read reconnects', async () => {
    const lines: string[] = []
    const opened = await openCheckpointer({
      postgresUrl: url,
      schema: freshSchema('drop'),
      log: (line) => lines.push(line),
    })
    try {
      const thread = { configurable: { thread_id: 'no-such-thread' } }
      expect(await opened.saver.getTuple(thread)).toBeUndefined()
      const [terminated] = await query<{ count: string }>(
        `SELECT COUNT(pg_terminate_backend(pid)) AS count FROM pg_stat_activity
          WHERE application_name = 'helpdesk-langgraph' AND pid <> pg_backend_pid()`,
      )
      expect(Number(terminated?.count)).toBeGreaterThanOrEqual(1)
      await expect.poll(() => lines.length, { timeout: 5000 }).toBeGreaterThanOrEqual(1)
      expect(lines[0]).toContain(`${service.PG_HOST}:${service.PG_PORT}`)
      expect(await opened.saver.getTuple(thread)).toBeUndefined()
    } finally {
      await opened.close()
    }
  })

  describe('a database that cannot be used gives an error naming host:port, never the password', () => {
    it('nothing listens on the port', async () => {
      const port = await freePort()
      const error = await rejection(
        openCheckpointer({ postgresUrl: urlWith({ port }), schema: freshSchema('closed') }),
      )
      expect(error.code).toBe('BACKEND_UNAVAILABLE')
      expect(error.details.reason).toBe('CONNECT_FAILED')
      expect(error.message).toContain(`127.0.0.1:${port}`)
      expect(error.message).toContain(CHECKPOINT_URL_VARIABLE)
      expect(error.message).not.toMatch(/\n\s+at /)
      expectNoSecret(error, password, encodeURIComponent(password))
    })

    it('the server refuses the password', async () => {
      const wrong = `wr0ng/P@ss:${randomBytes(4).toString('hex')}`
      const error = await rejection(
        openCheckpointer({ postgresUrl: urlWith({ password: wrong }), schema: freshSchema('pw') }),
      )
      expect(error.details.reason).toBe('AUTHENTICATION_FAILED')
      expect(error.message).toContain(`${service.PG_HOST}:${service.PG_PORT}`)
      expectNoSecret(error, wrong, encodeURIComponent(wrong), password)
    })

    it('the database does not exist', async () => {
      const error = await rejection(
        openCheckpointer({
          postgresUrl: urlWith({ database: `${RUN}_missing` }),
          schema: freshSchema('db'),
        }),
      )
      expect(error.details.reason).toBe('NO_DATABASE')
      expect(error.message).toContain(`database ${RUN}_missing does not exist`)
      expectNoSecret(error, password)
    })

    it('the port accepts connections but never answers', async () => {
      const sockets: Socket[] = []
      const silent: Server = createServer((socket) => sockets.push(socket))
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
      const { port } = silent.address() as { port: number }
      try {
        const started = Date.now()
        const error = await rejection(
          openCheckpointer({
            postgresUrl: urlWith({ port }),
            schema: freshSchema('silent'),
            connectTimeoutMs: 500,
          }),
        )
        expect(Date.now() - started).toBeLessThan(5000)
        expect(error.details.reason).toBe('TIMEOUT')
        expect(error.message).toContain(`127.0.0.1:${port}`)
        expectNoSecret(error, password)
      } finally {
        for (const socket of sockets) socket.destroy()
        await new Promise((resolve) => silent.close(resolve))
      }
    })
  })

  describe(`${CHECKPOINT_URL_VARIABLE}`, () => {
    const SECRET = 'Sup3r-secret-pw'

    it('accepts postgres:// and postgresql:// URLs, and unset means none', () => {
      for (const value of [
        `postgres://helpdesk:${SECRET}@db.internal:5432/helpdesk`,
        `postgresql://helpdesk:${SECRET}@127.0.0.1/helpdesk?sslmode=require`,
      ]) {
        expect(checkpointerUrlFromEnvironment({ [CHECKPOINT_URL_VARIABLE]: ` ${value} ` })).toBe(
          value,
        )
      }
      expect(checkpointerUrlFromEnvironment({})).toBeUndefined()
      expect(checkpointerUrlFromEnvironment({ [CHECKPOINT_URL_VARIABLE]: '  ' })).toBeUndefined()
    })

    it('rejects anything else, naming the variable and what it expects, not the password', () => {
      for (const value of [
        `mysql://helpdesk:${SECRET}@db.internal/helpdesk`,
        `https://helpdesk:${SECRET}@db.internal/helpdesk`,
        `helpdesk:${SECRET}@db.internal:5432/helpdesk`,
        `${SECRET}`,
        `postgresql://helpdesk:${SECRET}@db.internal:99999/helpdesk`,
      ]) {
        let thrown: unknown
        try {
          checkpointerUrlFromEnvironment({ [CHECKPOINT_URL_VARIABLE]: value })
        } catch (error) {
          thrown = error
        }
        expect(thrown, value).toBeInstanceOf(HelpdeskError)
        const error = thrown as HelpdeskError
        expect(error.code).toBe('INVALID_CONFIGURATION')
        expect(error.message).toContain(CHECKPOINT_URL_VARIABLE)
        expect(error.message).toContain('postgresql://')
        expectNoSecret(error, SECRET)
      }
    })

    it('openCheckpointer refuses a non-postgres URL before connecting anywhere', async () => {
      const error = await rejection(
        openCheckpointer({ postgresUrl: `redis://:${SECRET}@127.0.0.1:${service.PG_PORT}` }),
      )
      expect(error.code).toBe('INVALID_CONFIGURATION')
      expectNoSecret(error, SECRET)
    })

    it('without a URL: SQLite on the project database, else memory', async () => {
      const database = new DatabaseSync(':memory:')
      const sqlite = await openCheckpointer({ database })
      expect(sqlite.kind).toBe('sqlite')
      expect(sqlite.saver).toBeInstanceOf(NodeSqliteCheckpointSaver)
      await sqlite.close()
      // The database belongs to the caller: closing the checkpointer leaves it open.
      expect(database.prepare('SELECT 1 AS one').get()).toEqual({ one: 1 })
      database.close()
      const memory = await openCheckpointer({})
      expect(memory.kind).toBe('memory')
      expect(memory.saver).toBeInstanceOf(MemorySaver)
    })
  })
})
