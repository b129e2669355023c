import http, { type IncomingHttpHeaders } from 'node:http'
import https from 'node:https'
import type { Socket } from 'node:net'
import type { Secret } from '../../inventory/secret.ts'
import {
  authenticateMessage,
  NtlmMessageError,
  negotiateMessage,
  parseChallengeMessage,
  splitAccountName,
} from './ntlm-messages.ts'
import { networkFailure, winRmFailure } from './winrm-failure.ts'

export interface WsManConnectionOptions {
  targetName: string
  host: string
  port: number
  scheme: 'https' | 'http'
  /** PEM CA certificate(s); when absent, Node's bundled roots. */
  ca?: Buffer
  authentication: 'ntlm' | 'basic'
  username: string
  password: Secret
  /** Longest wait for one HTTP answer (a Receive is held by the server up to its OperationTimeout). */
  requestTimeoutMs: number
}

interface HttpAnswer {
  status: number
  headers: IncomingHttpHeaders
  body: string
  socket: Socket
}

/** SOAP answers are small (MaxEnvelopeSize 153,600); anything far larger is not WinRM talking. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024

/**
 * POSTs SOAP envelopes to one WinRM endpoint (`/wsman`) over one kept-alive connection, with
 * Basic or NTLM authentication. NTLM authenticates the connection, not each request: the
 * NEGOTIATE / CHALLENGE / AUTHENTICATE exchange must happen on one socket, so the agent keeps
 * exactly one, and a later 401 (the socket was replaced) starts the exchange again.
 */
export class WsManConnection {
  private readonly options: WsManConnectionOptions
  private readonly agent: http.Agent
  private authenticatedSocket: Socket | undefined
  readonly endpoint: string

  constructor(options: WsManConnectionOptions) {
    this.options = options
    const agentOptions = { keepAlive: true, maxSockets: 1 }
    this.agent =
      options.scheme === 'https'
        ? new https.Agent({
            ...agentOptions,
            rejectUnauthorized: true,
            ...(options.ca ? { ca: options.ca } : {}),
          })
        : new http.Agent(agentOptions)
    this.endpoint = `${options.scheme}://${options.host}:${options.port}/wsman`
  }

  private get where(): string {
    return `${this.options.targetName} (${this.options.host}:${this.options.port})`
  }

  /** Sends one envelope; returns the answer's XML (a SOAP fault included, HTTP 500 carries those). */
  async post(envelope: string, signal?: AbortSignal): Promise<string> {
    if (this.options.authentication === 'basic') {
      const token = Buffer.from(
        `${this.options.username}:${this.options.password.reveal()}`,
        'utf8',
      ).toString('base64')
      return this.accept(await this.send(envelope, `Basic ${token}`, signal))
    }
    const socket = this.authenticatedSocket
    if (socket && !socket.destroyed) {
      const answer = await this.send(envelope, undefined, signal)
      if (answer.status !== 401) return this.accept(answer)
    }
    return this.accept(await this.ntlmExchange(envelope, signal))
  }

  close(): void {
    this.authenticatedSocket = undefined
    this.agent.destroy()
  }

  private async ntlmExchange(envelope: string, signal?: AbortSignal): Promise<HttpAnswer> {
    const negotiate = negotiateMessage().toString('base64')
    const challengeAnswer = await this.send('', `Negotiate ${negotiate}`, signal)
    const offered = challengeToken(challengeAnswer.headers)
    if (challengeAnswer.status !== 401 || !offered) {
      throw winRmFailure(
        'AUTHENTICATION_FAILED',
        `${this.where} did not answer with an NTLM challenge (HTTP ${challengeAnswer.status}; it offers: ${schemes(challengeAnswer.headers) || 'nothing'}); is Negotiate authentication enabled on the WinRM service?`,
        this.options.targetName,
      )
    }
    let authenticate: Buffer
    try {
      authenticate = authenticateMessage(parseChallengeMessage(offered.token), {
        ...splitAccountName(this.options.username),
        password: this.options.password.reveal(),
      })
    } catch (error) {
      if (!(error instanceof NtlmMessageError)) throw error
      throw winRmFailure(
        'PROTOCOL_ERROR',
        `${this.where}: ${error.message}`,
        this.options.targetName,
      )
    }
    const answer = await this.send(
      envelope,
      `${offered.scheme} ${authenticate.toString('base64')}`,
      signal,
    )
    if (answer.socket !== challengeAnswer.socket) {
      throw winRmFailure(
        'PROTOCOL_ERROR',
        `${this.where} closed the connection in the middle of the NTLM exchange`,
        this.options.targetName,
      )
    }
    if (answer.status !== 401) this.authenticatedSocket = answer.socket
    return answer
  }

