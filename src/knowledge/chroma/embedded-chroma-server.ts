import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, open, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { stripVTControlCharacters } from 'node:util'
import { type ErrorDetails, HelpdeskError, isHelpdeskError } from '../../errors/index.ts'
import {
  guard,
  isRunning,
  parentWatchArguments,
  parentWatchEnvironment,
  signalGroup,
  terminate,
  unguard,
} from './chroma-child.ts'
import { ensureGlibcRuntime, needsGlibcRuntime } from './glibc-runtime.ts'
import { DEFAULT_WATCHDOG, HeartbeatWatchdog, type WatchdogSettings } from './heartbeat-watchdog.ts'
import {
  forgetServer,
  ownedByAnotherProcess,
  ownerFields,
  readServerRecord,
  recordServer,
  stopLeftoverServer,
} from './leftover-server.ts'

export interface EmbeddedChromaServerOptions {
  /** Chroma's persistent data; created if missing. */
  dataDirectory: string
  /** Defaults to 127.0.0.1: the embedded server is for this host only. */
  host?: string
  /** 0 or unset picks a free port. */
  port?: number
  /** Where a private glibc is cached on systems older than glibc 2.39. */
  runtimeCacheDirectory: string
  /** Appended to across restarts; defaults to `chroma-server.log` in the data directory. */
  logFile?: string
  /** From spawn to a healthy heartbeat; a first-time glibc fetch is not counted. Default 30 s. */
  startTimeoutMs?: number
  log?: (line: string) => void
  /**
   * When a live helpdesk process (a running `helpdesk serve`) already runs the server on this
   * directory: `use` its server and leave it running (CLI commands), or `refuse` to start (a
   * second server would share its files). It is never stopped. Default `use`.
   */
  whenShared?: 'use' | 'refuse'
  /** The first restart after an unexpected exit waits this long, doubling up to 30 s. Default 1 s. */
  restartDelayMs?: number
  /** A server that stops answering its heartbeat is killed (and so restarted); see the watchdog. */
  watchdog?: Partial<WatchdogSettings>
}

export interface EmbeddedChromaAddress {
  url: string
  host: string
  port: number
}

const LOG_TAIL_BYTES = 3000
const RESTART_DELAY_CAP_MS = 30_000
/** A server that stayed up this long starts its restart count (and backoff) over. */
const STABLE_AFTER_MS = 60_000

/**
 * A real Chroma server in a child process, used when CHROMA_URL is unset. Supervised: when it
 * exits without being asked to, the exit is logged and it is started again on the same port
 * (same address for the store), after 1 s, then 2, 4... up to 30 s between attempts, each
 * attempt logged.
 */
export class EmbeddedChromaServer {
  private readonly options: EmbeddedChromaServerOptions
  private child: ChildProcess | undefined
  private address: EmbeddedChromaAddress | undefined
  private starting: Promise<EmbeddedChromaAddress> | undefined
  private stopping: Promise<void> | undefined
  /** The port of the first start, kept for restarts. */
  private port: number
  /** Set by stop(): no restart after that. */
  private stopped = false
  /** Using another process's server (`whenShared: 'use'`): never stopped or supervised here. */
  private shared = false
  private restarts = 0
  private upSince = 0
  private restartTimer: NodeJS.Timeout | undefined
  private watchdog: HeartbeatWatchdog | undefined

  constructor(options: EmbeddedChromaServerOptions) {
    this.options = options
    this.port = options.port ?? 0
  }

  /** How many times it was restarted after an unexpected exit since it last stayed up. */
  get restartCount(): number {
    return this.restarts
  }

  get url(): string {
    if (this.address === undefined) throw failure('The embedded Chroma server is not running')
    return this.address.url
  }

  /** The child's pid while it runs. */
  get pid(): number | undefined {
    return this.child?.pid
  }

  /** @throws HelpdeskError CHROMA_RUNTIME_FAILED, with the server log's tail in details. */
  start(): Promise<EmbeddedChromaAddress> {
    this.stopped = false
    return this.startOnce()
  }

  private startOnce(): Promise<EmbeddedChromaAddress> {
    if (this.address !== undefined) return Promise.resolve(this.address)
    this.starting ??= this.launch()
      .catch((error: unknown) => {
        if (isHelpdeskError(error)) throw error
        throw failure(`Could not start the embedded Chroma server: ${String(error)}`, {}, error)
      })
      .finally(() => {
        this.starting = undefined
      })
    return this.starting
  }

