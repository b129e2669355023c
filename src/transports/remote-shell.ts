import type { Target } from '../inventory/inventory-schema.ts'

/**
 * A way to run one command line on a remote machine: SSH (`ssh-remote-shell.ts`) or WinRM
 * (`winrm/winrm-remote-shell.ts`). Script executors (Bash, PowerShell) render the command and
 * pick the shell by the target's `transport`; the shell only moves bytes and reports what came back.
 *
 * Contract (checked by `remote-shell-contract.case.test.ts` for every implementation):
 * - `stdin`, when given, is written and then closed; the command reads it (`bash -s`).
 * - stdout and stderr are kept apart and each capped at `outputLimit` characters (`truncated`
 *   says so); the exit code is the remote command's own.
 * - `timeoutMs` really stops the remote command, not just the wait for it: `timedOut` is true and
 *   nothing keeps running on the target.
 * - An aborted `signal` stops the command the same way.
 * - Failures to reach or log in to the target throw a `HelpdeskError` with code
 *   BACKEND_UNAVAILABLE and `details.reason` one of: `CONNECT_FAILED`, `HOST_KEY_MISMATCH`,
 *   `HOST_KEY_UNKNOWN`, `AUTHENTICATION_FAILED`, `TLS_FAILED`, `PROTOCOL_ERROR`. A command that
 *   ran and failed is not an exception: it is a result with its exit code.
 * - Credentials are resolved from the target's reference at connection time and never appear in
 *   a result, an error message or a log line.
 */
export interface RemoteShell {
  readonly transport: Target['transport']
  run(
    target: Target,
    command: RemoteCommand,
    options: RemoteRunOptions,
  ): Promise<RemoteCommandResult>
  /**
   * Optional: one connection for several commands on one target, in turn (a job's steps there),
   * so a five-step workflow logs in once per machine instead of once per script. Each `run`
   * keeps the contract above; `close` ends the connection.
   */
  openSession?(target: Target): Promise<RemoteSession>
  /** Closes pooled connections. */
  close(): Promise<void>
}

/** Commands run one after another over one connection (`RemoteShell.openSession`). */
export interface RemoteSession {
  run(command: RemoteCommand, options: RemoteRunOptions): Promise<RemoteCommandResult>
  close(): void
}

export interface RemoteCommand {
  /** The exact command line the remote side runs, e.g. `bash -s -- 'jdoe'`. */
  commandLine: string
  stdin?: string
}

export interface RemoteRunOptions {
  timeoutMs: number
  outputLimit: number
  signal?: AbortSignal
}

export interface RemoteCommandResult {
  /** null when the command was killed by a signal or stopped by the timeout. */
  exitCode: number | null
  /** The signal that ended the command, e.g. `KILL`, when there was one. */
  exitSignal?: string
  stdout: string
  stderr: string
  stdoutTruncated: boolean
  stderrTruncated: boolean
  timedOut: boolean
  durationMs: number
}
