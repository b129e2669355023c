import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { percentile } from '../src/retrieval/routing-evaluation.ts'

export interface Distribution {
  count: number
  p50: number
  p90: number
  p99: number
  mean: number
}

export function distribution(samples: readonly number[]): Distribution {
  const sorted = [...samples].sort((left, right) => left - right)
  const mean = sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length)
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    mean: Math.round(mean * 1000) / 1000,
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Starts `helpdesk serve` as a user would and times it until /readyz answers 200. */
export async function startServer(
  environment: Record<string, string>,
  options: { readyWithinMs?: number } = {},
): Promise<{
  child: ChildProcess
  url: string
  readyMs: number
  stop: () => Promise<void>
}> {
  const port = await freePort()
  const started = performance.now()
  const child = spawn(process.execPath, ['bin/helpdesk.js', 'serve', '--port', String(port)], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...environment },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const url = `http://127.0.0.1:${port}`
  const readyWithinMs = options.readyWithinMs ?? 60_000
  const deadline = Date.now() + readyWithinMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${stderr}`)
    if (Date.now() > deadline)
      throw new Error(`the server was not ready within ${readyWithinMs / 1000} s: ${stderr}`)
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break
    } catch {
      // not listening yet
    }
    await sleep(20)
  }
  const readyMs = Math.round(performance.now() - started)
  const stop = async () => {
    if (child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGINT')
    await exited
  }
  return { child, url, readyMs, stop }
}
