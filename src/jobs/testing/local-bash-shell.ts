/**
 * A RemoteShell that runs the command line with the local bash, for the engine's unit tests:
 * the same contract as SSH (stdin written then closed, exit code, timeout and abort stop the
 * command and its children), no network. The int tests use the real sshd.
 * @module
 */
import { spawn } from 'node:child_process'
import type { Target } from '../../inventory/inventory-schema.ts'
import type {
  RemoteCommand,
  RemoteCommandResult,
  RemoteRunOptions,
  RemoteSession,
  RemoteShell,
} from '../../transports/remote-shell.ts'

export class LocalBashShell implements RemoteShell {
  readonly transport = 'ssh'
  /** Command lines run, in order, for assertions. */
  readonly ran: Array<{ target: string; commandLine: string }> = []
  sessionsOpened = 0

  async run(target: Target, command: RemoteCommand, options: RemoteRunOptions) {
    this.ran.push({ target: target.name, commandLine: command.commandLine })
    return runLocally(command, options)
  }

  async openSession(target: Target): Promise<RemoteSession> {
    this.sessionsOpened++
    return { run: (command, options) => this.run(target, command, options), close: () => undefined }
  }

  async close(): Promise<void> {}
}

function runLocally(
  command: RemoteCommand,
  options: RemoteRunOptions,
): Promise<RemoteCommandResult> {
  const started = performance.now()
  return new Promise((resolve) => {
    // Its own process group, so a stop reaches the script's children too (as `timeout` does).
    const child = spawn('bash', ['-c', command.commandLine], { detached: true })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    const stop = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => {
      timedOut = true
      stop()
    }, options.timeoutMs)
    options.signal?.addEventListener('abort', stop, { once: true })
    if (options.signal?.aborted) stop()
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString()).slice(0, options.outputLimit)
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(0, options.outputLimit)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', stop)
      resolve({
        exitCode: code,
        stdout,
        stderr,
        stdoutTruncated: false,
        stderrTruncated: false,
        timedOut,
        durationMs: performance.now() - started,
      })
    })
    // A stop (cancel) may kill bash before it has read its script: the write then fails with
    // EPIPE, which is the cancel working, not an error; the exit status tells the outcome.
    child.stdin.on('error', () => {})
    child.stdin.end(command.stdin ?? '')
  })
}
