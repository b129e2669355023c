import { readFileSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * A record beside Chroma's data: the Chroma server's pid, the helpdesk process that owns it and
 * its address. A server whose owner was SIGKILLed (an OOM kill, `kill -9`) normally stops itself
 * (./parent-watch.ts); one that could not (frozen, or started by an older version) is found here
 * by the next start on the same directory and stopped before a second one opens the same files;
 * but a server whose owner still runs (a `helpdesk serve` while `helpdesk ingest` starts) is that
 * owner's, and is never stopped.
 */
const PID_FILE = 'helpdesk-chroma.pid'
const GRACE_MS = 5000

export interface ServerRecord {
  /** The Chroma process. */
  pid: number
  /** The helpdesk process that started and supervises it; absent in records of older versions. */
  owner?: number
  /**
   * When the owner started (clock ticks since boot, from /proc): tells the owner from a later
   * process that got its pid after it died.
   */
  ownerStart?: number
  url?: string
}

/** This process's record of itself as an owner. */
export function ownerFields(): Pick<ServerRecord, 'owner' | 'ownerStart'> {
  const start = startTime(process.pid)
  return { owner: process.pid, ...(start !== undefined ? { ownerStart: start } : {}) }
}

/** Field 22 of /proc/PID/stat (after the command name, which may contain spaces). */
function startTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const value = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19])
    return Number.isFinite(value) ? value : undefined
  } catch {
    return undefined
  }
}

export async function recordServer(dataDirectory: string, record: ServerRecord): Promise<void> {
  await writeFile(join(dataDirectory, PID_FILE), `${JSON.stringify(record)}\n`)
}

export async function forgetServer(dataDirectory: string): Promise<void> {
  await rm(join(dataDirectory, PID_FILE), { force: true })
}

/** The record, when the Chroma it names still serves `dataDirectory`. */
export async function readServerRecord(dataDirectory: string): Promise<ServerRecord | undefined> {
  const text = await readFile(join(dataDirectory, PID_FILE), 'utf8').catch(() => '')
  let record: ServerRecord | undefined
  if (/^\d+\s*$/.test(text)) record = { pid: Number.parseInt(text, 10) }
  else {
    try {
      const parsed = JSON.parse(text) as Partial<ServerRecord>
      if (Number.isInteger(parsed.pid))
        record = {
          pid: Number(parsed.pid),
          ...(Number.isInteger(parsed.owner) ? { owner: Number(parsed.owner) } : {}),
          ...(Number.isFinite(parsed.ownerStart) ? { ownerStart: Number(parsed.ownerStart) } : {}),
          ...(typeof parsed.url === 'string' ? { url: parsed.url } : {}),
        }
    } catch {
      record = undefined
    }
  }
  if (!record || record.pid <= 0 || !(await isChromaOn(record.pid, dataDirectory))) return undefined
  return record
}

/** A live helpdesk process other than this one owns the Chroma on `dataDirectory`. */
export function ownedByAnotherProcess(record: ServerRecord): boolean {
  if (record.owner === undefined || record.owner === process.pid || !alive(record.owner))
    return false
  return record.ownerStart === undefined || startTime(record.owner) === record.ownerStart
}

/**
 * Stops a Chroma left running on `dataDirectory` by an earlier process (one that is gone);
 * SIGINT, then SIGKILL. One whose owner still runs is left alone.
 */
export async function stopLeftoverServer(
  dataDirectory: string,
  log: (line: string) => void,
): Promise<void> {
  const record = await readServerRecord(dataDirectory)
  if (!record) {
    await forgetServer(dataDirectory)
    return
  }
  if (ownedByAnotherProcess(record)) return
  const { pid } = record
  log(
    `stopping a Chroma server (pid ${pid}) left running on ${dataDirectory} by an earlier process`,
  )
  signal(pid, 'SIGINT')
  const deadline = Date.now() + GRACE_MS
  while (alive(pid) && Date.now() < deadline) await sleep(50)
  if (alive(pid)) signal(pid, 'SIGKILL')
  while (alive(pid)) await sleep(20)
  await forgetServer(dataDirectory)
}

/** Only a Chroma CLI serving this very directory is ours to stop; a reused pid is left alone. */
async function isChromaOn(pid: number, dataDirectory: string): Promise<boolean> {
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
  const words = commandLine.split('\0')
  const pathIndex = words.indexOf('--path')
  return (
    words.some((word) => word.endsWith('cli.mjs')) &&
    pathIndex >= 0 &&
    words[pathIndex + 1] === dataDirectory
  )
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch {
    // Already gone.
  }
}