  private accept(answer: HttpAnswer): string {
    if (answer.status === 401) {
      throw winRmFailure(
        'AUTHENTICATION_FAILED',
        `${this.where} refused the login for ${this.options.username} with ${this.options.authentication === 'ntlm' ? 'NTLM' : 'Basic'} (check the credential ${this.options.password.source} and that the account may use WinRM)`,
        this.options.targetName,
      )
    }
    const isSoap = /soap\+xml/i.test(answer.headers['content-type'] ?? '')
    if (answer.status === 200 || (answer.status === 500 && isSoap)) return answer.body
    throw winRmFailure(
      'PROTOCOL_ERROR',
      `${this.where} answered HTTP ${answer.status}${answer.body ? `: ${answer.body.slice(0, 200)}` : ''}`,
      this.options.targetName,
    )
  }

  private send(body: string, authorization: string | undefined, signal?: AbortSignal) {
    const module = this.options.scheme === 'https' ? https : http
    return new Promise<HttpAnswer>((resolve, reject) => {
      const request = module.request({
        host: this.options.host,
        port: this.options.port,
        path: '/wsman',
        method: 'POST',
        agent: this.agent,
        timeout: this.options.requestTimeoutMs,
        ...(signal ? { signal } : {}),
        headers: {
          'Content-Type': 'application/soap+xml;charset=UTF-8',
          'Content-Length': Buffer.byteLength(body),
          'User-Agent': 'helpdesk-agent WinRM client',
          ...(authorization ? { Authorization: authorization } : {}),
        },
      })
      request.on('timeout', () => {
        request.destroy(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' }))
      })
      request.on('error', (error: NodeJS.ErrnoException) => {
        // An abort is the caller's own doing: hand it back as it is.
        if (error.name === 'AbortError') reject(error)
        else reject(networkFailure(error, this.where, this.options.targetName))
      })
      request.on('response', (response) => {
        // Taken now: once the answer has been read, a kept-alive socket is detached from it.
        const socket = response.socket
        const chunks: Buffer[] = []
        let size = 0
        response.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_ANSWER_BYTES) {
            request.destroy(new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`))
            return
          }
          chunks.push(chunk)
        })
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            socket,
          })
        })
        response.on('error', (error) =>
          reject(networkFailure(error, this.where, this.options.targetName)),
        )
      })
      request.end(body)
    })
  }
}

/** The NTLM token of a `WWW-Authenticate: Negotiate <base64>` (or `NTLM <base64>`) header. */
function challengeToken(
  headers: IncomingHttpHeaders,
): { scheme: string; token: Buffer } | undefined {
  for (const value of authenticateHeaders(headers)) {
    const match = /^(Negotiate|NTLM)\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value.trim())
    if (match?.[1] && match[2]) return { scheme: match[1], token: Buffer.from(match[2], 'base64') }
  }
  return undefined
}

function schemes(headers: IncomingHttpHeaders): string {
  return authenticateHeaders(headers)
    .map((value) => value.trim().split(/\s+/)[0])
    .join(', ')
}

function authenticateHeaders(headers: IncomingHttpHeaders): string[] {
  const value = headers['www-authenticate']
  // Node joins repeated WWW-Authenticate headers with ", "; split before each scheme name.
  const joined = Array.isArray(value) ? value.join(', ') : (value ?? '')
  return joined.split(/,\s*(?=(?:Negotiate|NTLM|Basic|Kerberos|CredSSP)\b)/i).filter(Boolean)
}
