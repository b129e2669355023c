import path from 'node:path'
import type { AuditLog } from '../audit/audit-log.ts'
import type { HelpdeskConfig } from '../config/config-schema.ts'
import { ExecutionService } from '../execution/execution-service.ts'
import { activeDirectoryConfigFromEnvironment } from '../executors/active-directory/active-directory-config.ts'
import { ActiveDirectoryExecutor } from '../executors/active-directory/active-directory-executor.ts'
import { awsIamConfigFromEnvironment } from '../executors/aws-iam/aws-iam-config.ts'
import { AwsIamExecutor } from '../executors/aws-iam/aws-iam-executor.ts'
import { BashExecutor } from '../executors/bash/bash-executor.ts'
import { FileSecretDelivery } from '../executors/delivery/file-secret-delivery.ts'
import { ExecutorRegistry } from '../executors/executor-registry.ts'
import { PowerShellExecutor } from '../executors/powershell/powershell-executor.ts'
import type { Inventory } from '../inventory/inventory.ts'
import { openInventory } from '../inventory/inventory-loading.ts'
import { EmbeddedJobEngine } from '../jobs/embedded-job-engine.ts'
import type { JobEngine } from '../jobs/job-engine.ts'
import { WorkflowScriptRunner } from '../jobs/workflow-script-runner.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import { meteredStore } from '../observability/metrics.ts'
import { FilesDirectory } from '../operations/files-directory.ts'
import { type ProjectStores, sqliteStores } from '../store/project-stores.ts'
import { PowerShellChunkUploader } from '../transports/powershell-chunk-uploader.ts'
import { SftpUploader } from '../transports/ssh/sftp-uploader.ts'
import { SshRemoteShell } from '../transports/ssh/ssh-remote-shell.ts'
import { loadWinRmConfig } from '../transports/winrm/winrm-config.ts'
import { WinRmRemoteShell } from '../transports/winrm/winrm-remote-shell.ts'
import { type DistributedJobs, openDistributedJobs } from './build-distributed-jobs.ts'

export interface ExecutionRuntime {
  service: ExecutionService
  registry: ExecutorRegistry
  audit: AuditLog
  inventory: Inventory | undefined
  /** The domain controller's executor, when one is configured: also answers who exists there. */
  directory: ActiveDirectoryExecutor | undefined
  /**
   * Background jobs running workflows on the inventory's machines (the chat turn starts one
   * with `start(workflow, { requester, actor, approval })` after approval): with an inventory.
   */
  jobEngine: JobEngine | undefined
  /** With DATABASE_URL: the queue and this process's worker, when it runs one. */
  distributed: DistributedJobs | undefined
  /** Where `file.copy` takes its files from (HELPDESK_FILES_DIRECTORY), when configured. */
  files: FilesDirectory | undefined
  close(): Promise<void>
}

export interface BuildExecutionOptions {
  /**
   * `server` (default): the job engine answers the routes (with DATABASE_URL, the distributed one,
   * plus a worker here when HELPDESK_EMBEDDED_WORKER); `worker`: only a worker (`helpdesk worker`).
   */
  role?: 'server' | 'worker'
}

/** The project store file: HELPDESK_DATABASE, or helpdesk.sqlite in the data directory. */
export function databaseFile(config: HelpdeskConfig): string {
  return config.HELPDESK_DATABASE ?? path.join(config.HELPDESK_DATA_DIR, 'helpdesk.sqlite')
}

/**
 * Real executors for what is configured: scripts when there is an inventory, Active Directory
 * and AWS IAM when their variables are set. A kind with no executor makes its steps fail with
 * NOT_CONFIGURED rather than pretend.
 */
