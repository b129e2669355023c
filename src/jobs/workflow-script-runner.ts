/**
 * Runs one rendered workflow script on one machine, audited: the record of what is about to run
 * (the exact script) is written first, and if it cannot be written nothing runs; the outcome is
 * recorded after. Bash goes over SSH as `bash -s --` with the script on stdin (after `bash -n`
 * here) and the machine's inventory name as `$1`; PowerShell as `-EncodedCommand` through the
 * machine's transport, as the executors do.
 * A target's commands share one connection when its shell offers sessions.
 * @module
 */
import { createHash } from 'node:crypto'
import type { AuditLog, AuditValue } from '../audit/audit-log.ts'
import { HelpdeskError, isHelpdeskError } from '../errors/index.ts'
import { MAX_COMMAND_LINE } from '../executors/powershell/powershell-executor.ts'
import type { Target } from '../inventory/inventory-schema.ts'
import type { FilesDirectory } from '../operations/files-directory.ts'
import type { FileTransfer, WorkflowPlatform } from '../operations/workflow.ts'
import { checkBashSyntax } from '../rendering/bash-syntax.ts'
import { quoteBash } from '../rendering/quoting.ts'
import { encodePowerShellCommand } from '../rendering/script-renderer.ts'
import type { FileUploader } from '../transports/file-upload.ts'
import type {
  RemoteCommand,
  RemoteCommandResult,
  RemoteSession,
  RemoteShell,
} from '../transports/remote-shell.ts'
import type { JobPhase } from './job-model.ts'

/** How one script run ended. `errorCode` is set when it did not run or did not finish. */
export interface ScriptOutcome {
  exitCode: number | null
  stdout: string
  stderr: string
  durationMs: number
  timedOut: boolean
  errorCode?: string
  errorMessage?: string
}

export interface ScriptRun {
  jobId: string
  requester: string
  actor: string
  approval?: { id: string; approver: string; via: string }
  stepId: string
  operation: string
  phase: JobPhase
  target: Target
  platform: WorkflowPlatform
  script: string
  timeoutMs: number
  signal: AbortSignal
}

/** Output kept per stream and run; the audit keeps the first 4,096 characters. */
const OUTPUT_LIMIT = 64 * 1024
const AUDITED_OUTPUT = 4096
/**
 * Scripts up to this size are in each execution's audit record whole; a longer one (a file
 * carried in the script) by its first characters and its SHA-256, and whole once in the job's
 * `job-start` record, so 100 machines do not write 100 copies of a megabyte.
 */
const AUDITED_SCRIPT = 16 * 1024

/** The script as an execution's audit record carries it. */
export function auditedScript(script: string): { [key: string]: AuditValue } {
  const sha256 = createHash('sha256').update(script).digest('hex')
  return script.length <= AUDITED_SCRIPT
    ? { operation: script, scriptSha256: sha256 }
    : {
        operation: `${script.slice(0, AUDITED_SCRIPT)}\n... (${script.length} characters; whole in the job-start record)`,
        scriptSha256: sha256,
      }
}

/** The platform a machine's scripts are for; macOS has none in a workflow. */
export function platformOf(target: Target): WorkflowPlatform | undefined {
  return target.os === 'linux' ? 'linux' : target.os === 'windows' ? 'windows' : undefined
}

/** A `file.copy` upload to one machine: the script run's fields without a script. */
export type TransferRun = Omit<ScriptRun, 'script' | 'phase'> & { transfer: FileTransfer }

export class WorkflowScriptRunner {
  private readonly shells: Partial<Record<Target['transport'], RemoteShell>>
  private readonly audit: AuditLog
  private readonly files: FilesDirectory | undefined
  private readonly uploaders: Partial<Record<WorkflowPlatform, FileUploader>>

  constructor(options: {
    shells: Partial<Record<Target['transport'], RemoteShell>>
    audit: AuditLog
    /** Where `file.copy` reads its files (HELPDESK_FILES_DIRECTORY); without it uploads fail. */
    files?: FilesDirectory
    /** SFTP for Linux, PowerShell chunks for Windows (src/transports/file-upload.ts). */
    uploaders?: Partial<Record<WorkflowPlatform, FileUploader>>
  }) {
    this.shells = options.shells
    this.audit = options.audit
    this.files = options.files
    this.uploaders = options.uploaders ?? {}
  }