  /** SIGINT, then SIGKILL after 5 s. Safe to call at any time, any number of times. */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.restartTimer)
    this.restartTimer = undefined
    await this.starting?.catch(() => undefined)
    if (this.shared) {
      // Another process's server: it goes on serving that process.
      this.shared = false
      this.address = undefined
      return
    }
    await this.stopChild()
  }

  /** The child exited: unless we stopped it, log it and start it again after a backoff. */
  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child || this.stopped || this.stopping) return
    this.watchdog?.stop()
    unguard(child)
    this.child = undefined
    this.address = undefined
    if (Date.now() - this.upSince >= STABLE_AFTER_MS) this.restarts = 0
    this.scheduleRestart(
      `the embedded Chroma server (pid ${child.pid}) exited unexpectedly (code ${code}, signal ${signal})`,
    )
  }

  private scheduleRestart(why: string): void {
    const { log = () => {}, restartDelayMs = 1000 } = this.options
    this.restarts += 1
    const delay = Math.min(restartDelayMs * 2 ** (this.restarts - 1), RESTART_DELAY_CAP_MS)
    log(`${why}; restarting it on port ${this.port} in ${delay} ms (restart ${this.restarts})`)
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined
      if (this.stopped) return
      this.startOnce().then(
        (address) =>
          log(
            `the embedded Chroma server is back on ${address.url} (pid ${this.child?.pid}, restart ${this.restarts})`,
          ),
        (error: unknown) => {
          if (this.stopped) return
          this.scheduleRestart(
            `restart ${this.restarts} of the embedded Chroma server failed: ${(error instanceof Error ? error.message : String(error)).replace(/\.$/, '')}`,
          )
        },
      )
    }, delay)
    this.restartTimer.unref()
  }

  private stopChild(): Promise<void> {
    const child = this.child
    this.watchdog?.stop()
    if (child === undefined) return Promise.resolve()
    this.stopping ??= terminate(child)
      .then(() => forgetServer(resolve(this.options.dataDirectory)))
      .finally(() => {
        unguard(child)
        this.child = undefined
        this.address = undefined
        this.stopping = undefined
      })
    return this.stopping
  }

  private async launch(): Promise<EmbeddedChromaAddress> {
    const { host = '127.0.0.1', startTimeoutMs = 30_000, log = () => {} } = this.options
    const dataDirectory = resolve(this.options.dataDirectory)
    const logFile = resolve(this.options.logFile ?? join(dataDirectory, 'chroma-server.log'))
    await mkdir(dataDirectory, { recursive: true })
    await mkdir(dirname(logFile), { recursive: true })
    const running = await readServerRecord(dataDirectory)
    if (running && ownedByAnotherProcess(running)) {
      const described = `the helpdesk process ${running.owner} runs the embedded Chroma server (pid ${running.pid}${running.url ? `, ${running.url}` : ''}) on ${dataDirectory}`
      if (this.options.whenShared === 'refuse' || running.url === undefined) {
        throw failure(
          `Cannot start a second embedded Chroma server: ${described}. Stop that helpdesk first, or give this one its own HELPDESK_DATA_DIR (or CHROMA_URL).`,
          { dataDirectory, owner: running.owner ?? null, pid: running.pid },
        )
      }
      if (!(await heartbeat(running.url))) {
        throw failure(
          `${described}, but it does not answer; it is left alone. Try again in a minute, or check that helpdesk's log.`,
          { dataDirectory, url: running.url },
        )
      }
      const url = new URL(running.url)
      this.shared = true
      this.address = { url: running.url, host: url.hostname, port: Number(url.port) }
      log(`${described}: using it, and leaving it running`)
      return this.address
    }
    await stopLeftoverServer(dataDirectory, log)
    const prefix: string[] = []
    let command = process.execPath
    if (needsGlibcRuntime()) {
      const runtime = await ensureGlibcRuntime(this.options.runtimeCacheDirectory)
      log(`Chroma needs glibc >= 2.39; it runs through Debian trixie's ${runtime.loaderPath}`)
      command = runtime.loaderPath
      prefix.push('--library-path', runtime.libraryPath, process.execPath)
    }
    // Claimed after the slow glibc fetch, to keep the window in which a free port can be taken short.
    const port = await claimPort(host, this.port)
    const args = [...prefix, ...parentWatchArguments(), chromaCliPath(), 'run', '--path']
    args.push(dataDirectory, '--host', host)
    args.push('--port', String(port))

    const handle = await open(logFile, 'a')
    const logOffset = (await handle.stat()).size
    const startedAt = Date.now()
    // Its own process group: a terminal's Ctrl-C reaches only us, and we stop it with SIGINT.
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', handle.fd, handle.fd],
      // Our loaders (vitest, --import) are not its; colour codes would garble the log tail.
      env: { ...process.env, NODE_OPTIONS: undefined, NO_COLOR: '1', ...parentWatchEnvironment() },
    })
    let spawnError = ''
    child.once('error', (error) => {
      spawnError = error.message
    })
    child.unref()
    this.child = child
    guard(child, 'SIGKILL')
    await handle.close()

    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
    const ready = await waitForHeartbeat(url, startTimeoutMs, child)
    // Checked after a heartbeat too: another server on this port could have answered in its place.
    if (!ready || !isRunning(child)) {
      const why = spawnError
        ? `could not be spawned (${spawnError})`
        : isRunning(child)
          ? `did not answer its heartbeat within ${startTimeoutMs} ms`
          : `exited (code ${child.exitCode}, signal ${child.signalCode})`
      await this.stopChild()
      const logTail = await readTail(logFile, logOffset)
      throw failure(`The embedded Chroma server on ${url} ${why}`, { logFile, logTail })
    }
    guard(child, 'SIGINT')
    if (child.pid !== undefined)
      await recordServer(dataDirectory, { pid: child.pid, ...ownerFields(), url })
    this.port = port
    this.upSince = Date.now()
    child.once('exit', (code, signal) => this.exited(child, code, signal))
    const watchdog = { ...DEFAULT_WATCHDOG, ...this.options.watchdog }
    this.watchdog = new HeartbeatWatchdog(url, watchdog, (missed) => {
      if (this.child !== child || this.stopped) return
      log(
        `the embedded Chroma server (pid ${child.pid}) missed ${missed} heartbeats in a row (${watchdog.timeoutMs} ms each): it is frozen; killing it so that it restarts`,
      )
      signalGroup(child, 'SIGKILL')
    })
    this.watchdog.start()
    this.address = { url, host, port }
    log(`Chroma ${url} (pid ${child.pid}) ready in ${Date.now() - startedAt} ms; log ${logFile}`)
    return this.address
  }
}