export async function buildExecution(
  config: HelpdeskConfig,
  instructions: ReadonlyMap<string, Instruction>,
  log: (line: string) => void,
  environment: NodeJS.ProcessEnv = process.env,
  stores: ProjectStores = sqliteStores(databaseFile(config)),
  options: BuildExecutionOptions = {},
): Promise<ExecutionRuntime> {
  const audit = meteredStore(await stores.auditLog(config, log), 'audit')
  const registry = new ExecutorRegistry()
  const closers: Array<() => Promise<void>> = [() => audit.close()]
  const delivery = new FileSecretDelivery(
    config.SECRET_DELIVERY_DIR ?? path.join(config.HELPDESK_DATA_DIR, 'deliveries'),
  )
  const directory = activeDirectoryConfigFromEnvironment(environment)
  const directoryExecutor = directory
    ? new ActiveDirectoryExecutor({ config: directory, delivery })
    : undefined
  if (directory && directoryExecutor) {
    registry.register(directoryExecutor)
    log(
      `Active Directory: ${directory.url} (temporary passwords go to the ${delivery.id} delivery)`,
    )
  }
  const iam = awsIamConfigFromEnvironment(environment)
  if (iam.enabled) {
    const executor = AwsIamExecutor.fromConfig(iam, delivery)
    registry.register(executor)
    closers.push(async () => executor.close())
    log(
      `AWS IAM: ${iam.endpoint ?? 'the AWS endpoint'}, signing for ${iam.region} (temporary passwords go to the ${delivery.id} delivery)`,
    )
  }
  let inventory: Inventory | undefined
  // Checked at start: a missing or world-writable directory stops the server with the reason.
  const files = config.HELPDESK_FILES_DIRECTORY
    ? new FilesDirectory({
        directory: config.HELPDESK_FILES_DIRECTORY,
        maxBytes: config.HELPDESK_FILES_MAX_BYTES,
      })
    : undefined
  if (files) log(`files for copies: ${files.root} (at most ${files.maxBytes} bytes each)`)
  let jobEngine: JobEngine | undefined
  let distributed: DistributedJobs | undefined
  // The YAML file and/or Active Directory computer objects (HELPDESK_INVENTORY_AD); refreshed on a
  // schedule when AD is a source, the timer stopped at close.
  const opened = await openInventory({
    ...(config.HELPDESK_INVENTORY ? { file: config.HELPDESK_INVENTORY } : {}),
    environment,
    log,
  })
  if (opened) {
    closers.push(async () => opened.close())
    inventory = opened.inventory
    const ssh = new SshRemoteShell({ connectTimeoutMs: config.SSH_CONNECT_TIMEOUT_MS })
    closers.push(() => ssh.close())
    const winrm = new WinRmRemoteShell({ config: loadWinRmConfig(environment), environment })
    closers.push(() => winrm.close())
    registry
      .register(new BashExecutor({ inventory, shell: ssh, timeoutMs: config.EXECUTION_TIMEOUT_MS }))
      .register(
        new PowerShellExecutor({
          inventory,
          shells: { ssh, winrm },
          timeoutMs: config.EXECUTION_TIMEOUT_MS,
        }),
      )
    log(
      `inventory from ${opened.sources.map((source) => source.description).join(' and ')}: ${inventory.list().length} machines`,
    )
    const jobStore = stores.jobs()
    const runner = new WorkflowScriptRunner({
      shells: { ssh, winrm },
      audit,
      ...(files ? { files } : {}),
      uploaders: {
        linux: new SftpUploader({ shell: ssh }),
        windows: new PowerShellChunkUploader({ shells: { ssh, winrm } }),
      },
    })
    if (stores.database) {
      distributed = await openDistributedJobs({
        config,
        database: stores.database,
        store: jobStore,
        ledger: stores.ledger(),
        audit,
        runner,
        inventory,
        role: options.role ?? 'server',
        log,
      })
      const opened = distributed
      // Closed before the shells and the audit log (closers run in reverse).
      closers.push(async () => {
        await opened.close()
        await jobStore.close()
      })
      jobEngine = distributed.engine
    } else {
      const engine = new EmbeddedJobEngine({
        store: jobStore,
        audit,
        runner,
        inventory,
        concurrency: config.FLEET_CONCURRENCY,
        log,
      })
      closers.push(async () => {
        await engine.close()
        await jobStore.close()
      })
      jobEngine = engine
    }
  }
  log(`executors: ${registry.kinds.join(', ') || 'none (plans are dry-run only)'}`)
  const service = new ExecutionService({ instructions, registry, audit })
  return {
    service,
    registry,
    audit,
    inventory,
    directory: directoryExecutor,
    jobEngine,
    distributed,
    files,
    close: async () => {
      for (const close of closers.reverse()) await close()
    },
  }
}
