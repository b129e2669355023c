import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isHelpdeskError } from '../errors/index.ts'
import { ACCESS_TOKEN_PATTERN, hashAccessToken } from './access-token.ts'
import type { UserStore } from './user-store.ts'

/** Run by every UserStore implementation. */
export interface UserStoreContractInitializer {
  name: string
  create(): Promise<{
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
  })
}
