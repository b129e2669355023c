import { readFile } from 'node:fs/promises'
import { HelpdeskError, isHelpdeskError } from '../../errors/index.ts'
import { resolveCredential } from '../../inventory/credential-reference.ts'
import type { Target } from '../../inventory/inventory-schema.ts'
import type {
  RemoteCommand,
  RemoteCommandResult,
  RemoteRunOptions,
  RemoteShell,
} from '../remote-shell.ts'
import { OutputCollector } from '../ssh/output-collector.ts'
import { endpointScheme, HTTPS_PORT, loadWinRmConfig, type WinRmConfig } from './winrm-config.ts'
import { winRmFailure } from './winrm-failure.ts'
import { WsManConnection } from './wsman-connection.ts'
import {
  commandEnvelope,
  createShellEnvelope,
  deleteShellEnvelope,
  type EnvelopeOptions,
  receiveEnvelope,
  sendEnvelope,
  signalEnvelope,
} from './wsman-envelopes.ts'
import {
  checkResponse,
  parseCommandResponse,
  parseCreateResponse,
  parseReceiveResponse,
  WsManFault,
  WsManResponseError,
} from './wsman-responses.ts'

export interface WinRmRemoteShellOptions {
  /** Defaults to `loadWinRmConfig(environment)`. */
  config?: WinRmConfig
  /** Where `env:` credential references are looked up; process.env by default. */
  environment?: NodeJS.ProcessEnv
  /** How long the service may hold one Receive when there is no output (seconds). */
  receiveWaitSeconds?: number
}

/** Signal and Delete after a stop get their own short deadline: the run's own has passed. */
const CLEANUP_TIMEOUT_MS = 15_000

/**
 * Runs a command line in a WinRM `cmd` shell (WS-Management over HTTPS): Create shell, Command,
 * Send stdin, Receive until the command is done, Delete shell. A timeout or an abort sends Signal
 * terminate and deletes the shell, which ends the processes it started.
 */
export class WinRmRemoteShell implements RemoteShell {
  readonly transport = 'winrm' as const
  private readonly options: WinRmRemoteShellOptions

  constructor(options: WinRmRemoteShellOptions = {}) {
    this.options = options
  }

  async run(
    target: Target,
    command: RemoteCommand,
    options: RemoteRunOptions,
  ): Promise<RemoteCommandResult> {
    const started = performance.now()
    const environment = this.options.environment ?? process.env
    const config = this.options.config ?? loadWinRmConfig(environment)
    const port = target.port ?? HTTPS_PORT
    const connection = new WsManConnection({
      targetName: target.name,
      host: target.host,
      port,
      scheme: endpointScheme(port, config),
      ...(config.caFile ? { ca: await readCaFile(config.caFile) } : {}),
      authentication: config.authentication,
      username: target.username,
      password: await resolveCredential(target.credential, environment),
      requestTimeoutMs: (this.options.receiveWaitSeconds ?? 20) * 1000 + 30_000,
    })
    const stop = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      stop.abort()
    }, options.timeoutMs)
    const signal = options.signal ? AbortSignal.any([stop.signal, options.signal]) : stop.signal
    const stdout = new OutputCollector(options.outputLimit)
    const stderr = new OutputCollector(options.outputLimit)
    const envelopes: EnvelopeOptions = { endpoint: connection.endpoint }
    const where = `${target.name} (${target.host}:${port})`
    let shellId: string | undefined
    let commandId: string | undefined
    let exitCode: number | null = null
    let done = false
    try {
      shellId = parseCreateResponse(await connection.post(createShellEnvelope(envelopes), signal))
      commandId = parseCommandResponse(
        await connection.post(commandEnvelope(envelopes, shellId, command.commandLine), signal),
      )
      if (command.stdin !== undefined) {
        const input = Buffer.from(command.stdin, 'utf8')
        checkResponse(
          await connection.post(sendEnvelope(envelopes, shellId, commandId, input), signal),
        )
      }
      const receive = receiveEnvelope(
        { ...envelopes, operationTimeoutSeconds: this.options.receiveWaitSeconds ?? 20 },
        shellId,
        commandId,
      )
      while (!done) {
        let answer: ReturnType<typeof parseReceiveResponse>
        try {
          answer = parseReceiveResponse(await connection.post(receive, signal), commandId)
        } catch (error) {
          // No output within the wait: WinRM's normal answer to a long Receive. Ask again.
          if (error instanceof WsManFault && error.isOperationTimeout) continue
          throw error
        }
        for (const chunk of answer.stdout) stdout.add(chunk)
        for (const chunk of answer.stderr) stderr.add(chunk)
        if (answer.done) {
          done = true
          exitCode = answer.exitCode ?? null
        }
      }
    } catch (error) {
      if (!signal.aborted) throw protocolFailure(error, where, target.name)
    } finally {
      clearTimeout(timer)
      await cleanUp(connection, envelopes, shellId, done ? undefined : commandId)
    }
    return {
      exitCode,
      stdout: stdout.text(),
      stderr: stderr.text(),
      stdoutTruncated: stdout.truncated,
      stderrTruncated: stderr.truncated,
      timedOut: !done && timedOut,
      durationMs: performance.now() - started,
    }
  }

  /** Every run opens and closes its own connection; nothing is pooled. */
  async close(): Promise<void> {}
}

/** Best effort: terminate a command still running, then delete the shell (which ends its processes). */
async function cleanUp(
  connection: WsManConnection,
  envelopes: EnvelopeOptions,
  shellId: string | undefined,
  runningCommandId: string | undefined,
): Promise<void> {
  try {
    if (!shellId) return
    const signal = AbortSignal.timeout(CLEANUP_TIMEOUT_MS)
    if (runningCommandId) {
      await connection
        .post(signalEnvelope(envelopes, shellId, runningCommandId), signal)
        .then(checkResponse)
        .catch(() => undefined)
    }
    await connection
      .post(deleteShellEnvelope(envelopes, shellId), signal)
      .then(checkResponse)
      .catch(() => undefined)
  } finally {
    connection.close()
  }
}

function protocolFailure(error: unknown, where: string, targetName: string): unknown {
  if (isHelpdeskError(error)) return error
  if (error instanceof WsManFault) {
    const denied = /AccessDenied/i.test(error.subcode)
    return winRmFailure(
      denied ? 'AUTHENTICATION_FAILED' : 'PROTOCOL_ERROR',
      `${where}: WinRM refused the request (${error.subcode || 'fault'}${error.wsmanCode ? ` ${error.wsmanCode}` : ''}): ${error.message}`,
      targetName,
      error,
    )
  }
  if (error instanceof WsManResponseError) {
    return winRmFailure('PROTOCOL_ERROR', `${where}: ${error.message}`, targetName, error)
  }
  return error
}

async function readCaFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file)
  } catch (error) {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: `WINRM_CA_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      details: { variable: 'WINRM_CA_FILE' },
    })
  }
}
