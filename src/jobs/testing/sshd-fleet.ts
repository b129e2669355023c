/**
 * A fleet on the loopback test sshd (scripts/test-services/sshd.sh): any number of inventory
 * machines with distinct names, all pointing at the one server (the sample workflow keeps each
 * name's state in its own files), and an embedded job engine on it with its store and audit log
 * in files, as the server has. For the int tests, the browser test and the benchmark.
 * @module
 */
import { chmodSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { SqliteAuditLog } from '../../audit/sqlite-audit-log.ts'
import { Inventory } from '../../inventory/inventory.ts'
import type { Target } from '../../inventory/inventory-schema.ts'
import type { FilesDirectory } from '../../operations/files-directory.ts'
import { SftpUploader } from '../../transports/ssh/sftp-uploader.ts'
import { SshRemoteShell } from '../../transports/ssh/ssh-remote-shell.ts'
import { EmbeddedJobEngine } from '../embedded-job-engine.ts'
import { SqliteJobStore } from '../sqlite-job-store.ts'
import { WorkflowScriptRunner } from '../workflow-script-runner.ts'
import { PerNameUploader } from './per-name-uploader.ts'

export interface SshdFacts {
  port: number
  user: string
  keyFile: string
  hostKey: string
}

export function factsOf(raw: Record<string, string>): SshdFacts {
  return {
    port: Number(raw.SSH_PORT),
    user: raw.SSH_USER ?? '',
    keyFile: raw.SSH_CLIENT_KEY ?? '',
    hostKey: raw.SSH_HOST_KEY ?? '',
  }
}

export function fleetNames(count: number, prefix = 'NODE'): string[] {
  return Array.from(
    { length: count },
    (_, index) => `${prefix}-${String(index + 1).padStart(3, '0')}`,
  )
}

export function fleetInventory(facts: SshdFacts, names: readonly string[]): Inventory {
  const targets: Target[] = names.map((name) => ({
    name,
    host: '127.0.0.1',
    port: facts.port,
    os: 'linux',
    transport: 'ssh',
    username: facts.user,
    credential: `file:${facts.keyFile}`,
    hostKey: facts.hostKey,
    class: 'server',
  }))
  return new Inventory({ targets, groups: { fleet: [...names] } })
}

/** A directory the ssh user can write (the tests run as root, sshd runs the scripts as it). */
export function sharedStateDirectory(prefix: string): string {
  const directory = mkdtempSync(path.join(tmpdir(), prefix))
  chmodSync(directory, 0o777)
  return directory
}

export interface SshdEngine {
  engine: EmbeddedJobEngine
  store: SqliteJobStore
  audit: SqliteAuditLog
  shell: SshRemoteShell
  inventory: Inventory
  close(): Promise<void>
}

export function openSshdEngine(options: {
  facts: SshdFacts
  names: readonly string[]
  /** Holds the job store and the audit log (one project file, as the server has). */
  databaseFile: string
  concurrency?: number
  log?: (line: string) => void
  /** Where file copies come from; uploads go over SFTP. */
  files?: FilesDirectory
  /**
   * Each name's upload goes to `DIR/NAME.BASE` (PerNameUploader): the names share one host, so
   * a copy to one destination would otherwise be one file written by every name at once.
   */
  uploadPerName?: boolean
  /** More machines than the fleet's names (one that cannot be reached). */
  extraTargets?: readonly Target[]
}): SshdEngine {
  const store = new SqliteJobStore({ file: options.databaseFile })
  const audit = new SqliteAuditLog({ file: options.databaseFile })
  const shell = new SshRemoteShell({ connectTimeoutMs: 10_000 })
  const sftp = new SftpUploader({ shell })
  const uploader = options.uploadPerName ? new PerNameUploader({ inner: sftp }) : sftp
  const fleet = fleetInventory(options.facts, options.names)
  const inventory = options.extraTargets
    ? new Inventory({
        targets: [...fleet.list(), ...options.extraTargets],
        groups: { fleet: [...options.names] },
      })
    : fleet
  const engine = new EmbeddedJobEngine({
    store,
    audit,
    runner: new WorkflowScriptRunner({
      shells: { ssh: shell },
      audit,
      ...(options.files ? { files: options.files, uploaders: { linux: uploader } } : {}),
    }),
    inventory,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.log ? { log: options.log } : {}),
  })
  return {
    engine,
    store,
    audit,
    shell,
    inventory,
    close: async () => {
      await engine.close()
      await shell.close()
      await store.close()
      await audit.close()
    },
  }
}
