/**
 * Child processes of the real CLI (`bin/helpdesk.js serve` or `worker`) for the multi-process
 * tests: started with an environment, their log kept, ready when `/readyz` answers 200 (a
 * server) or a line matches (a worker); stopped with SIGINT, or killed. Users are added the way
 * an admin does, with `helpdesk users add` on the same database.
 * @module
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { freePort } from '../../bench/bench-support.ts'
import type { Role } from '../../src/identity/user.ts'

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

/**
 * Adds each user with `helpdesk users add NAME --role ROLE` in `environment` (the database the
 * servers share, a data directory) and returns the token it printed, by name.
 */
export async function addUsers(
  environment: Record<string, string>,
  users: ReadonlyArray<readonly [name: string, role: Role]>,
): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {}
  for (const [name, role] of users) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/helpdesk.js', 'users', 'add', name, '--role', role],
      { env: { ...process.env, ...environment, LOG_LEVEL: 'silent' } },
    )
    tokens[name] = stdout.trim()
  }
  return tokens
}

/** What one CLI command left: its exit code and both streams, whole. */
export interface CommandResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs one `helpdesk` command to its end with `environment` over this process's, and resolves
 * with its exit code and output (never rejects: a failing command is what some tests check).
 */
export function runHelpdesk(
  args: string[],
  environment: Record<string, string>,
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/helpdesk.js', ...args], {
      env: { ...process.env, ...environment },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk
    })
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
