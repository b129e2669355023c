import { randomBytes } from 'node:crypto'
import { fileTimeNow, lmV2Response, ntlmV2Response, ntowfv2 } from './ntlm-crypto.ts'

/**
 * The three NTLM messages of MS-NLMP section 2.2.1 (NEGOTIATE, CHALLENGE, AUTHENTICATE), enough
 * for HTTP authentication over TLS: no signing or sealing is negotiated, because TLS already
 * protects the messages (NTLM sealing is only needed for WinRM over plain HTTP).
 * @module
 */

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1')

export const NTLM_FLAG = {
  UNICODE: 0x0000_0001,
  REQUEST_TARGET: 0x0000_0004,
  NTLM: 0x0000_0200,
  ALWAYS_SIGN: 0x0000_8000,
  TARGET_TYPE_DOMAIN: 0x0001_0000,
  EXTENDED_SESSION_SECURITY: 0x0008_0000,
  TARGET_INFO: 0x0080_0000,
  VERSION: 0x0200_0000,
  KEY_128: 0x2000_0000,
  KEY_56: 0x8000_0000,
} as const

const CLIENT_FLAGS =
  NTLM_FLAG.UNICODE |
  NTLM_FLAG.REQUEST_TARGET |
  NTLM_FLAG.NTLM |
  NTLM_FLAG.ALWAYS_SIGN |
  NTLM_FLAG.EXTENDED_SESSION_SECURITY |
  NTLM_FLAG.KEY_128 |
  NTLM_FLAG.KEY_56

/** AV pair ids (MS-NLMP 2.2.2.1). */
const AV_EOL = 0
const AV_NB_COMPUTER_NAME = 1
const AV_NB_DOMAIN_NAME = 2
const AV_DNS_COMPUTER_NAME = 3
const AV_DNS_DOMAIN_NAME = 4
const AV_TIMESTAMP = 7

export class NtlmMessageError extends Error {}

export function negotiateMessage(): Buffer {
  const message = Buffer.alloc(32)
  SIGNATURE.copy(message, 0)
  message.writeUInt32LE(1, 8)
  message.writeUInt32LE(CLIENT_FLAGS >>> 0, 12)
  // Domain and workstation fields stay empty (offset 32, length 0): nothing about us is sent.
  message.writeUInt32LE(32, 20)
  message.writeUInt32LE(32, 28)
  return message
}

export interface NtlmChallenge {
  flags: number
  serverChallenge: Buffer
  /** The AV pairs, MsvAvEOL included, exactly as received. */
  targetInfo: Buffer
  /** MsvAvTimestamp, when the server sent one. */
  timestamp?: Buffer
}

export function parseChallengeMessage(message: Buffer): NtlmChallenge {
  checkHeader(message, 2, 48)
  const flags = message.readUInt32LE(20)
  if (!(flags & NTLM_FLAG.UNICODE)) {
    throw new NtlmMessageError('the server does not offer Unicode NTLM')
  }
  const targetInfo = field(message, 40)
  const challenge: NtlmChallenge = {
    flags,
    serverChallenge: Buffer.from(message.subarray(24, 32)),
    targetInfo,
  }
  const timestamp = avPairs(targetInfo).get(AV_TIMESTAMP)
  if (timestamp) challenge.timestamp = timestamp
  return challenge
}

export interface NtlmAccount {
  user: string
  domain: string
  password: string
}

/** `CORP\jdoe` -> jdoe in CORP; `jdoe@corp.example.com` (a UPN) and `jdoe` keep an empty domain. */
export function splitAccountName(username: string): { user: string; domain: string } {
  const slash = username.indexOf('\\')
  if (slash > 0) return { user: username.slice(slash + 1), domain: username.slice(0, slash) }
  return { user: username, domain: '' }
}

export interface AuthenticateOptions {
  /** Fixed values for tests; random and now otherwise. */
  clientChallenge?: Buffer
  time?: Buffer
}

export function authenticateMessage(
  challenge: NtlmChallenge,
  account: NtlmAccount,
  options: AuthenticateOptions = {},
): Buffer {
  const clientChallenge = options.clientChallenge ?? randomBytes(8)
  // With a server timestamp the client uses it, and sends a zero LM response (MS-NLMP 3.1.5.1.2).
  const time = challenge.timestamp ?? options.time ?? fileTimeNow()
  const key = ntowfv2(account.password, account.user, account.domain)
  const { ntChallengeResponse } = ntlmV2Response(
    key,
    challenge.serverChallenge,
    clientChallenge,
    time,
    challenge.targetInfo,
  )
  const lmResponse = challenge.timestamp
    ? Buffer.alloc(24)
    : lmV2Response(key, challenge.serverChallenge, clientChallenge)
  const payload = [
    lmResponse,
    ntChallengeResponse,
    Buffer.from(account.domain, 'utf16le'),
    Buffer.from(account.user, 'utf16le'),
    Buffer.alloc(0), // workstation
    Buffer.alloc(0), // encrypted random session key: no key exchange
  ]
  const header = Buffer.alloc(64)
  SIGNATURE.copy(header, 0)
  header.writeUInt32LE(3, 8)
  let offset = header.length
  payload.forEach((part, index) => {
    const at = 12 + index * 8
    header.writeUInt16LE(part.length, at)
    header.writeUInt16LE(part.length, at + 2)
    header.writeUInt32LE(offset, at + 4)
    offset += part.length
  })
  header.writeUInt32LE((challenge.flags & CLIENT_FLAGS) >>> 0, 60)
  return Buffer.concat([header, ...payload])
}

