/**
 * The real server with its embedded Chroma: `helpdesk ingest` while it runs uses that Chroma and
 * leaves it running; a frozen Chroma (SIGSTOP) makes `/readyz` answer 503 within 2 s and a chat
 * turn fail fast, plainly for an employee and in detail for a technician; a killed Chroma is
 * logged and restarted, and `/readyz` comes back.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer } from '../bench/bench-support.ts'
import { TROUBLE_MESSAGE } from '../src/server/error-response.ts'

const run = promisify(execFile)
let environment: Record<string, string> = {}
let dataDirectory = ''
let server: Awaited<ReturnType<typeof startServer>> | undefined
let serverLog = ''
const tokens: Record<string, string> = {}

function chromaRecord(): { pid: number; owner: number; url: string } {
  return JSON.parse(readFileSync(path.join(dataDirectory, 'chroma', 'helpdesk-chroma.pid'), 'utf8'))
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  const value = await work()
  return { value, ms: performance.now() - started }
}

async function chat(who: string, message: string) {
  const response = await fetch(`${server?.url}/api/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message }),
  })
  return {
    status: response.status,
    body: (await response.json()) as { error?: { code: string; message: string } },
  }
}

async function addUser(name: string, role: string): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['bin/helpdesk.js', 'users', 'add', name, '--role', role],
    { env: { ...process.env, ...environment, LOG_LEVEL: 'silent' } },
  )
  return stdout.trim()
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 60_000) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; log:\n${serverLog}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

beforeAll(async () => {
  dataDirectory = mkdtempSync(path.join(tmpdir(), 'chroma-supervision-'))
  environment = {
    HELPDESK_DATA_DIR: dataDirectory,
    CHROMA_RUNTIME_DIR: path.resolve('.helpdesk/runtime'),
    CHROMA_TIMEOUT_MS: '1000',
    LOG_LEVEL: 'info',
  }
  server = await startServer(environment)
  server.child.stderr?.on('data', (chunk: Buffer) => {
    serverLog += chunk.toString()
  })
  tokens.admin = readFileSync(path.join(dataDirectory, 'admin-token'), 'utf8').trim()
  tokens.erin = await addUser('erin', 'requester')
  tokens.tech = await addUser('tech.tom', 'technician')
}, 120_000)

afterAll(async () => {
  const { pid } = chromaRecord()
  try {
    process.kill(pid, 'SIGCONT')
  } catch {
    // gone
  }
  await server?.stop()
})

describe('the embedded Chroma, supervised and bounded', () => {
  it('helpdesk ingest while the server runs uses its Chroma and never stops it', async () => {
    const before = chromaRecord()
    expect(before.owner).toBe(server?.child.pid)
    const ingest = await run(process.execPath, ['bin/helpdesk.js', 'ingest'], {
      env: { ...process.env, ...environment },
    })
    expect(JSON.parse(ingest.stdout.trim()).stored).toBeGreaterThan(0)
    expect(ingest.stderr).toMatch(
      new RegExp(
        `runs the embedded Chroma server \\(pid ${before.pid}, .*using it, and leaving it running`,
      ),
    )
    expect(ingest.stderr).not.toMatch(/stopping a Chroma server/)
    expect(alive(before.pid)).toBe(true)
    expect(chromaRecord()).toEqual(before)
    expect((await fetch(`${server?.url}/readyz`)).status).toBe(200)
    expect((await chat('erin', 'my printer is not working')).status).toBe(200)
  }, 120_000)

  it('a second server on the same data directory refuses to start, and stops nothing', async () => {
    const before = chromaRecord()
    await expect(startServer(environment)).rejects.toThrow(
      /Cannot start a second embedded Chroma server: the helpdesk process \d+ runs/,
    )
    expect(alive(before.pid)).toBe(true)
  }, 120_000)

  it('frozen (SIGSTOP): /readyz says 503 within 2 s; a turn fails fast, plainly for an employee', async () => {
    const { pid } = chromaRecord()
    process.kill(pid, 'SIGSTOP')
    try {
      const ready = await timed(() => fetch(`${server?.url}/readyz`))
      expect(ready.value.status).toBe(503)
      expect(ready.ms).toBeLessThan(2000)

      const employee = await timed(() => chat('erin', 'my vpn keeps disconnecting'))
      expect(employee.ms).toBeLessThan(10_000)
      expect(employee.value.status).toBe(503)
      expect(employee.value.body.error?.message).toBe(TROUBLE_MESSAGE)
      expect(JSON.stringify(employee.value.body)).not.toMatch(/127\.0\.0\.1|CORS|Chroma/i)

      const technician = await chat('tech', 'outlook is not syncing')
      expect(technician.status).toBe(503)
      expect(technician.body.error?.message).toMatch(/Chroma at http:\/\/127\.0\.0\.1:\d+ /)
    } finally {
      process.kill(pid, 'SIGCONT')
    }
    await until('/readyz 200', async () => (await fetch(`${server?.url}/readyz`)).status === 200)
  }, 120_000)

  it('killed (SIGKILL): the exit is logged, it is restarted with the same address, /readyz recovers', async () => {
    const before = chromaRecord()
    process.kill(before.pid, 'SIGKILL')
    await until('the restart', () => /is back on/.test(serverLog))
    expect(serverLog).toMatch(
      new RegExp(
        `embedded Chroma server \\(pid ${before.pid}\\) exited unexpectedly \\(code null, signal SIGKILL\\); restarting it on port \\d+ in 1000 ms \\(restart 1\\)`,
      ),
    )
    const after = chromaRecord()
    expect(after.pid).not.toBe(before.pid)
    expect(after.url).toBe(before.url)
    await until('/readyz 200', async () => (await fetch(`${server?.url}/readyz`)).status === 200)
    expect((await chat('erin', 'my printer is not working')).status).toBe(200)
  }, 120_000)
})
