import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2'
import { HelpdeskError } from '../../errors/index.ts'
import { resolveCredential } from '../../inventory/credential-reference.ts'
import type { Target } from '../../inventory/inventory-schema.ts'
import type { Secret } from '../../inventory/secret.ts'
import type {
  RemoteCommand,
  RemoteCommandResult,
  RemoteRunOptions,
  RemoteSession,
  RemoteShell,
} from '../remote-shell.ts'
import { OutputCollector } from './output-collector.ts'
import { sshFailure } from './ssh-failure.ts'

export interface SshRemoteShellOptions {
  /** Time allowed for TCP connect, key exchange and authentication. */
  connectTimeoutMs?: number
  /** Resolves a target's credential reference; tests may substitute. */
  credentials?: (reference: string) => Promise<Secret>
  /** Grace after the remote `timeout` should have fired before the channel itself is killed. */
  killGraceMs?: number
}

/** How long `timeout -k` waits between TERM and KILL on the target. */
const REMOTE_KILL_AFTER_SECONDS = 2

/**
 * Runs commands over SSH with ssh2, one connection per run (a fleet opens one per target).
 *
 * Host keys are pinned: the target's `hostKey` must equal what the server presents, otherwise the
 * connection is refused before authentication, so no credential is sent to an impostor.
 *
 * Stopping a remote command for real: closing an SSH channel without a pty leaves the command
 * running, and ssh2 drops a signal request once stdin is closed (which `bash -s` needs). So on
 * Linux targets the command line is wrapped in GNU `timeout`, which signals the whole process
 * group (TERM, then KILL two seconds later); our own timer then kills the channel as a fallback.
 * Other targets get only the channel signal and disconnect (Windows OpenSSH ends the session's
 * job on disconnect).
 */
export class SshRemoteShell implements RemoteShell {
  readonly transport = 'ssh'
  private readonly connectTimeoutMs: number
  private readonly credentials: (reference: string) => Promise<Secret>
  private readonly killGraceMs: number
  private readonly open = new Set<Client>()
  /** The connection behind each session this shell opened, for SFTP on the same login. */
  private readonly sessionConnections = new WeakMap<RemoteSession, Client>()

  constructor(options: SshRemoteShellOptions = {}) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000
    this.credentials = options.credentials ?? ((reference) => resolveCredential(reference))
    this.killGraceMs = options.killGraceMs ?? (REMOTE_KILL_AFTER_SECONDS + 1) * 1000
  }

  async run(
    target: Target,
    command: RemoteCommand,
    options: RemoteRunOptions,
  ): Promise<RemoteCommandResult> {
    const started = performance.now()
    if (options.signal?.aborted) return cancelledBeforeStart(started)
    const connection = await this.connect(target)
    try {
      const commandLine =
        target.os === 'linux'
          ? wrapWithTimeout(command.commandLine, options.timeoutMs)
          : command.commandLine
      return await execute(
        connection,
        commandLine,
        command.stdin,
        options,
        started,
        this.killGraceMs,
      )
    } finally {
      connection.end()
      this.open.delete(connection)
    }
  }

  async openSession(target: Target): Promise<RemoteSession> {
    const connection = await this.connect(target)
    let closed = false
    const session: RemoteSession = {
      run: async (command, options) => {
        const started = performance.now()
        if (options.signal?.aborted || closed) return cancelledBeforeStart(started)
        const commandLine =
          target.os === 'linux'
            ? wrapWithTimeout(command.commandLine, options.timeoutMs)
            : command.commandLine
        return execute(connection, commandLine, command.stdin, options, started, this.killGraceMs)
      },
      close: () => {
        closed = true
        connection.end()
        this.open.delete(connection)
      },
    }
    this.sessionConnections.set(session, connection)
    return session
  }

  /**
   * An SFTP channel to the target, on the session's connection when the session is this shell's
   * (one login per machine), else on a new connection made exactly as `run` makes one (pinned
   * host key, the target's credential). `run` executes a command on the same connection;
   * `close` ends the channel and a connection opened here.
   */
  async openSftp(
    target: Target,
    session?: RemoteSession,
  ): Promise<{
    sftp: SFTPWrapper
    run(command: RemoteCommand, options: RemoteRunOptions): Promise<RemoteCommandResult>
    close(): void
  }> {
    const shared = session ? this.sessionConnections.get(session) : undefined
    const connection = shared ?? (await this.connect(target))
    const closeConnection = () => {
      if (shared) return
      connection.end()
      this.open.delete(connection)
    }
    let sftp: SFTPWrapper
    try {
      sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
        connection.sftp((error, channel) => (error ? reject(error) : resolve(channel))),
      )
    } catch (error) {
      closeConnection()
      throw new HelpdeskError({
        code: 'BACKEND_UNAVAILABLE',
        category: 'THIRD_PARTY',
        message: `${target.name}: the SSH server refused the SFTP subsystem (${(error as Error).message})`,
        details: { reason: 'PROTOCOL_ERROR', target: target.name },
      })
    }
    return {
      sftp,
      run: (command, options) => {
        const commandLine =
          target.os === 'linux'
            ? wrapWithTimeout(command.commandLine, options.timeoutMs)
            : command.commandLine
        return execute(
          connection,
          commandLine,
          command.stdin,
          options,
          performance.now(),
          this.killGraceMs,
        )
      },
      close: () => {
        sftp.end()
        closeConnection()
      },
    }
  }

  async close(): Promise<void> {
    for (const connection of this.open) connection.end()
    this.open.clear()
  }

  private async connect(target: Target): Promise<Client> {
    const pinned = pinnedKey(target)
    const secret = await this.credentials(target.credential)
    const connection = new Client()
    let presented: Buffer | undefined
    const config: ConnectConfig = {
      host: target.host,
      port: target.port ?? 22,
      username: target.username,
      readyTimeout: this.connectTimeoutMs,
      hostVerifier: (key: Buffer) => {
        presented = key
        return key.equals(pinned)
      },
      ...authentication(secret),
    }
    return new Promise<Client>((resolve, reject) => {
      connection.once('ready', () => {
        this.open.add(connection)
        resolve(connection)
      })
      connection.once('error', (error: Error & { level?: string }) => {
        connection.end()
        reject(sshFailure(target, error, presented, pinned))
      })
      connection.connect(config)
      // Nagle's algorithm holds each handshake reply for a delayed ACK: 0.3 s to 0.065 s per login.
      connection.setNoDelay(true)
    })
  }
}