export interface AuthenticateFields {
  flags: number
  lmResponse: Buffer
  ntResponse: Buffer
  domain: string
  user: string
  workstation: string
}

/**
 * A CHALLENGE message shaped like a Windows server's (target info with NetBIOS and DNS names and a
 * timestamp, version 10.0.17763). The client never sends one; the test endpoint does.
 */
export function challengeMessage(
  serverChallenge: Buffer,
  names: { domain: string; computer: string; dnsDomain: string },
  time: Buffer = fileTimeNow(),
): Buffer {
  const pair = (id: number, value: Buffer) => {
    const head = Buffer.alloc(4)
    head.writeUInt16LE(id, 0)
    head.writeUInt16LE(value.length, 2)
    return Buffer.concat([head, value])
  }
  const unicode = (value: string) => Buffer.from(value, 'utf16le')
  const targetName = unicode(names.domain)
  const targetInfo = Buffer.concat([
    pair(AV_NB_DOMAIN_NAME, unicode(names.domain)),
    pair(AV_NB_COMPUTER_NAME, unicode(names.computer)),
    pair(AV_DNS_DOMAIN_NAME, unicode(names.dnsDomain)),
    pair(AV_DNS_COMPUTER_NAME, unicode(`${names.computer}.${names.dnsDomain}`.toLowerCase())),
    pair(AV_TIMESTAMP, time),
    pair(AV_EOL, Buffer.alloc(0)),
  ])
  const header = Buffer.alloc(56)
  SIGNATURE.copy(header, 0)
  header.writeUInt32LE(2, 8)
  header.writeUInt16LE(targetName.length, 12)
  header.writeUInt16LE(targetName.length, 14)
  header.writeUInt32LE(header.length, 16)
  const flags =
    CLIENT_FLAGS | NTLM_FLAG.TARGET_INFO | NTLM_FLAG.TARGET_TYPE_DOMAIN | NTLM_FLAG.VERSION
  header.writeUInt32LE(flags >>> 0, 20)
  serverChallenge.copy(header, 24)
  header.writeUInt16LE(targetInfo.length, 40)
  header.writeUInt16LE(targetInfo.length, 42)
  header.writeUInt32LE(header.length + targetName.length, 44)
  Buffer.from([10, 0, 0x63, 0x45, 0, 0, 0, 15]).copy(header, 48)
  return Buffer.concat([header, targetName, targetInfo])
}

/** Reads an AUTHENTICATE message: what a server (the test endpoint) needs to check it. */
export function parseAuthenticateMessage(message: Buffer): AuthenticateFields {
  checkHeader(message, 3, 64)
  return {
    lmResponse: field(message, 12),
    ntResponse: field(message, 20),
    domain: field(message, 28).toString('utf16le'),
    user: field(message, 36).toString('utf16le'),
    workstation: field(message, 44).toString('utf16le'),
    flags: message.readUInt32LE(60),
  }
}

/** Message type 1, 2 or 3, or undefined for anything that is not an NTLM message. */
export function ntlmMessageType(message: Buffer): number | undefined {
  if (message.length < 12 || !message.subarray(0, 8).equals(SIGNATURE)) return undefined
  return message.readUInt32LE(8)
}

function checkHeader(message: Buffer, type: number, minimumLength: number): void {
  if (message.length < minimumLength || ntlmMessageType(message) !== type) {
    throw new NtlmMessageError(`not an NTLM type ${type} message`)
  }
}

/** A security buffer: 2-byte length, 2-byte maximum length, 4-byte offset into the message. */
function field(message: Buffer, at: number): Buffer {
  const length = message.readUInt16LE(at)
  const offset = message.readUInt32LE(at + 4)
  if (length === 0) return Buffer.alloc(0)
  if (offset + length > message.length) {
    throw new NtlmMessageError('an NTLM message field points outside the message')
  }
  return Buffer.from(message.subarray(offset, offset + length))
}

function avPairs(targetInfo: Buffer): Map<number, Buffer> {
  const pairs = new Map<number, Buffer>()
  let at = 0
  while (at + 4 <= targetInfo.length) {
    const id = targetInfo.readUInt16LE(at)
    const length = targetInfo.readUInt16LE(at + 2)
    if (id === AV_EOL) break
    if (at + 4 + length > targetInfo.length) {
      throw new NtlmMessageError('an NTLM AV pair runs past the target information')
    }
    pairs.set(id, Buffer.from(targetInfo.subarray(at + 4, at + 4 + length)))
    at += 4 + length
  }
  return pairs
}
