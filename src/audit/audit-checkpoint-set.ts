import { readdirSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { HelpdeskError } from '../errors/index.ts'
import {
  type AuditCheckpoint,
  type CheckpointReading,
  lastCheckpoint,
  type NumberedCheckpoint,
  readCheckpoints,
} from './audit-checkpoints.ts'
import type { AuditKey } from './audit-key.ts'

/**
 * Where a log's checkpoints are: its own file, or, with replicas, one file per host in a
 * directory they all mount (HELPDESK_AUDIT_CHECKPOINT_DIR). Each process appends only to its own
 * host's file, so no file has writers on two machines (O_APPEND is not atomic across NFS
 * clients); verification reads every file of the directory, so a checkpoint written by any
 * replica, API or worker, covers the one chain, and a replica that has written none yet (a new
 * pod after a rollout) still verifies against the others'.
 * @module
 */
export interface CheckpointSource {
  /** This process's checkpoint file: where it appends. */
  file: string
  /** The directory whose `*.jsonl` files are read to verify (the file is one of them). */
  directory?: string
}

const FILE_SUFFIX = '.jsonl'

/** This host's file in a shared checkpoint directory: `<directory>/<host name>.jsonl`. */
export function checkpointFileIn(directory: string, host: string = hostname()): string {
  // A pod's name is a DNS label; anything else (a strange hostname) is made safe for a file name.
  const name = host.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'host'
  return join(directory, `${name}${FILE_SUFFIX}`)
}

/** For messages: the file, or the directory's files. */
export function describeCheckpointSource(source: CheckpointSource): string {
  return source.directory === undefined
    ? source.file
    : `the checkpoint files (*${FILE_SUFFIX}) in ${source.directory}`
}

function directoryFiles(directory: string): string[] {
  try {
    return readdirSync(directory)
      .filter((name) => name.endsWith(FILE_SUFFIX))
      .sort()
      .map((name) => join(directory, name))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'USER',
      message: `audit checkpoint directory ${directory}: ${(error as Error).message}`,
      cause: error,
    })
  }
}

/**
 * Every checkpoint of the source, each checked against `key`; the first bad line of any file
 * fails the whole reading, naming that file. `exists` says whether any checkpoint file exists.
 */
export function readCheckpointSource(source: CheckpointSource, key: AuditKey): CheckpointReading {
  if (source.directory === undefined) return readCheckpoints(source.file, key)
  const checkpoints: NumberedCheckpoint[] = []
  const files = directoryFiles(source.directory)
  for (const file of files) {
    const reading = readCheckpoints(file, key)
    if (!reading.ok) return reading
    checkpoints.push(...reading.checkpoints)
  }
  return { ok: true, exists: files.length > 0, checkpoints }
}

/** The furthest valid last checkpoint among the source's files (cheap: file ends only). */
export function lastCheckpointOf(
  source: CheckpointSource,
  key: AuditKey,
): (AuditCheckpoint & { file: string }) | undefined {
  const files = source.directory === undefined ? [source.file] : directoryFiles(source.directory)
  let furthest: (AuditCheckpoint & { file: string }) | undefined
  for (const file of files) {
    const checkpoint = lastCheckpoint(file, key)
    if (checkpoint && checkpoint.count > (furthest?.count ?? 0)) furthest = { ...checkpoint, file }
  }
  return furthest
}
