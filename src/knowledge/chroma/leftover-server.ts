import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * A pid file beside Chroma's data. Node cannot make the kernel stop a child when its parent is
 * SIGKILLed (an OOM kill, `kill -9`), so the next start looks here for a server left behind on
 * the same directory and stops it before a second one opens the same files.
 */
const PID_FILE = 'helpdesk-chroma.pid'
const GRACE_MS = 5000

export async function recordServer(dataDirectory: string, pid: number): Promise<void> {
  await writeFile(join(dataDirectory, PID_FILE), `${pid}\n`)
}

export async function forgetServer(dataDirectory: string): Promise<void> {
  await rm(join(dataDirectory, PID_FILE), { force: true })
}

/** Stops a Chroma left running on `dataDirectory` by an earlier process; SIGINT, then SIGKILL. */
export async function stopLeftoverServer(
  dataDirectory: string,
  log: (line: string) => void,
): Promise<void> {
  const pid = Number.parseInt(
    await readFile(join(dataDirectory, PID_FILE), 'utf8').catch(() => ''),
    10,
  )
  if (!Number.isInteger(pid) || pid <= 0 || !(await isChromaOn(pid, dataDirectory))) {
    await forgetServer(dataDirectory)
    return
  }
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
