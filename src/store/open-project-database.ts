import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync } from 'node:sqlite'

/** Owner read/write only: the store holds audit records, users' token hashes and conversations. */
const FILE_MODE = 0o600

/** How long a connection waits for another one's write before giving up. */
const BUSY_TIMEOUT_MILLISECONDS = 5000

/** SQLite's primary result code for "database is locked" (extended codes keep it in the low byte). */
const SQLITE_BUSY = 5

/**
 * One connection to the project store (one SQLite file shared by the audit log, sessions,
 * users, approvals and LangGraph's checkpoints), opened the same way by every store: its folder
 * created, the file created mode 0600 (SQLite gives its -wal and -shm files the same mode), WAL
 * so readers never block the writer, and a wait (not a failure) while another connection or
 * process writes.
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
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true })
    // Created here, empty, with the mode given (the umask can only take bits away); an existing
    // file is left as it is by the 'a' flag.
    closeSync(openSync(file, 'a', FILE_MODE))
    restrictMode(file)
  }
  const database = new DatabaseSync(file, { timeout: BUSY_TIMEOUT_MILLISECONDS })
  useWriteAheadLog(database)
  database.exec(`PRAGMA synchronous = ${options.synchronous ?? 'FULL'}`)
  if (file !== ':memory:') for (const suffix of ['-wal', '-shm']) restrictMode(`${file}${suffix}`)
  return database
}

/**
 * Files made readable by group or others (by an older version, or a copy) are narrowed to
 * 0600. Only the owner may chmod: for someone else's file this is left to its owner.
 */
function restrictMode(file: string): void {
  let mode: number
  try {
    mode = statSync(file).mode & 0o777
  } catch {
    return
  }
  if ((mode & 0o077) === 0) return
  try {
    chmodSync(file, mode & FILE_MODE)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error
  }
}

/**
 * Switches the file to WAL, waiting for another process that holds it. Switching needs an
 * exclusive lock, and when two processes open one new file at once SQLite answers the second
 * with SQLITE_BUSY at once, without its busy handler (it would deadlock otherwise), so the wait
 * is done here, in short sleeps, up to the same timeout.
 */
function useWriteAheadLog(database: DatabaseSync): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MILLISECONDS
  for (;;) {
    try {
      database.exec('PRAGMA journal_mode = WAL')
      return
    } catch (error) {
      const code = (error as { errcode?: number }).errcode
      if (code === undefined || (code & 0xff) !== SQLITE_BUSY || Date.now() > deadline) throw error
      // A synchronous sleep: the open is synchronous, and the other process needs milliseconds.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10)
    }
  }
}