  /**
   * Uploads a copy's file to `<destination>.helpdesk-upload` on the machine, audited like a
   * script (what: the file's name, size and SHA-256, where it goes; then the outcome). The file
   * is read again here and refused unless it is the one the workflow pinned.
   */
  async upload(run: TransferRun, session?: RemoteSession): Promise<ScriptOutcome> {
    const { transfer } = run
    const scriptRun: ScriptRun = { ...run, phase: 'transfer', script: '' }
    const remotePath = `${transfer.destination}.helpdesk-upload`
    const uploader = this.uploaders[run.platform]
    const started = performance.now()
    const failure = (errorCode: string, errorMessage: string): ScriptOutcome => ({
      exitCode: null,
      stdout: '',
      stderr: '',
      durationMs: performance.now() - started,
      timedOut: errorCode === 'TIMEOUT',
      errorCode,
      errorMessage,
    })
    const what = {
      executor: run.platform === 'linux' ? 'sftp' : 'powershell-chunks',
      file: transfer.source,
      size: transfer.size,
      sha256: transfer.sha256,
      destination: remotePath,
      approval: run.approval ?? null,
    }
    let refusal: ScriptOutcome | undefined
    let bytes: Buffer | undefined
    if (run.platform === 'linux' && run.target.transport !== 'ssh') {
      refusal = failure(
        'UNSUPPORTED_TRANSPORT',
        `${run.target.name} is reached over ${run.target.transport}; files go to Linux machines over SFTP (SSH) only`,
      )
    } else if (!this.files || !uploader) {
      refusal = failure(
        'NOT_CONFIGURED',
        !this.files
          ? 'no files directory is configured on this server (HELPDESK_FILES_DIRECTORY), so nothing was copied'
          : `no uploader for ${run.platform} targets is configured, so nothing was copied`,
      )
    } else {
      try {
        bytes = this.files.read({
          name: transfer.source,
          size: transfer.size,
          sha256: transfer.sha256,
        })
      } catch (error) {
        if (!isHelpdeskError(error)) throw error
        const reason = typeof error.details.reason === 'string' ? error.details.reason : error.code
        refusal = failure(reason, error.message)
      }
    }
    if (refusal || !bytes || !uploader) {
      const refused = refusal ?? failure('NOT_CONFIGURED', 'nothing to upload')
      await this.record('step-refuse', scriptRun, { ...what, reason: refused.errorMessage ?? '' })
      return refused
    }
    let outcome: ScriptOutcome
    await this.record('step-execute', scriptRun, what)
    try {
      const result = await uploader.upload(
        run.target,
        { bytes, sha256: transfer.sha256, remotePath },
        { timeoutMs: run.timeoutMs, signal: run.signal },
        session,
      )
      outcome = {
        exitCode: 0,
        stdout: `uploaded ${result.size} bytes to ${remotePath}, SHA-256 ${result.sha256} (checked on ${run.target.name})`,
        stderr: '',
        durationMs: result.durationMs,
        timedOut: false,
      }
    } catch (error) {
      if (!isHelpdeskError(error)) throw error
      const stopped = error.details.stopped
      outcome = failure(
        stopped === 'cancelled'
          ? 'CANCELLED'
          : stopped === 'timeout'
            ? 'TIMEOUT'
            : typeof error.details.reason === 'string'
              ? error.details.reason
              : error.code,
        error.message,
      )
    }
    await this.record('step-result', scriptRun, {
      status: outcome.errorCode ? 'failed' : 'succeeded',
      exitCode: outcome.exitCode,
      durationMs: Math.round(outcome.durationMs),
      errorCode: outcome.errorCode ?? null,
      errorMessage: outcome.errorMessage ?? null,
      sha256: transfer.sha256,
      stdout: outcome.stdout,
      stderr: '',
    })
    return outcome
  }

  /** One connection for a target's scripts, or undefined to connect per script. */
  async openSession(target: Target): Promise<RemoteSession | undefined> {
    const shell = this.shells[target.transport]
    if (!shell?.openSession) return undefined
    return shell.openSession(target)
  }

