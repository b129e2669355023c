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
  options: { readyWithinMs?: number; nodeArguments?: string[] } = {},
): Promise<{
  child: ChildProcess
  url: string
  readyMs: number
  stop: () => Promise<void>
  /** Its standard error so far (the log, when LOG_LEVEL lets it write). */
  output: () => string
}> {
  const port = await freePort()
  const started = performance.now()
  const child = spawn(
    process.execPath,
    [...(options.nodeArguments ?? []), 'bin/helpdesk.js', 'serve', '--port', String(port)],
    {
      env: { ...process.env, LOG_LEVEL: 'silent', ...environment },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  )
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
  return { child, url, readyMs, stop, output: () => stderr }
}

/** What `chatThroughput` measured. */
export interface ChatThroughput {
  turnsPerSecond: number
  turns: number
  latency: Distribution
  failures: number
  firstFailure: string | undefined
}

/**
 * Chat turns per second: `tokens.length` concurrent clients (client i on server i mod n, with
 * token i) each posting the next of `texts` until `seconds` are up, every turn a new session.
 * `requester` names whom the turn is for (a technician or admin token acting for someone).
 */
export async function chatThroughput(options: {
  servers: ReadonlyArray<{ url: string }>
  tokens: readonly string[]
  texts: readonly string[]
  seconds: number
  requester?: string
}): Promise<ChatThroughput> {
  const latencies: number[] = []
  let failures = 0
  let firstFailure: string | undefined
  const clients = options.tokens.length
  const deadline = performance.now() + options.seconds * 1000
  const started = performance.now()
  await Promise.all(
    options.tokens.map(async (token, client) => {
      const server = options.servers[client % options.servers.length] as { url: string }
      for (let turn = client; performance.now() < deadline; turn += clients) {
        const begun = performance.now()
        const response = await fetch(`${server.url}/api/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({
            message: options.texts[turn % options.texts.length] ?? 'my password expired',
            ...(options.requester ? { requester: options.requester } : {}),
          }),
        })
        const body = await response.text()
        if (response.status !== 200) {
          failures += 1
          firstFailure ??= `${response.status} ${body.slice(0, 300)}`
        }
        latencies.push(performance.now() - begun)
      }
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  return {
    turnsPerSecond: latencies.length / elapsed,
    turns: latencies.length,
    latency: distribution(latencies),
    failures,
    firstFailure,
  }
}
