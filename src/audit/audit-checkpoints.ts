import { spawn } from 'node:child_process'
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  writeSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { HelpdeskError } from '../errors/index.ts'
import { canonicalJson } from './audit-hash.ts'
import type { AuditKey } from './audit-key.ts'

/**
 * A signed statement "the chain had `count` records ending in `headHash` at `at`", written
 * outside the database as records are added (as CloudTrail's digest files are written outside
 * the log bucket's objects). Whoever rewrites, truncates or restores the database cannot make it
 * agree with these lines without the key.
 */
export interface AuditCheckpoint {
  sequence: number
  count: number
  headHash: string
  at: string
  keyId: string
  mac: string
}

export interface NumberedCheckpoint extends AuditCheckpoint {
  /** The checkpoint file it was read from, for messages. */
  file: string
  /** Line number in the checkpoint file, from 1, for messages. */
  line: number
}

export type CheckpointReading =
  | { ok: true; exists: boolean; checkpoints: NumberedCheckpoint[] }
  | { ok: false; problem: 'checkpoint-tampered' | 'wrong-key'; line: number; reason: string }

function checkpointContent(checkpoint: Omit<AuditCheckpoint, 'mac'>): string {
  return canonicalJson({
    kind: 'helpdesk-audit-checkpoint',
    sequence: checkpoint.sequence,
    count: checkpoint.count,
    headHash: checkpoint.headHash,
    at: checkpoint.at,
    keyId: checkpoint.keyId,
  })
}

/** The checkpoint file when none is configured: beside the database, outside it. */
export function defaultCheckpointFile(databaseFile: string): string {
  return join(dirname(databaseFile), 'audit-checkpoints.jsonl')
}

export function signCheckpoint(
  key: AuditKey,
  head: { sequence: number; count: number; headHash: string; at: string },
): AuditCheckpoint {
  const unsigned = { ...head, keyId: key.id }
  return { ...unsigned, mac: key.sign(checkpointContent(unsigned)) }
}

/** Sends a checkpoint line elsewhere as well (syslog); must not block the append. */
export type CheckpointForwarder = (line: string) => void

/** The `logger` command line (util-linux): to the local syslog socket, /dev/log, which journald also serves. */
export const SYSLOG_COMMAND = ['logger', '--socket-errors=on', '--tag', 'helpdesk-audit', '--']

/**
 * Each checkpoint line to syslog/journald through `logger`, started and not waited for (about a
 * process per record: acceptable at the helpdesk's rate of audited actions). A failure is
 * reported once, then again only after a success, so a missing syslog does not flood the log.
 */
export function loggerForwarder(
  onError: (message: string) => void,
  command: readonly string[] = SYSLOG_COMMAND,
): CheckpointForwarder {
  const [program, ...options] = command
  if (program === undefined) throw new Error('the syslog command is empty')
  let failing = false
  const failed = (message: string) => {
    if (!failing) onError(`audit checkpoint to syslog failed: ${message}`)
    failing = true
  }
  return (line) => {
    const child = spawn(program, [...options, line], { stdio: 'ignore' })
    child.on('error', (error) => failed(error.message))
    child.on('exit', (code) => {
      if (code === 0) failing = false
      else if (code !== null) failed(`${program} exited with ${code}`)
    })
    child.unref()
  }
}

/** The append-only checkpoint file (created 0600; opened with O_APPEND, never rewritten). */
export class AuditCheckpointFile {
  readonly file: string
  readonly #descriptor: number
  readonly #forward: CheckpointForwarder | undefined
  #open = true

  constructor(options: { file: string; forward?: CheckpointForwarder }) {
    this.file = options.file
    mkdirSync(dirname(options.file), { recursive: true })
    this.#descriptor = openSync(options.file, 'a', 0o600)
    this.#forward = options.forward
  }

  /** One write(2) of a whole line on an O_APPEND descriptor: writers in other processes interleave lines, never bytes. */
  append(checkpoint: AuditCheckpoint): void {
    const line = JSON.stringify(checkpoint)
    writeSync(this.#descriptor, `${line}\n`)
    this.#forward?.(line)
  }

  close(): void {
    if (!this.#open) return
    this.#open = false
    closeSync(this.#descriptor)
  }
}

function isCheckpoint(value: unknown): value is AuditCheckpoint {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const candidate = value as Record<string, unknown>
  return (
    Number.isSafeInteger(candidate.sequence) &&
    (candidate.sequence as number) >= 1 &&
    candidate.count === candidate.sequence &&
    typeof candidate.headHash === 'string' &&
    typeof candidate.at === 'string' &&
    typeof candidate.keyId === 'string' &&
    typeof candidate.mac === 'string' &&
    Object.keys(candidate).length === 6
  )
}

/**
 * Every checkpoint in `file`, each checked against `key`. The first line that is not a
 * checkpoint, or whose signature does not match, fails the whole reading: a checkpoint file
 * is written only by the helpdesk, so any such line means it was edited.
 */
export function readCheckpoints(file: string, key: AuditKey): CheckpointReading {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { ok: true, exists: false, checkpoints: [] }
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'USER',
      message: `audit checkpoint file ${file}: ${(error as Error).message}`,
      cause: error,
    })
  }
  const checkpoints: NumberedCheckpoint[] = []
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  for (const [index, text] of lines.entries()) {
    const line = index + 1
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = undefined
    }
    if (!isCheckpoint(parsed)) {
      return {
        ok: false,
        problem: 'checkpoint-tampered',
        line,
        reason: `checkpoint file ${file} line ${line} is not a checkpoint (expected JSON with sequence, count, headHash, at, keyId, mac): the file was edited`,
      }
    }
    if (parsed.keyId !== key.id) {
      return {
        ok: false,
        problem: 'wrong-key',
        line,
        reason: `checkpoint file ${file} line ${line} was signed by audit key ${parsed.keyId}, but the key given is ${key.id}: wrong audit key (HELPDESK_AUDIT_KEY or its key file)`,
      }
    }
    const { mac, ...unsigned } = parsed
    if (!key.verifies(checkpointContent(unsigned), mac)) {
      return {
        ok: false,
        problem: 'checkpoint-tampered',
        line,
        reason: `checkpoint file ${file} line ${line} does not match its signature: the line was changed`,
      }
    }
    checkpoints.push({ ...parsed, file, line })
  }
  return { ok: true, exists: true, checkpoints }
}

/**
 * The last checkpoint of `file` if it is a valid one under `key`, reading only the file's end:
 * cheap enough for every start. Anything else (no file, an edited line) is left to `verify`.
 */
export function lastCheckpoint(file: string, key: AuditKey): AuditCheckpoint | undefined {
  let descriptor: number
  try {
    descriptor = openSync(file, 'r')
  } catch {
    return undefined
  }
  try {
    const size = fstatSync(descriptor).size
    const length = Math.min(size, 4096)
    const buffer = Buffer.alloc(length)
    readSync(descriptor, buffer, 0, length, size - length)
    const line = buffer.toString('utf8').trimEnd().split('\n').at(-1) ?? ''
    const parsed: unknown = JSON.parse(line)
    if (!isCheckpoint(parsed) || parsed.keyId !== key.id) return undefined
    const { mac, ...unsigned } = parsed
    return key.verifies(checkpointContent(unsigned), mac) ? parsed : undefined
  } catch {
    return undefined
  } finally {
    closeSync(descriptor)
  }
}
