import type { HelpdeskConfig } from '../config/config-schema.ts'
import { openPostgresDatabase } from '../store/postgres/postgres-database.ts'
import { checkpointFileIn, describeCheckpointSource } from './audit-checkpoint-set.ts'
import { defaultCheckpointFile, loggerForwarder } from './audit-checkpoints.ts'
import { type AuditKeyLocation, defaultKeyLocation, findAuditKey } from './audit-key.ts'
import type { AuditVerification } from './audit-log.ts'
import { PostgresAuditLog } from './postgres-audit-log.ts'
import { SqliteAuditLog } from './sqlite-audit-log.ts'

type AuditConfig = Pick<
  HelpdeskConfig,
  | 'HELPDESK_AUDIT_KEY'
  | 'HELPDESK_AUDIT_KEY_FILE'
  | 'HELPDESK_AUDIT_CHECKPOINT_FILE'
  | 'HELPDESK_AUDIT_CHECKPOINT_DIR'
  | 'HELPDESK_AUDIT_CHECKPOINT_SYSLOG'
>

export interface AuditSettings {
  keyLocation: AuditKeyLocation
  /** Where this process appends its checkpoints. */
  checkpointFile: string
  /** Replicas: the shared directory of every replica's checkpoint file, all read to verify. */
  checkpointDirectory?: string
  /** For messages: the file, or the directory's files. */
  checkpoints: string
  syslog: boolean
}

/** The checkpoint options of an audit log, from its settings. */
export function checkpointOptions(settings: AuditSettings): {
  checkpointFile: string
  checkpointDirectory?: string
} {
  const { checkpointFile, checkpointDirectory } = settings
  return { checkpointFile, ...(checkpointDirectory !== undefined ? { checkpointDirectory } : {}) }
}

/** Where the key and the checkpoints of the audit log in `databaseFile` are, from the configuration. */
export function auditSettings(config: AuditConfig, databaseFile: string): AuditSettings {
  const directory = config.HELPDESK_AUDIT_CHECKPOINT_DIR
  const checkpointFile =
    directory !== undefined
      ? checkpointFileIn(directory)
      : (config.HELPDESK_AUDIT_CHECKPOINT_FILE ?? defaultCheckpointFile(databaseFile))
  const source = { file: checkpointFile, ...(directory !== undefined ? { directory } : {}) }
  return {
    keyLocation: {
      ...defaultKeyLocation(databaseFile),
      value: config.HELPDESK_AUDIT_KEY,
      file: config.HELPDESK_AUDIT_KEY_FILE,
    },
    checkpointFile,
    ...(directory !== undefined ? { checkpointDirectory: directory } : {}),
    checkpoints: describeCheckpointSource(source),
    syslog: config.HELPDESK_AUDIT_CHECKPOINT_SYSLOG,
  }
}

/** The audit log a server or CLI writes to: keyed, checkpointed, as configured. */
export function openConfiguredAuditLog(
  config: AuditConfig,
  databaseFile: string,
  log: (line: string) => void,
): SqliteAuditLog {
  const settings = auditSettings(config, databaseFile)
  return new SqliteAuditLog({
    file: databaseFile,
    keyLocation: settings.keyLocation,
    ...checkpointOptions(settings),
    ...(settings.syslog ? { forward: loggerForwarder(log) } : {}),
    log,
  })
}

/**
 * Verifies the audit log in an existing `databaseFile` without writing to it: no table is
 * created, no key is created. A key that cannot be found is reported as such.
 */
export async function verifyAuditDatabase(
  databaseFile: string,
  settings: AuditSettings,
): Promise<AuditVerification> {
  const lookup = findAuditKey(settings.keyLocation)
  if ('missing' in lookup)
    return {
      ok: false,
      count: 0,
      problem: 'no-key',
      reason: `${lookup.missing}: without it the log cannot be verified`,
    }
  const log = SqliteAuditLog.openExisting({
    file: databaseFile,
    key: lookup.key,
    ...checkpointOptions(settings),
  })
  try {
    return await log.verify()
  } finally {
    await log.close()
  }
}

/**
 * Verifies the audit chain in the PostgreSQL database of `url` (DATABASE_URL) without writing to
 * it (no migration, no key created); the key and checkpoints are found as for the SQLite file.
 */
export async function verifyPostgresAudit(
  url: string,
  settings: AuditSettings,
): Promise<AuditVerification> {
  const lookup = findAuditKey(settings.keyLocation)
  if ('missing' in lookup)
    return {
      ok: false,
      count: 0,
      problem: 'no-key',
      reason: `${lookup.missing}: without it the log cannot be verified`,
    }
  const database = await openPostgresDatabase({ url, migrate: false })
  const log = await PostgresAuditLog.open({
    database,
    key: lookup.key,
    ...checkpointOptions(settings),
    ownsDatabase: true,
  })
  try {
    return await log.verify()
  } finally {
    await log.close()
  }
}
