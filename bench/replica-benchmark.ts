// Replicas and soak on PostgreSQL (issue 12, figures): chat throughput against one API process and
// against two sharing one database (clients alternate between them), with the CPU each process
// and the database spent, then a soak: concurrent clients mixing chat turns, approval decisions
// and job and approval reads, sampling every process's RSS, the sessions stored and the open
// database connections. Run alone: npm run bench:replicas (BENCH_SECONDS, SOAK_SECONDS=600,
// SOAK_CLIENTS=20). On 2 shared cores two replicas cannot be faster than one CPU-bound process:
// the ratio says what the second process costs, the CPU split says where the time goes.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import pg from 'pg'
import { startTestService } from '../tests/support/test-services.ts'
import { chatThroughput, startServer } from './bench-support.ts'

const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 20)
const THROUGHPUT_SECONDS = Number(process.env.BENCH_SECONDS ?? 15)
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 600)
const SAMPLE_SECONDS = 10
/** BENCH_QUERY_CENSUS=1: the first replica counts its queries (bench/support/query-census.ts). */
const CENSUS = process.env.BENCH_QUERY_CENSUS === '1'
/** BENCH_REPLICAS=1: measure one replica only (profiling; no second start). */
const MAX_REPLICAS = Number(process.env.BENCH_REPLICAS ?? 2)
const DATABASE = 'helpdesk_bench'
const runtimeDirectory = path.resolve('.helpdesk/runtime')

type Server = Awaited<ReturnType<typeof startServer>>
/** The first refused read of the soak, shown whole once (the counts say how often). */
let firstReadFailure: string | undefined

const texts = (await readFile('tests/fixtures/routing-dev.jsonl', 'utf8'))
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => (JSON.parse(line) as { text: string }).text)

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The name may hold spaces: count fields after its closing parenthesis. utime and stime are
    // fields 14 and 15 of the whole line, so 12 and 13 (0-based 11 and 12) after the name.
    const fields = line.slice(line.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return 0
  }
}

/** Resident memory in MB of a process. */
async function rssMegabytes(pid: number | undefined): Promise<number> {
  if (!pid) return 0
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return Math.round(kilobytes / 102.4) / 10
}

/** CPU seconds of every PostgreSQL backend serving the bench database. */
async function databaseCpuSeconds(admin: pg.Client): Promise<number> {
  const rows = (
    await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [
      DATABASE,
    ])
  ).rows
  return rows.reduce((sum, row) => sum + cpuSeconds(row.pid), 0)
}

