import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ChromaClient } from 'chromadb'
import { describe, expect, it } from 'vitest'
import { isHelpdeskError } from '../../errors/index.ts'
import { EmbeddedChromaServer } from './embedded-chroma-server.ts'

// Shared between runs (gitignored) so only the first run on an old-glibc machine downloads.
const runtimeCacheDirectory = fileURLToPath(new URL('../../../.helpdesk/runtime', import.meta.url))
const TIMEOUT_MS = 60_000

async function withTempDirectory(body: (directory: string) => Promise<void>): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'embedded-chroma-'))
  try {
    await body(directory)
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(server))
  })
}

async function isPortFree(port: number): Promise<boolean> {
  try {
    const server = await listen(port)
    await new Promise((resolve) => server.close(resolve))
    return true
  } catch {
    return false
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('EmbeddedChromaServer', () => {
  it(
    'serves a real Chroma whose data survives a restart on the same directory',
    async () => {
      await withTempDirectory(async (directory) => {
        const options = { dataDirectory: join(directory, 'data'), runtimeCacheDirectory }
        const first = new EmbeddedChromaServer(options)
        const { host, port, url } = await first.start()
        expect(url).toBe(`http://127.0.0.1:${port}`)
        expect(first.url).toBe(url)

        const client = new ChromaClient({ host, port, ssl: false })
        const collection = await client.createCollection({ name: 'docs', embeddingFunction: null })
        await collection.add({
          ids: ['vpn', 'printer', 'password'],
          embeddings: [
            [1, 0, 0],
            [0, 1, 0],
            [0.9, 0.1, 0],
          ],
          documents: ['reset the VPN client', 'unjam the printer', 'reset a password'],
        })
        const before = await collection.query({ queryEmbeddings: [[1, 0, 0]], nResults: 2 })
        expect(before.ids).toEqual([['vpn', 'password']])
        await first.stop()

        const second = new EmbeddedChromaServer({ ...options, port })
        try {
          const restarted = await second.start()
          expect(restarted.port).toBe(port)
          const again = new ChromaClient({ host, port, ssl: false })
          const reopened = await again.getCollection({ name: 'docs' })
          expect(await reopened.count()).toBe(3)
          const after = await reopened.query({ queryEmbeddings: [[0, 1, 0]], nResults: 1 })
          expect(after.ids).toEqual([['printer']])
          expect(after.documents).toEqual([['unjam the printer']])
        } finally {
          const pid = second.pid
          await second.stop()
          expect(pid).toBeTypeOf('number')
          expect(isProcessAlive(pid ?? 0)).toBe(false)
        }
        expect(await isPortFree(port)).toBe(true)
      })
    },
    TIMEOUT_MS,
  )

  it(
    'refuses a port that is already in use, with a clear error and no child left',
    async () => {
      await withTempDirectory(async (directory) => {
        const blocker = await listen(0)
        const address = blocker.address()
        const port = typeof address === 'object' && address !== null ? address.port : 0
        const server = new EmbeddedChromaServer({
          dataDirectory: directory,
          port,
          runtimeCacheDirectory,
        })
        try {
          const error: unknown = await server.start().then(
            () => undefined,
            (reason: unknown) => reason,
          )
          expect(isHelpdeskError(error) && error.code).toBe('CHROMA_RUNTIME_FAILED')
          expect(error instanceof Error && error.message).toMatch(
            `Port ${port} on 127.0.0.1 is already in use`,
          )
          expect(server.pid).toBeUndefined()
        } finally {
          await server.stop()
          await new Promise((resolve) => blocker.close(resolve))
        }
      })
    },
    TIMEOUT_MS,
  )

  it(
    'stops idempotently: before start, concurrently and repeatedly',
    async () => {
      await withTempDirectory(async (directory) => {
        const server = new EmbeddedChromaServer({ dataDirectory: directory, runtimeCacheDirectory })
        await server.stop()
        const [first, second] = await Promise.all([server.start(), server.start()])
        expect(second).toEqual(first)
        const pid = server.pid ?? 0
        expect(isProcessAlive(pid)).toBe(true)

        await Promise.all([server.stop(), server.stop()])
        await server.stop()
        expect(isProcessAlive(pid)).toBe(false)
        expect(server.pid).toBeUndefined()
        expect(() => server.url).toThrow('not running')
        expect(await isPortFree(first.port)).toBe(true)
      })
    },
    TIMEOUT_MS,
  )
  it(
    'restarts a server that died, on the same port, backing off while the port is taken',
    async () => {
      await withTempDirectory(async (directory) => {
        const logged: string[] = []
        const server = new EmbeddedChromaServer({
          dataDirectory: directory,
          runtimeCacheDirectory,
          restartDelayMs: 100,
          log: (line) => logged.push(line),
        })
        const until = async (what: RegExp) => {
          const deadline = Date.now() + 30_000
          while (!logged.some((line) => what.test(line))) {
            if (Date.now() > deadline) throw new Error(`no log line ${what}: ${logged.join('\n')}`)
            await new Promise((resolve) => setTimeout(resolve, 20))
          }
        }
        try {
          const { port, url } = await server.start()
          const first = server.pid ?? 0
          process.kill(first, 'SIGKILL')
          while (isProcessAlive(first)) await new Promise((resolve) => setTimeout(resolve, 10))
          // Something else takes the port before the restart: it fails, is logged, waits longer.
          const blocker = await listen(port)
          await until(
            /restart 1 of the embedded Chroma server failed: Port \d+ .* already in use.*; restarting it on port \d+ in 200 ms \(restart 2\)/,
          )
          expect(logged.join('\n')).toContain(
            `the embedded Chroma server (pid ${first}) exited unexpectedly (code null, signal SIGKILL); restarting it on port ${port} in 100 ms (restart 1)`,
          )
          await new Promise((resolve) => blocker.close(resolve))
          await until(/is back on/)
          expect(server.url).toBe(url)
          expect(server.pid).not.toBe(first)
          expect((await fetch(`${url}/api/v2/heartbeat`)).ok).toBe(true)

          // Stopped on purpose: not restarted.
          const second = server.pid ?? 0
          await server.stop()
          const count = logged.length
          await new Promise((resolve) => setTimeout(resolve, 500))
          expect(isProcessAlive(second)).toBe(false)
          expect(logged.slice(count).filter((line) => /restarting/.test(line))).toEqual([])
        } finally {
          await server.stop()
        }
      })
    },
    TIMEOUT_MS,
  )
  it(
    'kills and restarts a server that stopped answering (SIGSTOP)',
    async () => {
      await withTempDirectory(async (directory) => {
        const logged: string[] = []
        const server = new EmbeddedChromaServer({
          dataDirectory: directory,
          runtimeCacheDirectory,
          restartDelayMs: 100,
          watchdog: { intervalMs: 200, timeoutMs: 300, strikes: 2 },
          log: (line) => logged.push(line),
        })
        try {
          const { url } = await server.start()
          const frozen = server.pid ?? 0
          process.kill(frozen, 'SIGSTOP')
          const deadline = Date.now() + 30_000
          while (!logged.some((line) => /is back on/.test(line))) {
            if (Date.now() > deadline) throw new Error(`not restarted: ${logged.join('\n')}`)
            await new Promise((resolve) => setTimeout(resolve, 20))
          }
          expect(logged.join('\n')).toContain(
            `the embedded Chroma server (pid ${frozen}) missed 2 heartbeats in a row (300 ms each): it is frozen; killing it so that it restarts`,
          )
          expect(isProcessAlive(frozen)).toBe(false)
          expect(server.pid).not.toBe(frozen)
          expect((await fetch(`${url}/api/v2/heartbeat`)).ok).toBe(true)
        } finally {
          await server.stop()
        }
      })
    },
    TIMEOUT_MS,
  )
})
