import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { BrowserSession, BrowserSessionStore } from './browser-session-store.ts'

/** Run by every BrowserSessionStore implementation. */
export interface BrowserSessionStoreContractInitializer {
  name: string
  create(clock: { now: number }): Promise<{
    store: BrowserSessionStore
    /** A second store over the same data, as after a restart. */
    reopen: () => Promise<BrowserSessionStore>
    /** Everything the backing store holds, as text (after `store` was closed). */
    storedText: () => Promise<string>
  }>
}

const HOUR = 60 * 60 * 1000

export function runBrowserSessionStoreContract(
  initializer: BrowserSessionStoreContractInitializer,
): void {
  describe(`BrowserSessionStore contract: ${initializer.name}`, () => {
    const clock = { now: Date.parse('2026-12-03T09:00:00Z') }
    let subject: Awaited<ReturnType<BrowserSessionStoreContractInitializer['create']>>
    const session = (): BrowserSession => ({
      username: 'maria.garcia',
      role: 'technician',
      csrfToken: 'csrf-token-of-maria',
      idToken: 'header.payload.signature',
      expiresAt: clock.now + 8 * HOUR,
    })
    beforeEach(async () => {
      clock.now = Date.parse('2026-12-03T09:00:00Z')
      subject = await initializer.create(clock)
    })
    afterEach(async () => {
      await subject.store.close()
    })

    it('finds a session by its id until it expires, and never by anything else', async () => {
      const id = await subject.store.create(session())
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(await subject.store.find(id)).toEqual(session())
      expect(await subject.store.create(session())).not.toBe(id)
      for (const other of ['', 'x', `${id.slice(0, -1)}A`, `${id}A`, id.toUpperCase()]) {
        if (other !== id) expect(await subject.store.find(other)).toBeUndefined()
      }
      clock.now += 8 * HOUR
      expect(await subject.store.find(id)).toBeUndefined()
    })

    it('ends a session at once on delete', async () => {
      const id = await subject.store.create(session())
      await subject.store.delete(id)
      expect(await subject.store.find(id)).toBeUndefined()
      await subject.store.delete('not-an-id')
    })

    it('hands a pending sign-in out once, expired or not', async () => {
      const pending = {
        state: 'state-1',
        nonce: 'nonce-1',
        codeVerifier: 'verifier-1',
        expiresAt: clock.now + 10 * 60 * 1000,
      }
      const id = await subject.store.savePendingSignIn(pending)
      expect(await subject.store.takePendingSignIn(id)).toEqual(pending)
      expect(await subject.store.takePendingSignIn(id)).toBeUndefined()
      const late = await subject.store.savePendingSignIn(pending)
      clock.now += 11 * 60 * 1000
      expect(await subject.store.takePendingSignIn(late)).toEqual(pending)
      expect(await subject.store.takePendingSignIn('unknown')).toBeUndefined()
    })

    it('keeps sessions across a restart, and stores no session id', async () => {
      const id = await subject.store.create(session())
      await subject.store.close()
      const reopened = await subject.reopen()
      try {
        expect(await reopened.find(id)).toEqual(session())
      } finally {
        await reopened.close()
      }
      expect(await subject.storedText()).not.toContain(id)
    })

    it('a pending sign-in taken on two connections at once goes to one of them', async () => {
      const other = await subject.reopen()
      try {
        const id = await subject.store.savePendingSignIn({
          state: 'state-2',
          nonce: 'nonce-2',
          codeVerifier: 'verifier-2',
          expiresAt: clock.now + 10 * 60 * 1000,
        })
        const taken = await Promise.all([
          subject.store.takePendingSignIn(id),
          other.takePendingSignIn(id),
        ])
        expect(taken.filter((each) => each !== undefined)).toHaveLength(1)
        // A session made through one is found through the other.
        const made = await other.create(session())
        expect(await subject.store.find(made)).toEqual(session())
      } finally {
        await other.close()
      }
    })
  })
}
