import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { XMLParser } from 'fast-xml-parser'
import { verifyNtlmV2Response } from '../../src/transports/winrm/ntlm-crypto.ts'
import {
  challengeMessage,
  ntlmMessageType,
  parseAuthenticateMessage,
} from '../../src/transports/winrm/ntlm-messages.ts'
import {
  ACTION,
  CMD_SHELL_URI,
  NAMESPACE,
  SIGNAL,
} from '../../src/transports/winrm/wsman-envelopes.ts'
import { answer, chunks, fault, selfSignedCertificate, stream, text } from './fake-winrm-answers.ts'

/**
 * A WinRM endpoint on 127.0.0.1 for tests: HTTPS with a certificate made at start, Basic or NTLM
 * (NTLMv2 responses checked against the password, never accepting a wrong one), every SOAP
 * message checked (action, resource URI, ShellId, CommandId, command line) and answered the way
 * Windows answers: base64 output chunks over several Receive rounds, TimedOut faults while a
 * command has nothing to say, CommandState Done with the exit code.
 */

export interface FakeCommand {
  /** One Receive answer per round; the last also reports Done with `exitCode`. */
  rounds: Array<{ stdout?: string; stderr?: string }>
  exitCode: number
  /** Never finishes: every Receive waits, then answers w:TimedOut, until a terminate signal. */
  hang?: boolean
  /** The first this many Receives find no output and answer w:TimedOut, as a slow command's do. */
  silentReceives?: number
  /** Called when a terminate signal or the shell's deletion stops the command before it is done. */
  onStop?: () => void
}

export interface FakeWinRmOptions {
  authentication: 'basic' | 'ntlm'
  /** `CORP\svc-helpdesk` (NTLM user in a domain) or `svc-helpdesk`. */
  username: string
  password: string
  run(commandLine: string, stdin: string): FakeCommand
}

export interface RecordedMessage {
  action: keyof typeof ACTION
  shellId?: string
  commandId?: string
  commandLine?: string
  signalCode?: string
}

export interface FakeWinRmEndpoint {
  port: number
  /** The endpoint's own certificate (self-signed): trust it through WINRM_CA_FILE. */
  caFile: string
  /** Another self-signed certificate that did not sign the endpoint's. */
  otherCaFile: string
  messages: RecordedMessage[]
  /** What the endpoint found wrong in a message; a test expects none. */
  violations: string[]
  failedLogins: number
  /** Successful logins: one per connection with NTLM, one per request with Basic. */
  logins: number
  close(): Promise<void>
}

interface RunningCommand {
  commandLine: string
  stdin: string
  /** Decided at the first Receive, when any stdin has arrived. */
  command?: FakeCommand
  round: number
  silentRounds: number
  terminated: boolean
  finished: boolean
}

/** A command stopped before it was done: Windows ends its process; the test hears of it. */
function stopped(running: RunningCommand): void {
  if (!running.finished && !running.terminated) running.command?.onStop?.()
  running.terminated = true
}

const NAMES = { domain: 'CORP', computer: 'WS-FAKE', dnsDomain: 'corp.example.com' }
const soapParser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  parseTagValue: false,
  htmlEntities: true,
  isArray: (name) => name === 'Option' || name === 'Stream',
})

