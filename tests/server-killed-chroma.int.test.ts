/**
 * The real server (`helpdesk serve`, as `npm start` runs it) with its embedded Chroma, killed with
 * SIGKILL: no cleanup of its own runs, yet its Chroma child ends within seconds (the parent watch
 * loaded into the child), freeing its port and data directory, and the next start on the same
 * directory is clean.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, expect, it } from 'vitest'
import { startServer } from '../bench/bench-support.ts'
import { RUNTIME_CACHE_DIRECTORY, temporaryDirectory } from './support/temporary-directory.ts'

const directory = await temporaryDirectory('helpdesk-killed-server')
const environment = {
  HELPDESK_DATA_DIR: directory.path,
  CHROMA_RUNTIME_DIR: RUNTIME_CACHE_DIRECTORY,
  LOG_LEVEL: 'info',
}
let stopLater: (() => Promise<void>) | undefined
afterAll(async () => {
  await stopLater?.()
  await directory.remove()
})

function chromaRecord(): { pid: number; owner: number; url: string } {
  const file = path.join(directory.path, 'chroma', 'helpdesk-chroma.pid')
  return JSON.parse(readFileSync(file, 'utf8'))
}

/** Gone, or exited and waiting only to be reaped by init (a zombie holds no port or file). */
function ended(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return true
  }
}

async function answers(url: string): Promise<boolean> {
  const response = await fetch(`${url}/api/v2/heartbeat`, {
    signal: AbortSignal.timeout(1000),
  }).catch(() => undefined)
  return response?.ok === true
}

it('a SIGKILLed server leaves no Chroma behind, and the next start is clean', async () => {
  const first = await startServer(environment)
  stopLater = first.stop
  const before = chromaRecord()
  expect(before.owner).toBe(first.child.pid)
  expect(await answers(before.url)).toBe(true)

  const exited = new Promise((resolve) => first.child.once('exit', resolve))
  first.child.kill('SIGKILL')
  await exited
  stopLater = undefined
  const killedAt = Date.now()
  while (!ended(before.pid) && Date.now() - killedAt < 10_000) await sleep(50)
  const endedMs = Date.now() - killedAt
  expect(ended(before.pid)).toBe(true)
  // SIGINT lets Chroma shut down at once; the 5 s grace before SIGKILL is the upper bound.
  expect(endedMs).toBeLessThan(6000)
  expect(await answers(before.url)).toBe(false)

  const second = await startServer(environment)
  stopLater = second.stop
  const after = chromaRecord()
  expect(after.owner).toBe(second.child.pid)
  expect(after.pid).not.toBe(before.pid)
  expect(await answers(after.url)).toBe(true)
  // Nothing was left for the start to stop.
  expect(second.output()).toMatch(/Chroma http:\/\/127\.0\.0\.1:\d+ \(pid \d+\) ready/)
  expect(second.output()).not.toMatch(/left running/)
  await second.stop()
  expect(ended(after.pid)).toBe(true)
}, 180_000)
