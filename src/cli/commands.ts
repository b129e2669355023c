import path from 'node:path'
import { serve } from '@hono/node-server'
import { databaseFile } from '../app/build-execution.ts'
import { buildRuntime, type HelpdeskRuntime } from '../app/build-runtime.ts'
import { loadConfig } from '../config/load-config.ts'
import { HelpdeskError } from '../errors/index.ts'
import { ensureFirstAdmin } from '../identity/first-admin.ts'
import { encryptCredential, secretKey } from '../inventory/credential-reference.ts'
import { readMetricsToken } from '../observability/http-observability.ts'
import { createServerLogger, lineLog } from '../observability/logger.ts'
import { startTracing } from '../observability/tracing.ts'
import {
  type LabelledRequest,
  type RoutedRequest,
  summariseRouting,
} from '../retrieval/routing-evaluation.ts'
import { RETRIEVAL_PROBE } from '../retrieval/routing-probe.ts'
import type { Authentication } from '../server/authentication.ts'
import { createApp } from '../server/create-app.ts'
import { startOidc } from '../server/oidc/start-oidc.ts'
import { sqliteStores } from '../store/project-stores.ts'
import { readRequestLines } from './read-jsonl.ts'

/** Logs go to stderr so that stdout carries only the command's output (JSON lines for `route`). */
export const textLog = (line: string): void => {
  if (process.env.LOG_LEVEL !== 'silent')
    process.stderr.write(`${new Date().toISOString()} ${line}\n`)
}

export const log = textLog

async function withRuntime<T>(work: (runtime: HelpdeskRuntime) => Promise<T>): Promise<T> {
  const runtime = await buildRuntime(loadConfig(), { log, ingest: true })
  try {
    return await work(runtime)
  } finally {
    await runtime.close()
  }
}

export async function serveCommand(options: { port?: string; host?: string }): Promise<void> {
  const config = loadConfig({
    ...process.env,
    ...(options.port ? { PORT: options.port } : {}),
    ...(options.host ? { HOST: options.host } : {}),
  })
  const started = performance.now()
  // JSON lines with request ids in containers (LOG_FORMAT=json), plain lines in a terminal.
  const logger =
    config.LOG_FORMAT === 'json' ? createServerLogger({ level: config.LOG_LEVEL }) : undefined
  const log = logger ? lineLog(logger) : textLog
  const metricsToken = config.HELPDESK_METRICS_TOKEN_FILE
    ? readMetricsToken(config.HELPDESK_METRICS_TOKEN_FILE)
    : undefined
  // Before the runtime, so that the stores and Chroma it wraps find tracing on.
  const tracing = startTracing(process.env, { serviceName: 'helpdesk', log })
  const runtime = await buildRuntime(config, {
    log,
    ingest: config.AUTO_INGEST,
    execution: true,
    persistence: true,
    sharedChroma: 'refuse',
  })
  let authentication: Authentication
  let oidc: Awaited<ReturnType<typeof startOidc>>
  try {
    authentication = await serverAuthentication(runtime, log)
    oidc = await startOidc(config, runtime.stores ?? sqliteStores(databaseFile(config)), log)
  } catch (error) {
    await runtime.close()
    throw error
  }
  const library = runtime.library
  const app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication,
    instructions: runtime.knowledge.instructions,
    ...(runtime.library ? { library: runtime.library } : {}),
    // Replicas on one database: a turn routes with the runbooks as the store has them now (one
    // revision query a turn; a change made elsewhere is read, re-indexed under the shared lock).
    ...(library && runtime.stores?.kind === 'postgres'
      ? { refreshRunbooks: () => library.refreshIfChanged() }
      : {}),
    maxMessageCharacters: config.MAX_MESSAGE_CHARS,
    readiness: () => runtime.knowledge.readiness(),
    log,
    agents: runtime.agents,
    frameworks: ['langgraph', 'langchain', 'openai-agents', 'mastra', 'core'],
    ...(runtime.approvals ? { approvals: runtime.approvals } : {}),
    ...(runtime.jobs ? { jobs: runtime.jobs } : {}),
    ...(runtime.audit ? { audit: runtime.audit } : {}),
    ...(runtime.tickets ? { tickets: runtime.tickets } : {}),
    ...(runtime.operations ? { operations: runtime.operations } : {}),
    ...(runtime.jobEngine ? { jobEngine: runtime.jobEngine } : {}),
    ...(runtime.analytics ? { analytics: runtime.analytics } : {}),
    ...(runtime.feedback ? { feedback: runtime.feedback } : {}),
    findPerson: runtime.findPerson,
    trustProxy: config.HELPDESK_TRUST_PROXY,
    ...(oidc ? { oidc: oidc.signIn } : {}),
    ...(logger ? { logger } : {}),
    ...(metricsToken ? { metricsToken } : {}),
  })
  const server = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, (info) => {
    log(
      `helpdesk chat is ready at http://${config.HOST}:${info.port}/ (${Math.round(performance.now() - started)} ms)`,
    )
  })
  // Expiry is also noticed when requests are read; this ends paused runs nobody looks at.
  const sweep = setInterval(() => {
    runtime.approvals?.sweepExpired().catch((error: unknown) => {
      log(`approval expiry sweep failed: ${error instanceof Error ? error.message : String(error)}`)
    })
  }, 60_000)
  sweep.unref()
  // Several replicas share one project store: each picks up the others' runbook changes.
  const runbookRefresh = setInterval(() => {
    runtime.library?.refreshIfChanged().catch((error: unknown) => {
      log(`runbook refresh failed: ${error instanceof Error ? error.message : String(error)}`)
    })
  }, config.HELPDESK_RUNBOOK_REFRESH_SECONDS * 1000)
  runbookRefresh.unref()
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    clearInterval(sweep)
    clearInterval(runbookRefresh)
    log(`${signal}: shutting down`)
    server.close()
    Promise.all([runtime.close(), oidc?.close()])
      .then(() => tracing?.shutdown())
      .finally(() => process.exit(0))
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