function execute(
  connection: Client,
  commandLine: string,
  stdin: string | undefined,
  options: RemoteRunOptions,
  started: number,
  killGraceMs: number,
): Promise<RemoteCommandResult> {
  return new Promise((resolve, reject) => {
    connection.exec(commandLine, (error, channel) => {
      if (error) {
        reject(
          new HelpdeskError({
            code: 'BACKEND_UNAVAILABLE',
            category: 'THIRD_PARTY',
            message: `the SSH server refused to start the command: ${error.message}`,
            details: { reason: 'PROTOCOL_ERROR' },
          }),
        )
        return
      }
      const stdout = new OutputCollector(options.outputLimit)
      const stderr = new OutputCollector(options.outputLimit)
      let exitCode: number | null = null
      let exitSignal: string | undefined
      let stoppedLocally = false
      let settled = false
      const timers: NodeJS.Timeout[] = []
      const finish = () => {
        if (settled) return
        settled = true
        for (const timer of timers) clearTimeout(timer)
        options.signal?.removeEventListener('abort', stop)
        const durationMs = performance.now() - started
        // GNU timeout exits 124 after TERM, 137 (128 + KILL) when it had to kill.
        const remoteTimeout =
          (exitCode === 124 || exitCode === 137) && durationMs >= options.timeoutMs - 50
        resolve({
          exitCode: stoppedLocally ? null : exitCode,
          ...(exitSignal ? { exitSignal } : {}),
          stdout: stdout.text(),
          stderr: stderr.text(),
          stdoutTruncated: stdout.truncated,
          stderrTruncated: stderr.truncated,
          timedOut: remoteTimeout || (stoppedLocally && !options.signal?.aborted),
          durationMs: Math.round(durationMs * 1000) / 1000,
        })
      }
      // TERM first: on Linux it reaches GNU timeout, which passes it on to the whole process
      // group. If the command is still there after the grace, KILL it and stop waiting.
      function stop() {
        if (stoppedLocally) return
        stoppedLocally = true
        signalChannel(channel, 'TERM')
        timers.push(
          setTimeout(() => {
            signalChannel(channel, 'KILL')
            channel.close()
            finish()
          }, killGraceMs),
        )
      }
      timers.push(setTimeout(stop, options.timeoutMs + killGraceMs))
      options.signal?.addEventListener('abort', stop, { once: true })
      // Aborted while the channel was being opened: the event has fired already.
      if (options.signal?.aborted) stop()
      channel.on('data', (chunk: Buffer) => stdout.add(chunk))
      channel.stderr.on('data', (chunk: Buffer) => stderr.add(chunk))
      channel.on('exit', (code: number | null, signalName?: string) => {
        exitCode = code
        if (signalName) exitSignal = signalName
      })
      channel.on('close', finish)
      channel.end(stdin ?? '')
    })
  })
}

/**
 * ssh2 1.17 ignores `channel.signal()` once stdin is closed (it checks `writable`); the protocol
 * object still sends the request, so use it when the public call would be dropped.
 */
function signalChannel(channel: ClientChannel, name: 'TERM' | 'KILL'): void {
  const internal = channel as unknown as {
    writable: boolean
    // 'eof' once stdin was closed: the channel is still open for requests.
    outgoing?: { id: number; state: string }
    _client?: { _protocol?: { signal(id: number, name: string): void } }
  }
  if (internal.writable) {
    channel.signal(name)
    return
  }
  const protocol = internal._client?._protocol
  if (protocol && (internal.outgoing?.state === 'open' || internal.outgoing?.state === 'eof')) {
    protocol.signal(internal.outgoing.id, name)
  }
}

export function wrapWithTimeout(commandLine: string, timeoutMs: number): string {
  const seconds = Math.max(0.001, timeoutMs / 1000).toFixed(3)
  return `timeout -k ${REMOTE_KILL_AFTER_SECONDS} ${seconds} ${commandLine}`
}

/** The key blob of an OpenSSH public key line (`ssh-ed25519 AAAA...`). */
export function pinnedKey(target: Target): Buffer {
  const blob = target.hostKey?.split(' ')[1]
  if (!blob) {
    throw new HelpdeskError({
      code: 'BACKEND_UNAVAILABLE',
      category: 'USER',
      message: `target ${target.name} has no pinned host key; add hostKey from "ssh-keyscan ${target.host}" to the inventory after checking it`,
      details: { reason: 'HOST_KEY_UNKNOWN', target: target.name },
    })
  }
  return Buffer.from(blob, 'base64')
}

function authentication(secret: Secret): Pick<ConnectConfig, 'privateKey' | 'password'> {
  const value = secret.reveal()
  return value.includes('PRIVATE KEY-----') ? { privateKey: value } : { password: value }
}

function cancelledBeforeStart(started: number): RemoteCommandResult {
  return {
    exitCode: null,
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    timedOut: false,
    durationMs: performance.now() - started,
  }
}
