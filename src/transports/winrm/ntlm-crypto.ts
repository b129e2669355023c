import { createHmac } from 'node:crypto'
import { md4 } from './md4.ts'

/**
 * The NTLMv2 computations of MS-NLMP section 3.3.2, with node:crypto's HMAC-MD5 and the MD4 in
 * md4.ts. Only NTLMv2: there is deliberately no NTLMv1 or LM code here, so nothing can fall back to
 * them. Known-answer tests against the spec's section 4.2.4 values are in ntlm.test.ts.
 * @module
 */

const hmacMd5 = (key: Uint8Array, ...parts: Uint8Array[]) => {
  const hmac = createHmac('md5', key)
  for (const part of parts) hmac.update(part)
  return hmac.digest()
}

const unicode = (text: string) => Buffer.from(text, 'utf16le')

/** NTOWFv2: HMAC-MD5 keyed with the NT hash over UNICODE(Uppercase(User) + UserDom). */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  return hmacMd5(md4(unicode(password)), unicode(user.toUpperCase() + domain))
}

export interface NtlmV2Response {
  /** NTProofStr followed by the `temp` blob: the NtChallengeResponse field. */
  ntChallengeResponse: Buffer
  ntProofString: Buffer
  sessionBaseKey: Buffer
}

/**
 * `temp` = 0x01 0x01, 6 zero bytes, the 8-byte FILETIME, the client challenge, 4 zero bytes, the
 * AV pairs (ending with MsvAvEOL), 4 zero bytes; NTProofStr = HMAC-MD5(key, serverChallenge + temp).
 */
export function ntlmV2Response(
  responseKey: Buffer,
  serverChallenge: Buffer,
  clientChallenge: Buffer,
  time: Buffer,
  targetInfo: Buffer,
): NtlmV2Response {
  const temp = Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
    time,
    clientChallenge,
    Buffer.alloc(4),
    targetInfo,
    Buffer.alloc(4),
  ])
  const ntProofString = hmacMd5(responseKey, serverChallenge, temp)
  return {
    ntChallengeResponse: Buffer.concat([ntProofString, temp]),
    ntProofString,
    sessionBaseKey: hmacMd5(responseKey, ntProofString),
  }
}

/** LMv2: HMAC-MD5(key, serverChallenge + clientChallenge) followed by the client challenge. */
export function lmV2Response(
  responseKey: Buffer,
  serverChallenge: Buffer,
  clientChallenge: Buffer,
): Buffer {
  return Buffer.concat([hmacMd5(responseKey, serverChallenge, clientChallenge), clientChallenge])
}

/**
 * Recomputes NTProofStr from a received NtChallengeResponse and a known password: how a server
 * (here the test endpoint) checks a login without ever seeing the password.
 */
export function verifyNtlmV2Response(
  ntChallengeResponse: Buffer,
  serverChallenge: Buffer,
  password: string,
  user: string,
  domain: string,
): boolean {
  if (ntChallengeResponse.length < 16 + 28) return false
  const proof = ntChallengeResponse.subarray(0, 16)
  const temp = ntChallengeResponse.subarray(16)
  const expected = hmacMd5(ntowfv2(password, user, domain), serverChallenge, temp)
  return expected.equals(proof)
}

/** Now as a Windows FILETIME: 100 ns ticks since 1601-01-01, 8 bytes little-endian. */
export function fileTimeNow(now = Date.now()): Buffer {
  const time = Buffer.alloc(8)
  time.writeBigUInt64LE((BigInt(now) + 11_644_473_600_000n) * 10_000n)
  return time
}