export async function startFakeWinRmEndpoint(
  options: FakeWinRmOptions,
): Promise<FakeWinRmEndpoint> {
  const directory = mkdtempSync(path.join(tmpdir(), 'fake-winrm-'))
  const caFile = selfSignedCertificate(directory, 'endpoint')
  const otherCaFile = selfSignedCertificate(directory, 'other')
  const messages: RecordedMessage[] = []
  const violations: string[] = []
  const shells = new Map<string, Map<string, RunningCommand>>()
  const ntlm = new WeakMap<Socket, { challenge?: Buffer; authenticated?: boolean }>()
  let failedLogins = 0
  let logins = 0
  let port = 0
  const violation = (text: string) => violations.push(text)

  function authenticated(request: IncomingMessage, response: ServerResponse): boolean {
    const header = request.headers.authorization ?? ''
    if (options.authentication === 'basic') {
      const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`
      if (header === expected) {
        logins++
        return true
      }
      if (header) failedLogins++
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="WSMAN"' }).end()
      return false
    }
    const state = ntlm.get(request.socket) ?? {}
    ntlm.set(request.socket, state)
    const match = /^(Negotiate|NTLM) ([A-Za-z0-9+/=]+)$/.exec(header)
    const token = match?.[2] ? Buffer.from(match[2], 'base64') : undefined
    if (token && ntlmMessageType(token) === 1) {
      state.challenge = randomBytes(8)
      state.authenticated = false
      response
        .writeHead(401, {
          'WWW-Authenticate': `${match?.[1]} ${challengeMessage(state.challenge, NAMES).toString('base64')}`,
        })
        .end()
      return false
    }
    if (token && ntlmMessageType(token) === 3 && state.challenge) {
      const fields = parseAuthenticateMessage(token)
      const [domain, user] = options.username.includes('\\')
        ? options.username.split('\\')
        : ['', options.username]
      if (!fields.lmResponse.equals(Buffer.alloc(24)))
        violation('NTLM: LM response not zero although the challenge had a timestamp')
      const ok =
        fields.user.toUpperCase() === user?.toUpperCase() &&
        fields.domain.toUpperCase() === domain?.toUpperCase() &&
        verifyNtlmV2Response(
          fields.ntResponse,
          state.challenge,
          options.password,
          fields.user,
          fields.domain,
        )
      state.challenge = undefined
      if (ok) {
        state.authenticated = true
        logins++
        return true
      }
      failedLogins++
    } else if (state.authenticated && !header) {
      return true
    }
    response.writeHead(401, { 'WWW-Authenticate': 'Negotiate' }).end()
    return false
  }

  async function handle(request: IncomingMessage, response: ServerResponse, body: string) {
    if (!authenticated(request, response)) return
    // fast-xml-parser's result is untyped (any): read loosely, and what is missing is a violation.
    const envelope = soapParser.parse(body)?.Envelope
    const header = envelope?.Header ?? {}
    const soap = envelope?.Body ?? {}
    const actionName = (Object.keys(ACTION) as Array<keyof typeof ACTION>).find(
      (key) => ACTION[key] === text(header.Action),
    )
    if (!body.includes(`"${NAMESPACE.soap}"`) || !body.includes(`"${NAMESPACE.shell}"`))
      violation('namespaces missing')
    if (!actionName)
      return fault(response, 'a:ActionNotSupported', `unknown action ${text(header.Action)}`)
    if (text(header.ResourceURI) !== CMD_SHELL_URI)
      violation(`${actionName}: resource URI ${text(header.ResourceURI)}`)
    if (text(header.To) !== `https://127.0.0.1:${port}/wsman`)
      violation(`${actionName}: To ${text(header.To)}`)
    if (!/^uuid:[0-9A-F-]{36}$/i.test(text(header.MessageID)))
      violation(`${actionName}: MessageID ${text(header.MessageID)}`)
    const record: RecordedMessage = { action: actionName }
    messages.push(record)
    if (actionName === 'create') {
      const shell = soap.Shell ?? {}
      if (text(shell.InputStreams) !== 'stdin' || text(shell.OutputStreams) !== 'stdout stderr')
        violation('create: streams')
      const shellId = randomUUID().toUpperCase()
      shells.set(shellId, new Map())
      record.shellId = shellId
      return answer(
        response,
        'CreateResponse',
        `<x:ResourceCreated><a:Address>https://127.0.0.1:${port}/wsman</a:Address><a:ReferenceParameters><w:ResourceURI>${CMD_SHELL_URI}</w:ResourceURI><w:SelectorSet><w:Selector Name="ShellId">${shellId}</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated><rsp:Shell><rsp:ShellId>${shellId}</rsp:ShellId><rsp:ResourceUri>${CMD_SHELL_URI}</rsp:ResourceUri><rsp:Owner>${options.username}</rsp:Owner><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`,
      )
    }
    const selector = header.SelectorSet?.Selector
    const shellId = selector?.['@_Name'] === 'ShellId' ? text(selector) : ''
    record.shellId = shellId
    const commands = shells.get(shellId)
    if (!commands) {
      violation(`${actionName}: unknown ShellId ${shellId}`)
      return fault(
        response,
        'w:InvalidSelectors',
        'The WS-Management service cannot process the request because the request contained invalid selectors for the resource.',
      )
    }
    if (actionName === 'delete') {
      for (const running of commands.values()) stopped(running)
      shells.delete(shellId)
      return answer(response, 'DeleteResponse', '')
    }
    if (actionName === 'command') {
      const commandLine = text(soap.CommandLine?.Command)
      record.commandLine = commandLine
      const commandId = randomUUID().toUpperCase()
      record.commandId = commandId
      commands.set(commandId, {
        commandLine,
        stdin: '',
        round: 0,
        silentRounds: 0,
        terminated: false,
        finished: false,
      })
      return answer(
        response,
        'CommandResponse',
        `<rsp:CommandResponse><rsp:CommandId>${commandId}</rsp:CommandId></rsp:CommandResponse>`,
      )
    }
    const commandElement =
      actionName === 'receive'
        ? soap.Receive?.DesiredStream
        : actionName === 'signal'
          ? soap.Signal
          : soap.Send?.Stream?.[0]
    const commandId = commandElement?.['@_CommandId'] ?? ''
    record.commandId = commandId
    const running = commands.get(commandId)
    if (!running) {
      violation(`${actionName}: unknown CommandId ${commandId}`)
      return fault(response, 'w:InvalidSelectors', 'unknown command')
    }
    if (actionName === 'signal') {
      record.signalCode = text(soap.Signal?.Code)
      if (record.signalCode === SIGNAL.terminate) stopped(running)
      return answer(response, 'SignalResponse', '<rsp:SignalResponse/>')
    }
    if (actionName === 'send') {
      running.stdin += Buffer.from(text(commandElement), 'base64').toString('utf8')
      return answer(response, 'SendResponse', '<rsp:SendResponse/>')
    }
    if (text(commandElement) !== 'stdout stderr')
      violation(`receive: streams ${text(commandElement)}`)
    running.command ??= options.run(running.commandLine, running.stdin)
    const { command } = running
    const silent = command.hang || running.silentRounds < (command.silentReceives ?? 0)
    if (silent && !running.terminated) {
      running.silentRounds++
      // Like Windows, hold the Receive for the OperationTimeout the client asked for.
      const wait = /^PT(\d+(?:\.\d+)?)S$/.exec(text(header.OperationTimeout))
      await new Promise((resolve) => setTimeout(resolve, wait ? Number(wait[1]) * 1000 : 5000))
      return fault(
        response,
        'w:TimedOut',
        'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.',
        '2150858793',
      )
    }
    const round = command.rounds[running.round] ?? {}
    running.round++
    const last = running.terminated || running.round >= command.rounds.length
    running.finished = last
    const streams = [
      ...chunks(round.stdout).map((chunk) => stream('stdout', commandId, chunk)),
      ...chunks(round.stderr).map((chunk) => stream('stderr', commandId, chunk)),
      ...(last
        ? [stream('stdout', commandId, '', true), stream('stderr', commandId, '', true)]
        : []),
    ]
    const state = last
      ? `<rsp:CommandState CommandId="${commandId}" State="${NAMESPACE.shell}/CommandState/Done"><rsp:ExitCode>${running.terminated ? -1073741510 : command.exitCode}</rsp:ExitCode></rsp:CommandState>`
      : `<rsp:CommandState CommandId="${commandId}" State="${NAMESPACE.shell}/CommandState/Running"/>`
    return answer(
      response,
      'ReceiveResponse',
      `<rsp:ReceiveResponse>${streams.join('')}${state}</rsp:ReceiveResponse>`,
    )
  }

  const { key, cert } = {
    key: readFileSync(caFile.replace(/\.pem$/, '.key')),
    cert: readFileSync(caFile),
  }
  const server = createServer({ key, cert }, (request, response) => {
    const parts: Buffer[] = []
    request.on('data', (part: Buffer) => parts.push(part))
    request.on('end', () => {
      handle(request, response, Buffer.concat(parts).toString('utf8')).catch((error: Error) => {
        violation(`endpoint error: ${error.message}`)
        response.writeHead(500).end()
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  return {
    port,
    caFile,
    otherCaFile,
    messages,
    violations,
    get failedLogins() {
      return failedLogins
    },
    get logins() {
      return logins
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
