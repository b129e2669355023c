import { existsSync } from 'node:fs'
import path from 'node:path'
import { auditSettings, verifyAuditDatabase, verifyPostgresAudit } from '../audit/audit-settings.ts'
import { SqliteAuditLog } from '../audit/sqlite-audit-log.ts'
import type { HelpdeskConfig } from '../config/config-schema.ts'
import { loadConfig } from '../config/load-config.ts'
import { HelpdeskError } from '../errors/index.ts'

function existingDatabase(config: HelpdeskConfig, database: string | undefined): string {
  const file =
    database ?? config.HELPDESK_DATABASE ?? path.join(config.HELPDESK_DATA_DIR, 'helpdesk.sqlite')
  if (!existsSync(file))
    throw new HelpdeskError({ code: 'INVALID_INPUT', message: `--database ${file}: no such file` })
  return file
}

/**
 * `helpdesk audit verify`: exit 0 when the chain, its head and its checkpoints agree under the
 * key; 1 naming what is wrong (which record, which checkpoint line, a missing or wrong key).
 */
export async function auditVerifyCommand(options: { database?: string }): Promise<void> {
  const config = loadConfig()
  // DATABASE_URL: the chain is in PostgreSQL (unless --database names a SQLite file); the key
  // and the checkpoints are still found beside the configured SQLite file's place.
  const postgresUrl = options.database === undefined ? config.DATABASE_URL : undefined
  const file = postgresUrl
    ? (config.HELPDESK_DATABASE ?? path.join(config.HELPDESK_DATA_DIR, 'helpdesk.sqlite'))
    : existingDatabase(config, options.database)
  const settings = auditSettings(config, file)
  const result = postgresUrl
    ? await verifyPostgresAudit(postgresUrl, settings)
    : await verifyAuditDatabase(file, settings)
  if (!result.ok) {
    const verified = `${result.count} record${result.count === 1 ? '' : 's'} verified`
    process.stdout.write(`audit log BROKEN (${result.problem}): ${result.reason} (${verified})\n`)
    process.exitCode = 1
    return
  }
  const notes = [`audit log ok: ${result.count} records, head ${result.headHash}`]
  notes.push(
    result.checkpointed > 0
      ? `checkpointed up to record ${result.checkpointed} in ${settings.checkpoints}`
      : `no checkpoint yet in ${settings.checkpoints}`,
  )
  if (result.count > result.checkpointed && result.checkpointed > 0)
    notes.push(
      `records ${result.checkpointed + 1}-${result.count} are signed but not yet checkpointed`,
    )
  if (result.legacy > 0)
    notes.push(
      `records 1-${result.legacy} are in the legacy unkeyed format (written before the audit key): they are as trustworthy as the log was before the upgrade, and protected only from the first checkpoint on`,
    )
  process.stdout.write(`${notes.join('\n  ')}\n`)
}

/** A date, or a date and time with Z or an offset: a time without a zone would be read as local. */
const ISO_INSTANT =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/

export function parseSince(text: string): Date {
  const instant = new Date(text)
  if (!ISO_INSTANT.test(text) || Number.isNaN(instant.getTime()))
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `--since ${text}: expected an ISO 8601 date (2026-05-01) or date and time with a zone (2026-05-01T08:00:00Z)`,
    })
  return instant
}

/**
 * `helpdesk audit export`: one JSON object per record on stdout, in sequence order, as stored
 * (secrets were already masked when written), with the hash that chains it, for a SIEM.
 */
export async function auditExportCommand(options: {
  since?: string
  database?: string
}): Promise<void> {
  const since = options.since === undefined ? new Date(0) : parseSince(options.since)
  const config = loadConfig()
  const file = existingDatabase(config, options.database)
  const log = SqliteAuditLog.openExisting({ file })
  try {
    for (const record of log.recordsSince(since)) {
      const { format, keyId, ...content } = record
      const line = `${JSON.stringify({ ...content, format: format === 2 ? 'keyed' : 'legacy', keyId })}\n`
      if (!process.stdout.write(line))
        await new Promise<void>((resolve) => process.stdout.once('drain', resolve))
    }
  } finally {
    await log.close()
  }
}
