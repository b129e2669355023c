/**
 * `helpdesk worker`: runs background jobs apart from the API replicas. It claims jobs from the
 * pg-boss queue in the DATABASE_URL database and runs them on the inventory's machines with the
 * same executors' shells and audit chain as the server; SIGTERM or SIGINT stops claiming and
 * leaves running jobs to be taken over by another worker. With HELPDESK_WORKER_ALIVE_FILE set, it
 * touches that file after each database round trip (every 10 s): a container's probes read its
 * age, as the worker serves no API. With HELPDESK_WORKER_METRICS_PORT set it serves /metrics alone
 * on that port (the jobs it ran are counted in its own memory), to HELPDESK_METRICS_TOKEN_FILE's
 * token.
 * @module
 */
import { writeFile } from 'node:fs/promises'
import { buildExecution, databaseFile } from '../app/build-execution.ts'
import { loadConfig } from '../config/load-config.ts'
import { HelpdeskError } from '../errors/index.ts'
import { readMetricsToken } from '../observability/http-observability.ts'
import { type MetricsServer, startMetricsServer } from '../observability/metrics-server.ts'
import { startTracing } from '../observability/tracing.ts'
import { openProjectStores } from '../store/project-stores.ts'
import { log } from './commands.ts'

const ALIVE_INTERVAL_MS = 10_000

export async function workerCommand(): Promise<void> {
  const config = loadConfig()
  if (!config.DATABASE_URL)
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'SYSTEM',
      message:
        'helpdesk worker needs DATABASE_URL: the job queue and the job store are in PostgreSQL (without it the server runs jobs itself)',
    })
  if (!config.HELPDESK_INVENTORY && !process.env.HELPDESK_INVENTORY_AD)
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'SYSTEM',
      message:
        'helpdesk worker needs HELPDESK_INVENTORY (and/or HELPDESK_INVENTORY_AD): the machines its jobs run on (the same inventory as the servers)',
    })
  if (config.HELPDESK_WORKER_METRICS_PORT !== undefined && !config.HELPDESK_METRICS_TOKEN_FILE)
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'SYSTEM',
      message:
        'HELPDESK_WORKER_METRICS_PORT needs HELPDESK_METRICS_TOKEN_FILE: /metrics is served to the scrape token only',
    })
  const metricsToken = config.HELPDESK_METRICS_TOKEN_FILE
    ? readMetricsToken(config.HELPDESK_METRICS_TOKEN_FILE)
    : undefined
  const tracing = startTracing(process.env, { serviceName: 'helpdesk-worker', log })
  const stores = await openProjectStores(config, databaseFile(config), log)
  let execution: Awaited<ReturnType<typeof buildExecution>>
  try {
    execution = await buildExecution(config, new Map(), log, process.env, stores, {
      role: 'worker',
    })
  } catch (error) {
    await stores.close()
    throw error
  }
  const aliveFile = process.env.HELPDESK_WORKER_ALIVE_FILE
  const database = stores.database
  const alive =
    aliveFile && database
      ? setInterval(() => {
          database.pool
            .query('SELECT 1')
            .then(() => writeFile(aliveFile, `${new Date().toISOString()}\n`))
            .catch((error: unknown) =>
              log(`worker: the database did not answer (${database.scrub(String(error))})`),
            )
        }, ALIVE_INTERVAL_MS)
      : undefined
  if (aliveFile) await writeFile(aliveFile, `${new Date().toISOString()}\n`)
  let metricsServer: MetricsServer | undefined
  if (config.HELPDESK_WORKER_METRICS_PORT !== undefined && metricsToken !== undefined) {
    metricsServer = await startMetricsServer({
      host: config.HOST,
      port: config.HELPDESK_WORKER_METRICS_PORT,
      token: metricsToken,
    })
    log(`worker: /metrics on ${config.HOST}:${metricsServer.port}`)
  }
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    clearInterval(alive)
    log(`${signal}: the worker stops taking jobs`)
    execution
      .close()
      .then(() => metricsServer?.close())
      .then(() => stores.close())
      .then(() => tracing?.shutdown())
      .finally(() => process.exit(0))
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}