  async run(run: ScriptRun, session?: RemoteSession): Promise<ScriptOutcome> {
    const command = this.command(run)
    if ('refused' in command) {
      await this.record('step-refuse', run, { reason: command.refused.errorMessage ?? '' })
      return command.refused
    }
    await this.record('step-execute', run, {
      executor: run.platform === 'linux' ? 'bash' : 'powershell',
      ...auditedScript(run.script),
      approval: run.approval ?? null,
    })
    const started = performance.now()
    let outcome: ScriptOutcome
    try {
      const shell = this.shells[run.target.transport]
      if (!shell) throw notConfigured(run.target)
      const options = {
        timeoutMs: run.timeoutMs,
        outputLimit: OUTPUT_LIMIT,
        signal: run.signal,
      }
      const remote: RemoteCommandResult = session
        ? await session.run(command.command, options)
        : await shell.run(run.target, command.command, options)
      outcome = {
        exitCode: remote.exitCode,
        stdout: remote.stdout,
        stderr: remote.stderr,
        durationMs: remote.durationMs,
        timedOut: remote.timedOut,
        ...(run.signal.aborted
          ? {
              errorCode: 'CANCELLED',
              errorMessage: 'stopped on the machine: the job was cancelled',
            }
          : remote.timedOut
            ? {
                errorCode: 'TIMEOUT',
                errorMessage: `stopped after the step's limit of ${Math.round(run.timeoutMs / 1000)} s`,
              }
            : {}),
      }
    } catch (error) {
      if (!isHelpdeskError(error)) throw error
      const reason = typeof error.details.reason === 'string' ? error.details.reason : error.code
      outcome = {
        exitCode: null,
        stdout: '',
        stderr: '',
        durationMs: performance.now() - started,
        timedOut: false,
        errorCode: reason,
        errorMessage: error.message,
      }
    }
    await this.record('step-result', run, {
      status: outcome.errorCode ? 'failed' : outcome.exitCode === 0 ? 'succeeded' : 'failed',
      exitCode: outcome.exitCode,
      durationMs: Math.round(outcome.durationMs),
      errorCode: outcome.errorCode ?? null,
      errorMessage: outcome.errorMessage ?? null,
      stdout: outcome.stdout.slice(0, AUDITED_OUTPUT),
      stderr: outcome.stderr.slice(0, AUDITED_OUTPUT),
    })
    return outcome
  }

  private command(run: ScriptRun): { command: RemoteCommand } | { refused: ScriptOutcome } {
    const refuse = (errorCode: string, errorMessage: string) => ({
      refused: {
        exitCode: null,
        stdout: '',
        stderr: '',
        durationMs: 0,
        timedOut: false,
        errorCode,
        errorMessage,
      },
    })
    if (run.platform === 'linux') {
      if (run.target.transport !== 'ssh') {
        return refuse(
          'UNSUPPORTED_TRANSPORT',
          `${run.target.name} is reached over ${run.target.transport}; Bash runs over SSH only`,
        )
      }
      const syntax = checkBashSyntax(run.script)
      if (!syntax.ok) {
        const first = syntax.errors[0]
        return refuse(
          'SCRIPT_SYNTAX',
          `bash -n refused the script (line ${first?.line}: ${first?.message}); nothing was run`,
        )
      }
      // The machine's inventory name as $1: the script is the same for every target, and a
      // fleet of names on one host (the loopback test fleet) can still tell its members apart.
      return {
        command: { commandLine: `bash -s -- ${quoteBash(run.target.name)}`, stdin: run.script },
      }
    }
    const commandLine = `powershell -NoProfile -NonInteractive -EncodedCommand ${encodePowerShellCommand(run.script)}`
    if (commandLine.length > MAX_COMMAND_LINE) {
      return refuse(
        'SCRIPT_TOO_LONG',
        `the encoded script makes a ${commandLine.length}-character command line; ${run.target.name} takes at most ${MAX_COMMAND_LINE}; nothing was run`,
      )
    }
    return { command: { commandLine } }
  }

  private async record(
    action: string,
    run: ScriptRun,
    detail: { [key: string]: AuditValue },
  ): Promise<void> {
    try {
      await this.audit.append({
        actor: run.actor,
        action,
        target: run.target.name,
        requestId: run.jobId,
        detail: {
          requester: run.requester,
          taskType: 'workflow',
          jobId: run.jobId,
          // The phase is part of the step id so the job history tells the condition, the change
          // and its verification apart.
          stepId: run.phase === 'run' ? run.stepId : `${run.stepId}.${run.phase}`,
          workflowOperation: run.operation,
          phase: run.phase,
          ...detail,
        },
      })
    } catch (error) {
      if (isHelpdeskError(error) && error.code === 'AUDIT_FAILED') throw error
      throw new HelpdeskError({
        code: 'AUDIT_FAILED',
        category: 'SYSTEM',
        message: `the audit record for ${run.stepId} on ${run.target.name} could not be written, so it did not run`,
        cause: error,
      })
    }
  }
}

function notConfigured(target: Target): HelpdeskError {
  return new HelpdeskError({
    code: 'NOT_CONFIGURED',
    message: `no ${target.transport} shell is configured, so ${target.name} cannot be reached`,
  })
}