/**
 * Bearer tokens from the user store; on the very first start an `admin` is created so that
 * `npm start` leads to a working chat. `HELPDESK_AUTH=none` switches sign-in off, loudly.
 */
async function serverAuthentication(
  runtime: HelpdeskRuntime,
  log: (line: string) => void,
): Promise<Authentication> {
  if (runtime.config.HELPDESK_AUTH === 'none') {
    log(
      'HELPDESK_AUTH=none: sign-in is OFF; anyone who can reach this server chats as one anonymous user and can read its conversations. Use only on a trusted machine.',
    )
    return { mode: 'none' }
  }
  const users = runtime.users
  if (!users) throw new Error('the runtime was built without its user store')
  await ensureFirstAdmin(users, {
    tokenFile: path.join(runtime.config.HELPDESK_DATA_DIR, 'admin-token'),
    ...(runtime.config.HELPDESK_ADMIN_TOKEN_FILE
      ? { givenTokenFile: runtime.config.HELPDESK_ADMIN_TOKEN_FILE }
      : {}),
    log,
  })
  return { mode: 'token', users }
}

/** Reads a secret on standard input and prints the `encrypted:` reference for an inventory. */
export async function encryptCredentialCommand(): Promise<void> {
  const key = secretKey()
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  const secret = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
  if (secret === '')
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: 'standard input: expected the secret to encrypt',
    })
  process.stdout.write(`encrypted:${encryptCredential(secret, key)}\n`)
}

export async function ingestCommand(): Promise<void> {
  await withRuntime(async (runtime) => {
    const count = await runtime.knowledge.store.count()
    process.stdout.write(`${JSON.stringify({ ...runtime.ingestReport, stored: count })}\n`)
  })
}

export async function routeCommand(options: { input: string }): Promise<void> {
  const lines = await readRequestLines(options.input, false)
  await withRuntime(async (runtime) => {
    await runtime.router.route(RETRIEVAL_PROBE)
    for (const line of lines) {
      const started = performance.now()
      const decision = await runtime.router.route(line.text)
      const ms = Math.round((performance.now() - started) * 100) / 100
      process.stdout.write(
        `${JSON.stringify({ id: line.id, tasks: decision.tasks, ranked: decision.ranked, ms })}\n`,
      )
    }
  })
}

export async function evalCommand(options: {
  input: string
  json?: boolean
  errors?: boolean
}): Promise<void> {
  const lines = await readRequestLines(options.input, true)
  await withRuntime(async (runtime) => {
    await runtime.router.route(RETRIEVAL_PROBE)
    const results: RoutedRequest[] = []
    for (const line of lines) {
      const started = performance.now()
      const decision = await runtime.router.route(line.text)
      results.push({
        request: line as LabelledRequest,
        decision,
        milliseconds: performance.now() - started,
      })
    }
    const report = summariseRouting(results)
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify(options.errors ? report : { ...report, errors: report.errors.length })}\n`,
      )
      return
    }
    const lines_ = [
      `requests: ${report.count}`,
      `top-1 accuracy: ${report.top1}`,
      `top-3 accuracy: ${report.top3}`,
      `out-of-scope precision: ${report.outOfScope.precision} recall: ${report.outOfScope.recall} F1: ${report.outOfScope.f1} (${report.outOfScope.count} labelled)`,
      `compound exact match: ${report.compoundExactMatch} (${report.compoundCount} compound)`,
      `latency ms p50: ${report.latencyMs.p50} p99: ${report.latencyMs.p99} mean: ${report.latencyMs.mean}`,
    ]
    if (options.errors) {
      for (const error of report.errors) {
        lines_.push(
          `  ${error.id}: expected ${error.expected.join('+')} got ${error.got.join('+') || 'out_of_scope'}: ${error.text}`,
        )
      }
    }
    process.stdout.write(`${lines_.join('\n')}\n`)
  })
}