async function post(server: Server, token: string, route: string, body: unknown) {
  const response = await fetch(`${server.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  })
  return {
    status: response.status,
    body: (await response.json().catch(() => ({}))) as Record<string, unknown>,
  }
}

async function get(server: Server, token: string, route: string) {
  const response = await fetch(`${server.url}${route}`, {
    headers: { authorization: `Bearer ${token}` },
  })
  const body = await response.text()
  if (response.status !== 200 && !firstReadFailure)
    firstReadFailure = `${route} ${response.status} ${body.slice(0, 300)}`
  return response.status
}

/** Adds `bench.user0..` as requesters with the CLI; their tokens, in client order. */
async function addRequesters(dataDirectory: string, url: string, password: string) {
  const run = promisify(execFile)
  const tokens: string[] = []
  for (let client = 0; client < CLIENTS; client += 1) {
    const { stdout } = await run(
      process.execPath,
      ['bin/helpdesk.js', 'users', 'add', `bench.user${client}`, '--role', 'requester'],
      {
        env: {
          ...process.env,
          HELPDESK_DATA_DIR: dataDirectory,
          DATABASE_URL: url,
          PGPASSWORD: password,
          LOG_LEVEL: 'silent',
        },
      },
    )
    tokens.push(stdout.trim())
  }
  return tokens
}

/** Chat turns per second from CLIENTS clients spread over the servers, each turn a new session. */
function throughput(servers: Server[], tokens: string[], seconds: number) {
  return chatThroughput({ servers, tokens, texts, seconds })
}

interface CensusEntry {
  pool: string
  statement: string
  count: number
  milliseconds: number
}

/** The query census of a server started with CENSUS (SIGUSR2 makes it write the file). */
async function takeCensus(server: Server, file: string): Promise<CensusEntry[]> {
  const before = await stat(file).then(
    (found) => found.mtimeMs,
    () => 0,
  )
  server.child.kill('SIGUSR2')
  for (let waited = 0; waited < 50; waited += 1) {
    await sleep(100)
    const now = await stat(file).then(
      (found) => found.mtimeMs,
      () => 0,
    )
    if (now !== before) break
  }
  await sleep(100)
  return JSON.parse(await readFile(file, 'utf8')) as CensusEntry[]
}

/** Queries per turn between two censuses, by pool and statement, the most frequent first. */
function censusReport(before: CensusEntry[], after: CensusEntry[], turns: number): string {
  const key = (entry: CensusEntry) => `${entry.pool}\u0000${entry.statement}`
  const earlier = new Map(before.map((entry) => [key(entry), entry]))
  const rows = after
    .map((entry) => {
      const was = earlier.get(key(entry))
      return {
        ...entry,
        count: entry.count - (was?.count ?? 0),
        milliseconds: entry.milliseconds - (was?.milliseconds ?? 0),
      }
    })
    .filter((entry) => entry.count > 0)
    .sort((left, right) => right.count - left.count)
  const total = rows.reduce((sum, row) => sum + row.count, 0)
  const lines = rows
    .slice(0, 25)
    .map(
      (row) =>
        `  ${(row.count / turns).toFixed(2).padStart(6)}/turn ${(row.milliseconds / row.count).toFixed(2).padStart(6)} ms  ${row.pool}: ${row.statement}`,
    )
  return [`queries per turn: ${(total / turns).toFixed(1)} (${turns} turns)`, ...lines].join('\n')
}

async function main() {
  const facts = await startTestService('postgres')
  const password = (await readFile(facts.PG_PASSWORD_FILE ?? '', 'utf8')).trim()
  const base = `postgresql://${facts.PG_USER}@${facts.PG_HOST}:${facts.PG_PORT}`
  // The bench's own clients carry the password in their URL (pg's connectionString wins over a
  // separate password option); the servers get it by PGPASSWORD, as an operator would give it.
  const withPassword = `postgresql://${facts.PG_USER}:${encodeURIComponent(password)}@${facts.PG_HOST}:${facts.PG_PORT}`
  const admin = new pg.Client({ connectionString: `${withPassword}/${facts.PG_DATABASE}` })
  await admin.connect()
  const directories: string[] = []
  const servers: Server[] = []
  const startReplica = async (census?: string) => {
    const dataDirectory = await mkdtemp(path.join(tmpdir(), 'helpdesk-replica-'))
    directories.push(dataDirectory)
    const server = await startServer(
      {
        HELPDESK_DATA_DIR: dataDirectory,
        CHROMA_RUNTIME_DIR: runtimeDirectory,
        DATABASE_URL: `${base}/${DATABASE}`,
        PGPASSWORD: password,
        // Executors on: approvals and jobs exist only where something can run (nothing reachable
        // is in this inventory, and the soak only denies, so nothing runs).
        HELPDESK_INVENTORY: path.resolve('tests/fixtures/operations-inventory.yaml'),
        ...(census ? { HELPDESK_QUERY_CENSUS: census } : {}),
      },
      // Each replica ingests the runbooks into its own embedded Chroma at first start: slow when loaded.
      {
        readyWithinMs: 240_000,
        ...(census ? { nodeArguments: ['--import', './bench/support/query-census.ts'] } : {}),
      },
    )
    servers.push(server)
    return { server, dataDirectory }
  }
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`)
    await admin.query(`CREATE DATABASE ${DATABASE}`)
    const censusFile = CENSUS
      ? path.join(tmpdir(), `helpdesk-census-${process.pid}.json`)
      : undefined
    const first = await startReplica(censusFile)
    console.log(`start to ready on PostgreSQL (ms): ${first.server.readyMs}`)
    // The first start made the admin and left its token; the second replica shares the users.
    const token = (await readFile(path.join(first.dataDirectory, 'admin-token'), 'utf8')).trim()
    const second = MAX_REPLICAS > 1 ? await startReplica() : undefined
    // One requester per client, made as an operator makes them (the CLI, on the shared database).
    const tokens = await addRequesters(first.dataDirectory, `${base}/${DATABASE}`, password)

    const lines: string[] = []
    const rounds = second ? [[first.server], [first.server, second.server]] : [[first.server]]
    for (const replicas of rounds) {
      await throughput(replicas, tokens, 2) // warm-up
      const census =
        censusFile && replicas.length === 1 ? await takeCensus(first.server, censusFile) : undefined
      const before = {
        servers: replicas.map((server) => cpuSeconds(server.child.pid)),
        database: await databaseCpuSeconds(admin),
      }
      const figures = await throughput(replicas, tokens, THROUGHPUT_SECONDS)
      const serverCpu = replicas.map(
        (server, index) =>
          Math.round((cpuSeconds(server.child.pid) - (before.servers[index] ?? 0)) * 10) / 10,
      )
      const databaseCpu =
        Math.round(((await databaseCpuSeconds(admin)) - before.database) * 10) / 10
      lines.push(
        `${replicas.length} replica(s), ${CLIENTS} clients, ${THROUGHPUT_SECONDS} s: ${figures.turnsPerSecond.toFixed(1)} turns/s, ` +
          `latency ms p50 ${figures.latency.p50} p90 ${figures.latency.p90} p99 ${figures.latency.p99}, ` +
          `${figures.failures} non-200${figures.firstFailure ? ` (first: ${figures.firstFailure})` : ''}; CPU s: API ${serverCpu.join(' + ')}, PostgreSQL backends ${databaseCpu}`,
      )
      console.log(lines.at(-1))
      if (census && censusFile)
        console.log(censusReport(census, await takeCensus(first.server, censusFile), figures.turns))
    }

    if (SOAK_SECONDS > 0 && second) {
      // One more connection, constant: the sampler's own (counted in the connections figure).
      const benchDatabase = new pg.Client({ connectionString: `${withPassword}/${DATABASE}` })
      await benchDatabase.connect()
      try {
        await soak([first.server, second.server], token, tokens, admin, benchDatabase)
      } finally {
        await benchDatabase.end()
      }
    }
  } finally {
    for (const server of servers) await server.stop()
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`).catch(() => {})
    await admin.end()
    for (const directory of directories) await rm(directory, { recursive: true, force: true })
  }
}

