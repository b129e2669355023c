/**
 * Child processes of the real CLI (`bin/helpdesk.js serve` or `worker`) for the multi-process
 * tests: started with an environment, their log kept, ready when `/readyz` answers 200 (a
 * server) or a line matches (a worker); stopped with SIGINT, or killed.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from '../../bench/bench-support.ts'

export interface HelpdeskProcess {
  child: ChildProcess
  /** The server's base URL (a server only). */
  url: string
  log(): string
  stop(): Promise<void>
  kill(signal: NodeJS.Signals): Promise<void>
}

export async function startHelpdesk(
  command: 'serve' | 'worker',
  environment: Record<string, string>,
  options: { ready?: RegExp; timeoutMs?: number } = {},
): Promise<HelpdeskProcess> {
  const port = command === 'serve' ? await freePort() : 0
  const child = spawn(
    process.execPath,
    ['bin/helpdesk.js', command, ...(command === 'serve' ? ['--port', String(port)] : [])],
    {
      env: { ...process.env, LOG_LEVEL: 'info', ...environment },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  )
  let log = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + (options.timeoutMs ?? 90_000)
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`helpdesk ${command} exited (${child.exitCode}): ${log}`)
    if (Date.now() > deadline) throw new Error(`helpdesk ${command} was not ready in time: ${log}`)
    if (command === 'worker' && (options.ready ?? /taking jobs/).test(log)) break
    if (command === 'serve') {
      try {
        if ((await fetch(`${url}/readyz`)).status === 200) break
      } catch {
        // not listening yet
      }
    }
    await sleep(100)
  }
  const exited = () =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    child,
    url,
    log: () => log,
    stop: async () => {
      const done = exited()
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
      await done
    },
    kill: async (signal) => {
      const done = exited()
      child.kill(signal)
      await done
    },
  }
}
