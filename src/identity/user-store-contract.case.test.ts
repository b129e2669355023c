import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isHelpdeskError } from '../errors/index.ts'
import {
  ACCESS_TOKEN_PATTERN,
  createAccessToken,
  hashAccessToken,
  TOKEN_ID_PATTERN,
} from './access-token.ts'
import type { TokenInfo, UserStore } from './user-store.ts'

/** Run by every UserStore implementation. */
export interface UserStoreContractInitializer {
  name: string
  /**
   * A new, empty store. `now` is its clock (tokens expire by it); `tokenLifetimeDays` how long a
   * new token lasts (the implementation's default when absent).
   */
  create(options?: { now?: () => Date; tokenLifetimeDays?: number }): Promise<{
    store: UserStore
    /** A second store over the same data, as after a restart. */
    reopen: () => Promise<UserStore>
    /** Everything the backing store holds, as text (after `store` was closed). */
    storedText: () => Promise<string>
  }>
}

async function errorCodeOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work
  } catch (error) {
    return isHelpdeskError(error) ? error.code : `not a HelpdeskError: ${String(error)}`
  }
  return undefined
}

export function runUserStoreContract(initializer: UserStoreContractInitializer): void {
  describe(`UserStore contract: ${initializer.name}`, () => {
    let subject: Awaited<ReturnType<UserStoreContractInitializer['create']>>
    beforeEach(async () => {
      subject = await initializer.create()
    })
    afterEach(async () => {
      await subject.store.close()
    })

    it('adds a user, returns an hd_ token once, and finds the user by it', async () => {
      const added = await subject.store.add('maria.garcia', 'requester')
      expect(added.user).toMatchObject({ username: 'maria.garcia', role: 'requester' })
      expect(added.user.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/)
      expect(added.token).toMatch(ACCESS_TOKEN_PATTERN)
      expect(await subject.store.findByToken(added.token)).toEqual(added.user)
      const other = await subject.store.add('tech_1', 'technician')
      expect(other.token).not.toBe(added.token)
      expect((await subject.store.findByToken(other.token))?.username).toBe('tech_1')
    })

    it('finds no one for an unknown, altered, malformed or empty token', async () => {
      const { token } = await subject.store.add('jdoe', 'requester')
      const last = token.at(-1) === 'A' ? 'B' : 'A'
      for (const wrong of [
        `${token.slice(0, -1)}${last}`,
        `hd_${'A'.repeat(43)}`,
        token.slice(3),
        `${token} `,
        `Bearer ${token}`,
        hashAccessToken(token),
        '',
      ]) {
        expect(await subject.store.findByToken(wrong), wrong).toBeUndefined()
      }
    })

    it.each([
      'not a user',
      '',
      '-jdoe',
      'jdoe;rm',
      "o'brien",
      'x'.repeat(65),
      'jdoe\n',
      'anonymous',
      'Anonymous',
    ])('refuses the username %j', async (username) => {
      expect(await errorCodeOf(subject.store.add(username, 'requester'))).toBe('INVALID_INPUT')
      expect(await subject.store.list()).toEqual([])
    })

    it('refuses an unknown role, naming the valid ones', async () => {
      // @ts-expect-error: a role from outside the type, as a CLI argument could bring
      const refused = subject.store.add('jdoe', 'root')
      await expect(refused).rejects.toThrow(/requester, technician, admin/)
      expect(await subject.store.list()).toEqual([])
    })

    it('keeps usernames unique: a second add fails and the first token still works', async () => {
      const first = await subject.store.add('jdoe', 'requester')
      expect(await errorCodeOf(subject.store.add('jdoe', 'admin'))).toBe('USER_EXISTS')
      expect(await subject.store.findByToken(first.token)).toMatchObject({ role: 'requester' })
      expect(await subject.store.list()).toHaveLength(1)
    })

    it('lists users in the order they were added', async () => {
      await subject.store.add('zed', 'admin')
      await subject.store.add('anna', 'requester')
      await subject.store.add('mike', 'technician')
      expect((await subject.store.list()).map((user) => `${user.username}:${user.role}`)).toEqual([
        'zed:admin',
        'anna:requester',
        'mike:technician',
      ])
    })

    it('stores only the SHA-256 of a token, never the token', async () => {
      const { token } = await subject.store.add('jdoe', 'admin')
      await subject.store.close()
      const stored = await subject.storedText()
      expect(stored).toContain('jdoe')
      expect(stored).toContain(hashAccessToken(token))
      expect(stored).not.toContain(token)
      expect(stored).not.toContain(token.slice(3))
    })

    it('keeps users and tokens across a reopen', async () => {
      const { token } = await subject.store.add('jdoe', 'technician')
      await subject.store.close()
      const reopened = await subject.reopen()
      try {
        expect(await reopened.findByToken(token)).toMatchObject({
          username: 'jdoe',
          role: 'technician',
        })
      } finally {
        await reopened.close()
      }
    })

    it('keeps usernames unique without regard to case, and finds a user by any case', async () => {
      const alice = await subject.store.add('alice', 'requester')
      for (const other of ['ALICE', 'Alice', 'aLiCe']) {
        expect(await errorCodeOf(subject.store.add(other, 'admin')), other).toBe('USER_EXISTS')
      }
      expect(await subject.store.list()).toEqual([alice.user])
      expect(await subject.store.findByUsername('ALICE')).toEqual(alice.user)
      expect(await subject.store.findByUsername('bob')).toBeUndefined()
      // The name keeps the case it was added with.
      const mixed = await subject.store.add('Maria.Garcia', 'requester')
      expect((await subject.store.findByToken(mixed.token))?.username).toBe('Maria.Garcia')
      expect(await errorCodeOf(subject.store.add('maria.garcia', 'requester'))).toBe('USER_EXISTS')
    })

    it('gives each token an id, a creation and an expiry, and never lists the token or its hash', async () => {
      const added = await subject.store.add('jdoe', 'requester')
      expect(added.tokenInfo.id).toMatch(TOKEN_ID_PATTERN)
      expect(added.tokenInfo).toMatchObject({ username: 'jdoe', createdAt: added.user.createdAt })
      expect(Date.parse(added.tokenInfo.expiresAt)).toBeGreaterThan(
        Date.parse(added.user.createdAt),
      )
      const listed = await subject.store.listTokens('JDOE')
      expect(listed).toEqual([added.tokenInfo])
      await subject.store.add('maria', 'admin')
      const all = await subject.store.listTokens()
      expect(all.map((token) => token.username)).toEqual(['jdoe', 'maria'])
      const text = JSON.stringify(all)
      expect(text).not.toContain(added.token)
      expect(text).not.toContain(hashAccessToken(added.token))
      expect(await errorCodeOf(subject.store.listTokens('nobody'))).toBe('USER_NOT_FOUND')
    })

    it('refuses a token once it has expired, saying so', async () => {
      let now = new Date('2026-01-01T00:00:00.000Z')
      await subject.store.close()
      subject = await initializer.create({ now: () => now, tokenLifetimeDays: 30 })
      const added = await subject.store.add('jdoe', 'requester')
      expect(added.tokenInfo.expiresAt).toBe('2026-01-31T00:00:00.000Z')
      now = new Date('2026-01-30T23:59:59.000Z')
      expect(await subject.store.checkToken(added.token)).toMatchObject({
        status: 'valid',
        user: { username: 'jdoe' },
        tokenId: added.tokenInfo.id,
      })
      now = new Date('2026-01-31T00:00:00.000Z')
      expect(await subject.store.checkToken(added.token)).toEqual({
        status: 'expired',
        expiresAt: '2026-01-31T00:00:00.000Z',
      })
      expect(await subject.store.findByToken(added.token)).toBeUndefined()
    })

    it('notes when a token was last used', async () => {
      const now = new Date('2026-02-01T10:00:00.000Z')
      await subject.store.close()
      subject = await initializer.create({ now: () => now })
      const added = await subject.store.add('jdoe', 'requester')
      expect((await subject.store.listTokens('jdoe'))[0]?.lastUsedAt).toBeUndefined()
      await subject.store.findByToken(added.token)
      expect((await subject.store.listTokens('jdoe'))[0]?.lastUsedAt).toBe(now.toISOString())
    })

    it('revokes one token or all of a user, and a revoked token says so', async () => {
      const first = await subject.store.add('jdoe', 'requester')
      const second = await subject.store.rotate('jdoe')
      const third = await subject.store.add('maria', 'requester')
      // rotate revoked the first; revoking it again changes nothing.
      expect(await subject.store.revoke('jdoe', first.tokenInfo.id)).toEqual([])
      expect(await subject.store.checkToken(first.token)).toMatchObject({ status: 'revoked' })
      const revoked = await subject.store.revoke('JDoe', second.tokenInfo.id)
      expect(revoked.map((token) => token.id)).toEqual([second.tokenInfo.id])
      expect(revoked[0]?.revokedAt).toMatch(/^\d{4}-/)
      const check = await subject.store.checkToken(second.token)
      expect(check).toEqual({ status: 'revoked', revokedAt: revoked[0]?.revokedAt })
      expect(await subject.store.findByToken(second.token)).toBeUndefined()
      // Another user's token is untouched, and cannot be revoked through jdoe.
      expect(await errorCodeOf(subject.store.revoke('jdoe', third.tokenInfo.id))).toBe(
        'TOKEN_NOT_FOUND',
      )
      expect(await errorCodeOf(subject.store.revoke('nobody'))).toBe('USER_NOT_FOUND')
      expect(await subject.store.findByToken(third.token)).toMatchObject({ username: 'maria' })
      const listed = await subject.store.listTokens('jdoe')
      expect(listed.every((token: TokenInfo) => token.revokedAt !== undefined)).toBe(true)
      // The user stays; only the tokens are gone.
      expect(await subject.store.findByUsername('jdoe')).toMatchObject({ role: 'requester' })
    })

    it('revokes every token of a user at once', async () => {
      const first = await subject.store.add('jdoe', 'technician')
      const kept = await subject.store.add('maria', 'requester')
      const revoked = await subject.store.revoke('jdoe')
      expect(revoked.map((token) => token.id)).toEqual([first.tokenInfo.id])
      expect(await subject.store.checkToken(first.token)).toMatchObject({ status: 'revoked' })
      expect(await subject.store.findByToken(kept.token)).toMatchObject({ username: 'maria' })
    })

    it('rotates: a new token works, every older one is revoked', async () => {
      const first = await subject.store.add('jdoe', 'technician')
      const rotated = await subject.store.rotate('JDOE')
      expect(rotated.token).toMatch(ACCESS_TOKEN_PATTERN)
      expect(rotated.token).not.toBe(first.token)
      expect(rotated.user).toEqual(first.user)
      expect(rotated.revoked.map((token) => token.id)).toEqual([first.tokenInfo.id])
      expect(await subject.store.findByToken(rotated.token)).toEqual(first.user)
      expect(await subject.store.checkToken(first.token)).toMatchObject({ status: 'revoked' })
      expect((await subject.store.listTokens('jdoe')).map((token) => token.id)).toEqual([
        first.tokenInfo.id,
        rotated.tokenInfo.id,
      ])
      expect(await errorCodeOf(subject.store.rotate('nobody'))).toBe('USER_NOT_FOUND')
    })

    it('takes a token the operator generated, once, and refuses a malformed one', async () => {
      const given = createAccessToken()
      const added = await subject.store.add('admin', 'admin', { token: given })
      expect(added.token).toBe(given)
      expect(await subject.store.findByToken(given)).toMatchObject({ username: 'admin' })
      expect(await errorCodeOf(subject.store.add('other', 'admin', { token: given }))).toBe(
        'INVALID_INPUT',
      )
      for (const wrong of ['', 'hd_short', `${given}x`, `Bearer ${given}`]) {
        expect(await errorCodeOf(subject.store.add('bad', 'admin', { token: wrong })), wrong).toBe(
          'INVALID_INPUT',
        )
      }
      expect((await subject.store.list()).map((user) => user.username)).toEqual(['admin'])
    })

    it('keeps revocations across a reopen', async () => {
      const first = await subject.store.add('jdoe', 'technician')
      const rotated = await subject.store.rotate('jdoe')
      await subject.store.close()
      const reopened = await subject.reopen()
      try {
        expect(await reopened.checkToken(first.token)).toMatchObject({ status: 'revoked' })
        expect(await reopened.findByToken(rotated.token)).toMatchObject({ username: 'jdoe' })
      } finally {
        await reopened.close()
      }
    })
  })
}
