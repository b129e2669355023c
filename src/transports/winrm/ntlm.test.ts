import { describe, expect, it } from 'vitest'
import { md4 } from './md4.ts'
import { lmV2Response, ntlmV2Response, ntowfv2, verifyNtlmV2Response } from './ntlm-crypto.ts'
import {
  authenticateMessage,
  challengeMessage,
  NtlmMessageError,
  negotiateMessage,
  ntlmMessageType,
  parseAuthenticateMessage,
  parseChallengeMessage,
  splitAccountName,
} from './ntlm-messages.ts'

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex')

/** MS-NLMP section 4.2.1 common values and 4.2.4 (NTLMv2) results. */
const SPEC = {
  user: 'User',
  domain: 'Domain',
  password: 'Password',
  serverChallenge: hex('01 23 45 67 89 ab cd ef'),
  clientChallenge: hex('aa aa aa aa aa aa aa aa'),
  time: Buffer.alloc(8),
  /** 4.2.4.3: the CHALLENGE_MESSAGE, target info "Domain" / "Server". */
  challenge:
    hex(`4e544c4d53535000 02000000 0c000c00 38000000 33828ae2 0123456789abcdef 0000000000000000
    24002400 44000000 06007017 0000000f 53006500720076006500720002000c0044006f006d00610069006e00
    01000c0053006500720076006500720000000000`),
  responseKeyNt: hex('0c 86 8a 40 3b fd 7a 93 a3 00 1e f2 2e f0 2e 3f'),
  lmV2: hex('86 c3 50 97 ac 9c ec 10 25 54 76 4a 57 cc cc 19 aa aa aa aa aa aa aa aa'),
  ntProofString: hex('68 cd 0a b8 51 e5 1c 96 aa bc 92 7b eb ef 6a 1c'),
  sessionBaseKey: hex('8d e4 0c ca db c1 4a 82 f1 5c b0 ad 0d e9 5c a3'),
}

describe('md4', () => {
  it('matches the RFC 1320 test suite', () => {
    const suite: Array<[string, string]> = [
      ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
      ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
      ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
      ['message digest', 'd9130a8164549fe818874806e1c7014b'],
      ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
      [
        'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
        '043f8582f241db351ce627e153e7f0e4',
      ],
      ['1234567890'.repeat(8), 'e33b4ddc9c38f2199c3e7b164fcc0536'],
    ]
    for (const [input, digest] of suite)
      expect(md4(Buffer.from(input)).toString('hex')).toBe(digest)
  })
})

describe('NTLMv2 computations (MS-NLMP 4.2.4)', () => {
  it('reproduces the spec example: NTOWFv2, LMv2, NTProofStr and session base key', () => {
    const key = ntowfv2(SPEC.password, SPEC.user, SPEC.domain)
    expect(key).toEqual(SPEC.responseKeyNt)
    expect(lmV2Response(key, SPEC.serverChallenge, SPEC.clientChallenge)).toEqual(SPEC.lmV2)
    const { targetInfo } = parseChallengeMessage(SPEC.challenge)
    const response = ntlmV2Response(
      key,
      SPEC.serverChallenge,
      SPEC.clientChallenge,
      SPEC.time,
      targetInfo,
    )
    expect(response.ntProofString).toEqual(SPEC.ntProofString)
    expect(response.sessionBaseKey).toEqual(SPEC.sessionBaseKey)
  })

  it('builds the spec example AUTHENTICATE message from the spec CHALLENGE message', () => {
    const challenge = parseChallengeMessage(SPEC.challenge)
    expect(challenge.serverChallenge).toEqual(SPEC.serverChallenge)
    expect(challenge.timestamp).toBeUndefined()
    const message = authenticateMessage(
      challenge,
      { user: SPEC.user, domain: SPEC.domain, password: SPEC.password },
      { clientChallenge: SPEC.clientChallenge, time: SPEC.time },
    )
    const fields = parseAuthenticateMessage(message)
    expect(fields).toMatchObject({ user: 'User', domain: 'Domain', workstation: '' })
    // Without a server timestamp the LMv2 response is sent, as in the spec.
    expect(fields.lmResponse).toEqual(SPEC.lmV2)
    expect(fields.ntResponse.subarray(0, 16)).toEqual(SPEC.ntProofString)
    expect(
      verifyNtlmV2Response(fields.ntResponse, SPEC.serverChallenge, 'Password', 'User', 'Domain'),
    ).toBe(true)
  })
})

describe('NTLM messages', () => {
  const serverChallenge = hex('1122334455667788')
  const windowsChallenge = challengeMessage(serverChallenge, {
    domain: 'CORP',
    computer: 'WS-FIN-12',
    dnsDomain: 'corp.example.com',
  })

  it('sends a NEGOTIATE message asking for Unicode, NTLM and extended session security only', () => {
    const negotiate = negotiateMessage()
    expect(ntlmMessageType(negotiate)).toBe(1)
    const flags = negotiate.readUInt32LE(12)
    expect(flags & 0x1).toBe(0x1) // Unicode
    expect(flags & 0x80000).toBe(0x80000) // extended session security
    expect(flags & (0x10 | 0x20 | 0x40000000)).toBe(0) // no sign, seal or key exchange
  })

  it('answers a Windows challenge with a timestamp: its time in the blob, a zero LM response', () => {
    const challenge = parseChallengeMessage(windowsChallenge)
    expect(challenge.timestamp).toHaveLength(8)
    const fields = parseAuthenticateMessage(
      authenticateMessage(challenge, {
        user: 'svc-helpdesk',
        domain: 'CORP',
        password: 'Pa55w0rd!',
      }),
    )
    expect(fields.lmResponse).toEqual(Buffer.alloc(24))
    // temp = 01 01, 6 zero bytes, then the time: the server's own timestamp.
    expect(fields.ntResponse.subarray(24, 32)).toEqual(challenge.timestamp)
    expect(fields.ntResponse.subarray(16).includes(challenge.targetInfo)).toBe(true)
    const verify = (password: string, against = serverChallenge) =>
      verifyNtlmV2Response(fields.ntResponse, against, password, fields.user, fields.domain)
    expect(verify('Pa55w0rd!')).toBe(true)
    expect(verify('pa55w0rd!')).toBe(false)
    expect(verify('Pa55w0rd!', hex('1122334455667789'))).toBe(false)
  })

  it('splits DOMAIN\\user, and keeps UPNs and bare names whole with an empty domain', () => {
    expect(splitAccountName('CORP\\svc-helpdesk')).toEqual({ user: 'svc-helpdesk', domain: 'CORP' })
    expect(splitAccountName('svc@corp.example.com')).toEqual({
      user: 'svc@corp.example.com',
      domain: '',
    })
    expect(splitAccountName('Administrator')).toEqual({ user: 'Administrator', domain: '' })
  })

  it('refuses what it cannot use: non-NTLM bytes, an OEM-only server, fields outside the message', () => {
    expect(() => parseChallengeMessage(Buffer.from('not ntlm at all, not at all'))).toThrow(
      NtlmMessageError,
    )
    const oemOnly = Buffer.from(windowsChallenge)
    oemOnly.writeUInt32LE((oemOnly.readUInt32LE(20) & ~1) >>> 0, 20)
    expect(() => parseChallengeMessage(oemOnly)).toThrow(/Unicode/)
    const truncated = windowsChallenge.subarray(0, 60)
    expect(() => parseChallengeMessage(truncated)).toThrow(/outside the message/)
  })
})
