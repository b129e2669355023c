import { describe, expect, it } from 'vitest'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import { continuedText, continuesTheLastMessage, namesAnotherSubject } from './continuation.ts'
import type { Session } from './session.ts'

function session(texts: string[], extra: Partial<Session> = {}): Session {
  return {
    id: 's1',
    history: texts.map((text) => ({ role: 'user' as const, text, at: '2026-01-01T00:00:00Z' })),
    known: {},
    queue: [],
    lastTasks: ['shared_drive_access'],
    ...extra,
  } as Session
}

describe('a message that only continues the last one', () => {
  it('has no subject of its own: a verb of what the thing shows, maybe after "and" or "it"', () => {
    for (const message of [
      'and says disconnected',
      'and it says disconnected in explorer',
      'it shows caa70004',
      'says access denied',
      'keeps crashing',
      'also it still gives error 809',
      'and it drops every 10 minutes',
      'it crashed again',
      "they won't open",
    ])
      expect(continuesTheLastMessage(message), message).toBe(true)
    for (const message of [
      'and my vpn is down too',
      'teams says caa70004',
      'LT-0423',
      'and also kwong needs the same',
      'it says disconnected and also my printer is broken and the vpn will not connect at all today',
    ])
      expect(continuesTheLastMessage(message), message).toBe(false)
  })

  it('is routed with the message before it, only while the conversation is on a task', () => {
    const said = ['my mapped drive is gone', 'and it says disconnected in explorer']
    expect(continuedText(session(said), said[1] ?? '')).toBe(
      'my mapped drive is gone, and it says disconnected in explorer',
    )
    expect(continuedText(session(said, { lastTasks: [] }), said[1] ?? '')).toBeUndefined()
    expect(continuedText(session(['and says disconnected']), 'and says disconnected')).toBe(
      undefined,
    )
    expect(continuedText(session(said), 'my printer jams')).toBeUndefined()
  })
})

describe('a continuation that names a subject of its own', () => {
  const runbook = (id: string, title: string, summary: string, keywords: string[]) =>
    ({ id, title, summary, keywords }) as unknown as Instruction
  const wifi = runbook('wifi', 'Fix Wi-Fi that will not connect or drops', 'No internet.', ['wifi'])
  const drive = runbook('drive', 'Bring back a missing or disconnected mapped drive', 'Shares.', [
    'mapped drive',
  ])
  const teams = runbook('teams', 'Microsoft Teams will not sign in', 'Sign-in loops.', ['teams'])
  const outlook = runbook('outlook', 'Outlook has stopped syncing (Disconnected)', 'Mail.', ['ost'])

  it("is a word of the other runbook's title that the current runbook never uses", () => {
    expect(namesAnotherSubject('also it shows teams offline', teams, wifi)).toBe(true)
    expect(namesAnotherSubject('and it says disconnected in explorer', outlook, drive)).toBe(false)
    expect(namesAnotherSubject('and says disconnected', drive, drive)).toBe(false)
  })
})
