import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ConversationArchive, Session, SessionStore } from './session.ts'

/** Run by every SessionStore implementation. */
export interface SessionStoreContractInitializer {
  name: string
  /** `now` is the store's clock; each call is one second after the last. */
  create(now: () => Date): Promise<{
    store: SessionStore & ConversationArchive
    /** A second store over the same data, as after a restart; absent for a store that forgets. */
    reopen?: () => Promise<SessionStore>
    close: () => Promise<void>
  }>
  /** Tests an implementation cannot pass, each with the reason. */
  skip?: { reopen?: string }
}

function tickingClock(): () => Date {
  let seconds = 0
  return () => new Date(Date.UTC(2026, 0, 5, 9, 0, seconds++))
}

/** A turn's worth of changes: the employee asked, the agent asked back. */
function talk(session: Session, text: string): Session {
  session.history.push({ role: 'user', text, at: '2026-01-05T09:00:00.000Z' })
  session.history.push({ role: 'assistant', text: 'Which printer?', at: '2026-01-05T09:00:01Z' })
  session.known.device = 'LT-0423'
  session.queue = ['printer_not_working', 'vpn_not_connecting']
  session.pending = { taskType: 'printer_not_working', parameter: 'printer' }
  return session
}

export function runSessionStoreContract(initializer: SessionStoreContractInitializer): void {
  describe(`SessionStore contract: ${initializer.name}`, () => {
    let subject: Awaited<ReturnType<SessionStoreContractInitializer['create']>>
    let store: SessionStore & ConversationArchive
    beforeEach(async () => {
      subject = await initializer.create(tickingClock())
      store = subject.store
    })
    afterEach(async () => {
      await subject.close()
    })

    it('creates empty sessions with unique ids, requester and owner', async () => {
      const first = await store.create('maria.garcia', { owner: 'tech1' })
      const second = await store.create()
      expect(first.id).not.toBe(second.id)
      expect(first).toMatchObject({ requester: 'maria.garcia', owner: 'tech1' })
      expect(first).toMatchObject({ history: [], known: {}, queue: [] })
      expect(first.createdAt).toBe(first.updatedAt)
      expect(second.requester).toBeUndefined()
      expect(second.owner).toBeUndefined()
      expect(await store.get(first.id)).toEqual(first)
      expect(await store.get('no-such-session')).toBeUndefined()
    })

    it('saves history, known values, queue and the open question; get returns a copy', async () => {
      const created = await store.create('jdoe', { owner: 'jdoe' })
      const saved = talk(await store.get(created.id).then((each) => each as Session), 'printer')
      await store.save(saved)
      const loaded = await store.get(created.id)
      expect(loaded).toMatchObject({
        history: saved.history,
        known: { device: 'LT-0423' },
        queue: ['printer_not_working', 'vpn_not_connecting'],
        pending: { taskType: 'printer_not_working', parameter: 'printer' },
        createdAt: created.createdAt,
      })
      expect(loaded?.updatedAt && loaded.updatedAt > created.updatedAt).toBe(true)

      loaded?.history.push({ role: 'user', text: 'not saved', at: 'x' })
      expect((await store.get(created.id))?.history).toHaveLength(2)

      const answered = (await store.get(created.id)) as Session
      delete answered.pending
      answered.queue = []
      await store.save(answered)
      const after = await store.get(created.id)
      expect(after?.pending).toBeUndefined()
      expect(after?.queue).toEqual([])

      // The note of how an approval request ended keeps the request it is about; the last
      // planned tasks are kept for "same for ...".
      after?.history.push({ role: 'assistant', text: 'Update', at: 'y', approvalId: 'a-1' })
      if (after) after.lastTasks = ['password_reset']
      if (after) await store.save(after)
      const reloaded = await store.get(created.id)
      expect(reloaded?.history.at(-1)?.approvalId).toBe('a-1')
      expect(reloaded?.lastTasks).toEqual(['password_reset'])
    })

    it('keeps where the dialogue stands: help given, the question re-asked, values skipped', async () => {
      const created = await store.create('jdoe')
      created.pending = {
        taskType: 'outlook_not_syncing',
        parameter: 'device',
        helped: true,
        reminded: true,
        only: ['account_locked.scan_device_for_stale_credentials'],
      }
      created.skipped = ['shared_drive_access:group']
      await store.save(created)
      const loaded = await store.get(created.id)
      expect(loaded?.pending).toEqual(created.pending)
      expect(loaded?.skipped).toEqual(['shared_drive_access:group'])
    })

    it('keeps what a reply showed beside its text (plan, question, quick replies), for a reload', async () => {
      const created = await store.create('jdoe')
      const view = {
        tasks: ['password_reset'],
        missing: [
          {
            taskType: 'password_reset',
            parameter: 'system',
            question: 'Which login?',
            options: [{ value: 'aws_iam', label: 'An AWS account', answer: 'An AWS account' }],
          },
        ],
        outOfScope: { handoff: 'Ask the service desk.' },
      }
      created.history.push({ role: 'assistant', text: 'Which login?', at: 'z', view })
      await store.save(created)
      expect((await store.get(created.id))?.history.at(-1)?.view).toEqual(view)
    })

    it('never changes requester, owner or createdAt on save', async () => {
      const created = await store.create('alice', { owner: 'alice' })
      const forged: Session = {
        ...(talk(created, 'hi') as Session),
        requester: 'mallory',
        owner: 'mallory',
        createdAt: '2000-01-01T00:00:00.000Z',
      }
      await store.save(forged)
      expect(await store.get(created.id)).toMatchObject({
        requester: 'alice',
        owner: 'alice',
        createdAt: created.createdAt,
      })
      expect(await store.listFor('mallory')).toEqual([])
    })

    it("lists only the owner's sessions, newest activity first, with the first message", async () => {
      const older = await store.create('alice', { owner: 'alice' })
      const newer = await store.create('alice', { owner: 'alice' })
      const bobs = await store.create('bob', { owner: 'bob' })
      await store.create('alice')
      await store.save(talk(newer, 'my vpn says 809'))
      await store.save(talk(older, 'printer is jammed'))
      await store.save(talk(bobs, 'bob secret'))
      const second = (await store.get(older.id)) as Session
      second.history.push({ role: 'user', text: 'also the toner', at: 'x' })
      await store.save(second)

      const alices = await store.listFor('alice')
      expect(alices.map((each) => each.id)).toEqual([older.id, newer.id])
      expect(alices.map((each) => each.firstMessage)).toEqual([
        'printer is jammed',
        'my vpn says 809',
      ])
      expect(alices[0]).toMatchObject({ requester: 'alice', createdAt: older.createdAt })
      expect(JSON.stringify(alices)).not.toContain('bob')
      expect((await store.listFor('bob')).map((each) => each.id)).toEqual([bobs.id])
      expect(await store.listFor('alice', { limit: 1 })).toHaveLength(1)
      expect(await store.listFor('nobody')).toEqual([])
    })

    it('lists the sessions active in a range, whoever owns them, oldest activity first', async () => {
      // The clock ticks a second a call from 09:00:00: created at :00, :01, :02.
      const first = await store.create('alice', { owner: 'alice' })
      const second = await store.create('bob', { owner: 'bob' })
      const third = await store.create('carol', { owner: 'carol' })
      await store.save(talk(second, 'vpn')) // updated :03
      await store.save(talk(first, 'printer')) // updated :04
      const at = (second: number) => new Date(Date.UTC(2026, 0, 5, 9, 0, second)).toISOString()
      const listed = await store.listActive({ from: at(1), to: at(60), limit: 10 })
      // third (created and updated :02) is in; first and second by their updates, oldest first.
      expect(listed.map((each) => each.id)).toEqual([third.id, second.id, first.id])
      expect(listed[1]?.history.map((entry) => entry.text)).toEqual(['vpn', 'Which printer?'])
      expect(listed[2]?.owner).toBe('alice')
      // Updated before the start: out; created at or after the end: out.
      expect(
        (await store.listActive({ from: at(4), to: at(60), limit: 10 })).map((each) => each.id),
      ).toEqual([first.id])
      expect(
        (await store.listActive({ from: at(0), to: at(1), limit: 10 })).map((each) => each.id),
      ).toEqual([first.id])
      expect(await store.listActive({ from: at(0), to: at(60), limit: 2 })).toHaveLength(2)
    })

    it.skipIf(initializer.skip?.reopen)('keeps every session across a reopen', async () => {
      const created = await store.create('jdoe', { owner: 'jdoe' })
      await store.save(talk(created, 'printer'))
      const before = await store.get(created.id)
      await subject.close()
      const reopened = (await subject.reopen?.()) as SessionStore
      try {
        expect(await reopened.get(created.id)).toEqual(before)
        expect((await reopened.listFor('jdoe')).map((each) => each.firstMessage)).toEqual([
          'printer',
        ])
        // The conversation carries on where it was.
        const again = (await reopened.get(created.id)) as Session
        again.history.push({ role: 'user', text: 'PRN-3F-EAST', at: 'x' })
        await reopened.save(again)
        expect((await reopened.get(created.id))?.history).toHaveLength(3)
      } finally {
        await (reopened as { close?: () => Promise<void> }).close?.()
      }
    })
  })
}