/** The soak: chat turns in continuing sessions, approvals created and denied, reads. */
async function soak(
  servers: Server[],
  token: string,
  tokens: string[],
  admin: pg.Client,
  benchDatabase: pg.Client,
) {
  const counts = { chat: 0, approvals: 0, reads: 0, errors: 0 }
  const errorsSeen = new Map<string, number>()
  const fail = (what: string) => {
    counts.errors += 1
    errorsSeen.set(what, (errorsSeen.get(what) ?? 0) + 1)
  }
  const deadline = performance.now() + SOAK_SECONDS * 1000
  const samples: string[] = []
  const sampler = (async () => {
    const started = performance.now()
    while (performance.now() < deadline) {
      const rss = await Promise.all(servers.map((server) => rssMegabytes(server.child.pid)))
      const database = await admin.query<{ connections: string }>(
        'SELECT count(*) AS connections FROM pg_stat_activity WHERE datname = $1',
        [DATABASE],
      )
      const sessions = await benchDatabase
        .query<{ count: string }>('SELECT count(*) FROM helpdesk.chat_sessions')
        .then((result) => Number(result.rows[0]?.count ?? 0))
      const seconds = Math.round((performance.now() - started) / 1000)
      samples.push(
        `${String(seconds).padStart(4)} s  RSS MB ${rss.join(' / ')}  db connections ${database.rows[0]?.connections}  sessions stored ${sessions}  turns ${counts.chat}  errors ${counts.errors}`,
      )
      console.log(samples.at(-1))
      await sleep(SAMPLE_SECONDS * 1000)
    }
  })()
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      const server = servers[client % servers.length] as Server
      let sessionId: string | undefined
      for (let step = 0; performance.now() < deadline; step += 1) {
        const kind = step % 10
        if (kind < 6) {
          // A conversation of four turns, then a new one.
          if (step % 4 === 0) sessionId = undefined
          const answer = await post(server, tokens[client] as string, '/api/chat', {
            sessionId,
            message: texts[(client * 7 + step) % texts.length],
          })
          if (answer.status === 200) sessionId = answer.body.sessionId as string
          else fail(`chat ${answer.status}`)
          counts.chat += 1
        } else if (kind < 8) {
          // An approval is asked for on one replica and decided on the other.
          const asked = await post(server, tokens[client] as string, '/api/chat', {
            message: 'my account is locked out, please unlock it',
          })
          if (asked.status !== 200) fail(`approval chat ${asked.status}`)
          const other = servers[(client + 1) % servers.length] as Server
          const pending = await fetch(`${other.url}/api/approvals?status=pending`, {
            headers: { authorization: `Bearer ${token}` },
          })
          const list = (await pending.json().catch(() => ({}))) as {
            approvals?: { id: string; requester: string }[]
          }
          const mine = list.approvals?.find((each) => each.requester === `bench.user${client}`)
          if (mine) {
            const denied = await post(other, token, `/api/approvals/${mine.id}/deny`, {
              reason: 'soak test',
            })
            if (denied.status !== 200 && denied.status !== 409) fail(`deny ${denied.status}`)
          }
          counts.approvals += 1
        } else {
          for (const route of ['/api/jobs?limit=20', '/api/approvals?status=pending']) {
            const status = await get(server, token, route)
            if (status !== 200) fail(`read ${route} ${status}`)
          }
          counts.reads += 1
        }
      }
    }),
  )
  await sampler
  console.log(
    `soak ${SOAK_SECONDS} s, ${CLIENTS} clients over ${servers.length} replicas: ${counts.chat} chat turns, ` +
      `${counts.approvals} approval rounds, ${counts.reads} read rounds, ${counts.errors} errors` +
      (errorsSeen.size
        ? ` (${[...errorsSeen].map(([what, count]) => `${what}: ${count}`).join(', ')})`
        : '') +
      (firstReadFailure ? `; first refused read: ${firstReadFailure}` : ''),
  )
}

await main()
