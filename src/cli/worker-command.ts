/**
 * `helpdesk worker`: runs background jobs apart from the API replicas. It claims jobs from the
 * pg-boss queue in the DATABASE_URL database and runs them on the inventory's machines with the
 * same executors' shells and audit chain as the server; SIGTERM or SIGINT stops claiming and
 * leaves running jobs to be taken over by another worker.
 * @module
 */
import { buildExecution, databaseFile } from '../app/build-execution.ts'
import { loadConfig } from '../config/load-config.ts'
import { HelpdeskError } from '../errors/index.ts'
import { openProjectStores } from '../store/project-stores.ts'
import { log } from './commands.ts'

export async function workerCommand(): Promise<void> {
  const config = loadConfig()
  if (!config.DATABASE_URL)
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'SYSTEM',
      message:
        'helpdesk worker needs DATABASE_URL: the job queue and the job store are in PostgreSQL (without it the server runs jobs itself)',
    })
  if (!config.HELPDESK_INVENTORY)
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'SYSTEM',
      message:
        'helpdesk worker needs HELPDESK_INVENTORY: the machines its jobs run on (the same file as the servers)',
    })
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
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    log(`${signal}: the worker stops taking jobs`)
    execution
      .close()
      .then(() => stores.close())
      .finally(() => process.exit(0))
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}
