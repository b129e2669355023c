import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ReplyFeedback, ReplyFeedbackStore } from './reply-feedback.ts'

/** Run by every ReplyFeedbackStore implementation. */
export interface ReplyFeedbackContractInitializer {
  name: string
  create(): Promise<{ store: ReplyFeedbackStore; reopen: () => Promise<ReplyFeedbackStore> }>
}

function rating(overrides: Partial<ReplyFeedback> = {}): ReplyFeedback {
  return {
    sessionId: 's-1',
    reply: 1,
    owner: 'jdoe',
    rating: 'up',
    taskTypes: ['password_reset'],
    at: '2026-03-02T10:00:00.000Z',
    ...overrides,
  }
}

export function runReplyFeedbackContract(initializer: ReplyFeedbackContractInitializer): void {
  describe(`ReplyFeedbackStore contract: ${initializer.name}`, () => {
    let subject: Awaited<ReturnType<ReplyFeedbackContractInitializer['create']>>
    let store: ReplyFeedbackStore
    beforeEach(async () => {
      subject = await initializer.create()
      store = subject.store
    })
    afterEach(async () => {
      await store.close()
    })

    it('keeps one rating per reply: rating again replaces it, time and all', async () => {
      await store.rate(rating())
      await store.rate(rating({ reply: 3, rating: 'down', taskTypes: [] }))
      await store.rate(rating({ rating: 'down', at: '2026-03-02T11:00:00.000Z' }))
      expect(await store.forSession('s-1')).toEqual([
        rating({ rating: 'down', at: '2026-03-02T11:00:00.000Z' }),
        rating({ reply: 3, rating: 'down', taskTypes: [] }),
      ])
      expect(await store.forSession('s-2')).toEqual([])
    })

    it('withdraws a rating and says whether there was one', async () => {
      await store.rate(rating())
      expect(await store.withdraw('s-1', 1)).toBe(true)
      expect(await store.withdraw('s-1', 1)).toBe(false)
      expect(await store.forSession('s-1')).toEqual([])
    })

    it('lists the ratings of a time range, start included and end excluded, oldest first', async () => {
      await store.rate(rating({ sessionId: 'b', at: '2026-03-03T00:00:00.000Z' }))
      await store.rate(rating({ sessionId: 'a', at: '2026-03-01T23:59:59.999Z' }))
      await store.rate(rating({ sessionId: 'c', at: '2026-03-02T00:00:00.000Z' }))
      await store.rate(rating({ sessionId: 'd', at: '2026-03-02T12:00:00.000Z', rating: 'down' }))
      const listed = await store.listBetween({
        from: '2026-03-02T00:00:00.000Z',
        to: '2026-03-03T00:00:00.000Z',
      })
      expect(listed.map((each) => [each.sessionId, each.rating])).toEqual([
        ['c', 'up'],
        ['d', 'down'],
      ])
    })

    it('keeps the ratings across a reopen', async () => {
      await store.rate(rating({ taskTypes: ['vpn_not_connecting', 'printer_not_working'] }))
      await store.close()
      store = await subject.reopen()
      expect(await store.forSession('s-1')).toEqual([
        rating({ taskTypes: ['vpn_not_connecting', 'printer_not_working'] }),
      ])
    })
  })
}
