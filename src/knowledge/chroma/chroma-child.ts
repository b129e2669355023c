import type { ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

/**
 * The embedded Chroma's child process: stopping it (its whole process group) and making sure it
 * is stopped when this process ends without a stop() of its own.
 * @module
 */

const STOP_GRACE_MS = 5000
/** The environment variable naming, in the Chroma child, the helpdesk process that owns it. */
export const PARENT_PID_VARIABLE = 'HELPDESK_CHROMA_PARENT_PID'

/**
 * Node options for the Chroma child that load the parent watch (./parent-watch.ts) into it, so
 * it ends when this process dies without stopping it (SIGKILL, the OOM killer). A Node that
 * strips TypeScript only when asked (22.12-22.17) is asked for the child too.
 */
export function parentWatchArguments(): string[] {
  const watch = fileURLToPath(new URL('./parent-watch.ts', import.meta.url))
  const stripTypes = process.execArgv.includes('--experimental-strip-types')
  return [...(stripTypes ? ['--experimental-strip-types', '--no-warnings'] : []), '--import', watch]
}

/** The child's environment entry that names this process as the parent to watch. */
export function parentWatchEnvironment(): Record<string, string> {
  return { [PARENT_PID_VARIABLE]: String(process.pid) }
}

export function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null
}

export async function terminate(child: ChildProcess): Promise<void> {
  if (!isRunning(child)) return
  // Unreferenced at spawn so it never holds the app open; here its exit is what we wait for.
  child.ref()
  const exit = new Promise<boolean>((resolveExit) => child.once('exit', () => resolveExit(true)))
  signalGroup(child, guarded.get(child) ?? 'SIGINT')
  if (await Promise.race([exit, sleep(STOP_GRACE_MS, false, { ref: false })])) return
  signalGroup(child, 'SIGKILL')
  await exit
}

export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // Already gone.
  }
}

/**
 * How to stop each live child if this process ends without stop() (a crash, process.exit(),
 * Ctrl-C). SIGTERM makes Chroma 1.x log a shutdown and then spin forever, so a ready server gets
 * SIGINT. Until it is ready, a SIGINT can be lost: the CLI's JS handler is blocked behind the
 * synchronous native call and Chroma's own handler is not installed yet, so it gets SIGKILL.
 */
const guarded = new Map<ChildProcess, 'SIGINT' | 'SIGKILL'>()
const FATAL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

function releaseGuarded(): void {
  for (const [child, signal] of guarded) signalGroup(child, signal)
}

function onFatalSignal(signal: NodeJS.Signals): void {
  // Listening turned off Node's default of dying on the signal. An app with its own handler owns
  // shutdown (its process.exit() runs releaseGuarded); otherwise die as Node would have.
  if (process.listenerCount(signal) > 1) return
  releaseGuarded()
  for (const child of [...guarded.keys()]) unguard(child)
  process.kill(process.pid, signal)
}

export function guard(child: ChildProcess, stopSignal: 'SIGINT' | 'SIGKILL'): void {
  if (guarded.size === 0) {
    process.on('exit', releaseGuarded)
    for (const signal of FATAL_SIGNALS) process.on(signal, onFatalSignal)
  }
  guarded.set(child, stopSignal)
}

export function unguard(child: ChildProcess): void {
  if (!guarded.delete(child) || guarded.size > 0) return
  process.off('exit', releaseGuarded)
  for (const signal of FATAL_SIGNALS) process.off(signal, onFatalSignal)
}
