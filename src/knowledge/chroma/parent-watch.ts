import { isMainThread, Worker } from 'node:worker_threads'
import { PARENT_PID_VARIABLE } from './chroma-child.ts'

/**
 * Loaded into the embedded Chroma's own process (`node --import parent-watch.ts cli.mjs run ...`)
 * so that it ends when the helpdesk process that started it dies, however it dies: Node cannot
 * ask the kernel for that (no PR_SET_PDEATHSIG), and a SIGKILLed or OOM-killed parent runs no
 * cleanup of its own. The Chroma CLI's main thread is blocked in a synchronous native call for
 * as long as the server runs, so the watch is a worker thread: it polls the parent pid (an
 * orphan is re-parented to init or a subreaper, so its parent pid changes) and, when it changes,
 * stops the server as the helpdesk would (SIGINT to its process group: Chroma's own handler
 * shuts it down cleanly), then SIGKILL if it is still there after the grace.
 * @module
 */

const POLL_MS = 250
const GRACE_MS = 5000

function signalOwnGroup(signal: NodeJS.Signals): void {
  try {
    // Started detached, the server leads its own process group.
    process.kill(-process.pid, signal)
  } catch {
    process.kill(process.pid, signal)
  }
}

function watchParent(parent: number): void {
  const timer = setInterval(() => {
    if (process.ppid === parent) return
    clearInterval(timer)
    signalOwnGroup('SIGINT')
    setTimeout(() => signalOwnGroup('SIGKILL'), GRACE_MS)
  }, POLL_MS)
}

const parent = Number(process.env[PARENT_PID_VARIABLE])
if (Number.isSafeInteger(parent) && parent > 1) {
  if (isMainThread) {
    // Not referenced: the watch never keeps a server that is shutting down alive.
    new Worker(new URL(import.meta.url)).unref()
  } else {
    watchParent(parent)
  }
}
