import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync } from 'node:sqlite'

/**
 * One connection to the project store (one SQLite file shared by the audit log, sessions,
 * users, approvals and LangGraph's checkpoints), opened the same way by every store: its folder
 * created, WAL so readers never block the writer, and a wait (not a failure) while another
 * connection or process writes.
 *
 * `synchronous`: FULL (the default) puts every commit on disk before it returns, which the audit
 * log and the execution ledger need; NORMAL survives a crash of the process but a power cut may
 * lose the last commits, which suits conversations and checkpoints, and spares a synchronous
 * driver a disk flush per write.
 * @param file a path, or `:memory:`
 */
export function openProjectDatabase(
  file: string,
  options: { synchronous?: 'FULL' | 'NORMAL' } = {},
): DatabaseSync {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const database = new DatabaseSync(file, { timeout: 5000 })
  database.exec('PRAGMA journal_mode = WAL')
  database.exec(`PRAGMA synchronous = ${options.synchronous ?? 'FULL'}`)
  return database
}