function chromaCliPath(): string {
  // The package's exports hide dist/cli.mjs; it sits next to dist/cjs/, home of the CJS entry.
  const cli = join(dirname(createRequire(import.meta.url).resolve('chromadb')), '..', 'cli.mjs')
  if (existsSync(cli)) return cli
  throw failure(`The chromadb package has no CLI at ${cli}; reinstall it (npm ci)`)
}

/** Checks the port is free (or picks one) by binding it as Chroma will. */
function claimPort(host: string, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer()
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const message =
        error.code === 'EADDRINUSE'
          ? `Port ${port} on ${host} is already in use, so the embedded Chroma server cannot ` +
            'start there. Stop what listens on it, choose another port (0 picks a free one), or ' +
            'set CHROMA_URL if it is a Chroma server you want to use.'
          : `Cannot listen on ${host}:${port} for the embedded Chroma server: ${error.message}`
      reject(failure(message, { host, port, reason: error.code ?? error.message }))
    })
    probe.listen({ host, port, exclusive: true }, () => {
      const address = probe.address()
      const chosen = typeof address === 'object' && address !== null ? address.port : port
      probe.close(() => resolvePort(chosen))
    })
  })
}

async function heartbeat(url: string): Promise<boolean> {
  const response = await fetch(`${url}/api/v2/heartbeat`, {
    signal: AbortSignal.timeout(2000),
  }).catch(() => undefined)
  return response?.ok === true
}

async function waitForHeartbeat(url: string, timeoutMs: number, child: ChildProcess) {
  const deadline = Date.now() + timeoutMs
  while (isRunning(child) && Date.now() < deadline) {
    const response = await fetch(`${url}/api/v2/heartbeat`, {
      signal: AbortSignal.timeout(1000),
    }).catch(() => undefined) // refused until Chroma has bound the port
    if (response?.ok) return true
    await sleep(100)
  }
  return false
}

async function readTail(logFile: string, fromOffset: number): Promise<string> {
  const bytes = await readFile(logFile).catch(() => Buffer.alloc(0))
  const tail = bytes.subarray(Math.max(fromOffset, bytes.length - LOG_TAIL_BYTES))
  return stripVTControlCharacters(tail.toString('utf8'))
}

function failure(message: string, details: ErrorDetails = {}, cause?: unknown): HelpdeskError {
  const category = 'SYSTEM'
  return new HelpdeskError({ code: 'CHROMA_RUNTIME_FAILED', category, message, details, cause })
}
