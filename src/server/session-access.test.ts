import { describe, expect, it } from 'vitest'
import type { Session } from '../agent/core/session.ts'
import { maySeeSession } from './session-access.ts'

describe('maySeeSession', () => {
  const session = { id: 's-1', owner: 'jdoe' } as unknown as Session
  it('lets the owner in whatever the case of the name, and no one else but an admin', () => {
    for (const username of ['jdoe', 'JDoe']) {
      expect(maySeeSession({ username, role: 'requester', signedIn: true }, session)).toBe(true)
    }
    expect(maySeeSession({ username: 'maria', role: 'technician', signedIn: true }, session)).toBe(
      false,
    )
    expect(maySeeSession({ username: 'boss', role: 'admin', signedIn: true }, session)).toBe(true)
    const unowned = { id: 's-2' } as unknown as Session
    expect(maySeeSession({ username: 'jdoe', role: 'requester', signedIn: true }, unowned)).toBe(
      false,
    )
  })
})
