import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { newSession } from '../agent/core/session.ts'
import { loadConnector } from './connectors/connector-settings.ts'
import { maskSecrets, subjectOf, TRANSCRIPT_ENTRIES, transcriptOf } from './ticket-transcript.ts'

describe('the conversation attached to a ticket', () => {
  it.each([
    ['my password is Winter2026!', 'my password is [hidden]'],
    ['password: "hunter2x"', 'password: [hidden]'],
    ['new pin=48213 please', 'new pin=[hidden] please'],
    ['the passcode 99887766 does not work', 'the passcode [hidden] does not work'],
    [
      'curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc"',
      'curl -H "Authorization: Bearer [hidden]"',
    ],
    ['token hd_abcdefghijklmnopqrstuvwxyz0123', 'token [hidden]'],
    ['key AKIAIOSFODNN7EXAMPLE leaked', 'key [hidden] leaked'],
    [
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----',
      '[hidden]',
    ],
  ])('masks %j', (text, masked) => {
    expect(maskSecrets(text)).toBe(masked)
  })

  it('leaves ordinary IT talk alone', () => {
    for (const text of [
      'I forgot my password',
      'my password expired yesterday',
      'Outlook keeps asking for my password',
      'the printer PRN-3F-EAST is offline',
    ]) {
      expect(maskSecrets(text)).toBe(text)
    }
  })

  it('keeps the newest lines, as employee and assistant, and a one-line subject', () => {
    const session = newSession('s1', '2026-01-01T00:00:00.000Z', 'jdoe', 'jdoe')
    for (let index = 0; index < TRANSCRIPT_ENTRIES + 5; index += 1) {
      session.history.push({
        role: index % 2 === 0 ? 'user' : 'assistant',
        text: index === 0 ? 'VPN\n  drops   (password is abc123)' : `line ${index}`,
        at: `2026-01-01T00:00:${String(index).padStart(2, '0')}.000Z`,
      })
    }
    const transcript = transcriptOf(session)
    expect(transcript).toHaveLength(TRANSCRIPT_ENTRIES)
    expect(transcript.at(-1)).toMatchObject({
      role: 'employee',
      text: `line ${TRANSCRIPT_ENTRIES + 4}`,
    })
    expect(subjectOf(session)).toBe('VPN drops (password is [hidden])')
  })
})

describe('connector settings file', () => {
  it('names the file and each wrong field, and never echoes a password written in place of a reference', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'connector-')), 'tickets.yaml')
    writeFileSync(
      file,
      'kind: email\nhost: smtp.example.com\nauth: { username: helpdesk, password: Sup3rSecret }\nfrom: not-an-address\nto: []\n',
    )
    const failure = await loadConnector(file).catch((error: unknown) => error)
    expect(failure).toMatchObject({ code: 'INVALID_CONFIGURATION' })
    const message = (failure as Error).message
    expect(message).toContain(`${file}: auth.password: expected a reference`)
    expect(message).toContain(`${file}: from: expected an e-mail address`)
    expect(message).toContain(`${file}: to:`)
    expect(message).not.toContain('Sup3rSecret')
  })

  it('an unknown kind is refused by name', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'connector-')), 'tickets.yaml')
    writeFileSync(file, 'kind: zendesk\n')
    await expect(loadConnector(file)).rejects.toThrow(/kind: expected servicenow, jira or email/)
  })
})
