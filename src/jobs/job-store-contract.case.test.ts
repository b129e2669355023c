import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { JobRecord } from './job-model.ts'
import type { JobStore } from './job-store.ts'

/** Run by every JobStore implementation; `reopen` opens the same backing store again. */
export interface JobStoreContractInitializer {
  name: string
  create(): Promise<{ store: JobStore; reopen: () => Promise<JobStore> }>
}

export function sampleJob(overrides: Partial<JobRecord> = {}): JobRecord {
  const at = new Date().toISOString()
  const step = (id: string) => ({
    id,
    operation: 'service.status',
    parameters: {},
    title: `Step ${id}`,
    risk: 'low' as const,
    changes: false,
    scripts: { linux: 'true' },
    timeoutSeconds: 10,
  })
  return {
    id: randomUUID(),
    workflow: {
      steps: [step('one'), step('two')],
      targets: ['PC-9', 'PC-1', 'PC-5'],
      continueOnFailure: true,
    },
    requester: 'alice',
    actor: 'tom',
    concurrency: 2,
    status: 'running',
    createdAt: at,
    updatedAt: at,
    ...overrides,
  }
}

export function runJobStoreContract(init: JobStoreContractInitializer): void {
  describe(`JobStore contract: ${init.name}`, () => {
    let store: JobStore
    let reopen: () => Promise<JobStore>

    beforeEach(async () => {
      ;({ store, reopen } = await init.create())
    })
    afterEach(async () => {
      await store.close()
    })

    it('lists jobs by every filter, newest first, at most limit', async () => {
      // A requester of this run only, so jobs other cases left in a shared store never match.
      const requester = `lister-${randomUUID().slice(0, 8)}`
      const older = sampleJob({ requester, createdAt: '2026-01-01T10:00:00.000Z' })
      const newer = sampleJob({
        requester: requester.toUpperCase(),
        createdAt: '2026-01-02T10:00:00.000Z',
        workflow: {
          steps: [
            {
              ...(older.workflow.steps[0] as JobRecord['workflow']['steps'][number]),
              operation: 'service.stop',
            },
          ],
          targets: ['web01'],
          continueOnFailure: false,
        },
      })
      await store.create(older)
      await store.create(newer)
      await store.setStatus(older.id, 'succeeded', '2026-01-01T10:05:00.000Z')
      const ids = async (filter: Parameters<JobStore['list']>[0]) =>
        (await store.list({ requester, ...filter })).map((job) => job.id)
      expect(await ids({})).toEqual([newer.id, older.id])
      expect(await ids({ status: 'succeeded' })).toEqual([older.id])
      expect(await ids({ operation: 'service.stop' })).toEqual([newer.id])
      expect(await ids({ target: 'WEB01' })).toEqual([newer.id])
      expect(await ids({ from: '2026-01-02T00:00:00.000Z' })).toEqual([newer.id])
      expect(await ids({ to: '2026-01-02T00:00:00.000Z' })).toEqual([older.id])
      expect(await ids({ limit: 1 })).toEqual([newer.id])
      expect((await store.list({ requester }))[1]?.status).toBe('succeeded')
    })

    it('stores a job whole with every cell pending, in step then target order', async () => {
      const job = sampleJob()
      await store.create(job)
      expect(await store.get(job.id)).toEqual(job)
      const cells = await store.cells(job.id)
      expect(cells.map((cell) => `${cell.stepIndex}:${cell.target}:${cell.state}`)).toEqual([
        '0:PC-9:pending',
        '0:PC-1:pending',
        '0:PC-5:pending',
        '1:PC-9:pending',
        '1:PC-1:pending',
        '1:PC-5:pending',
      ])
      expect(await store.get(randomUUID())).toBeUndefined()
      expect(await store.cells(randomUUID())).toEqual([])
    })

    it('refuses an id that exists and changes nothing', async () => {
      const job = sampleJob()
      await store.create(job)
      await store.updateCell(job.id, 0, 'PC-1', { state: 'succeeded', exitCode: 0 })
      await expect(store.create({ ...job, requester: 'mallory' })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      })
      expect((await store.get(job.id))?.requester).toBe('alice')
      expect((await store.cells(job.id)).filter((cell) => cell.state === 'succeeded')).toHaveLength(
        1,
      )
    })

    it('replaces a cell whole and keeps the others', async () => {
      const job = sampleJob()
      await store.create(job)
      await store.updateCell(job.id, 1, 'PC-5', {
        state: 'running',
        phase: 'verify',
        startedAt: 'a',
      })
      await store.updateCell(job.id, 1, 'PC-5', { state: 'failed', reason: 'exit 3', exitCode: 3 })
      const cells = await store.cells(job.id)
      expect(cells.find((cell) => cell.stepIndex === 1 && cell.target === 'PC-5')).toEqual({
        stepIndex: 1,
        target: 'PC-5',
        state: 'failed',
        reason: 'exit 3',
        exitCode: 3,
      })
      expect(cells.filter((cell) => cell.state === 'pending')).toHaveLength(5)
    })

    it('sets the status; an ended one carries endedAt; unfinished lists running and cancelling, oldest first', async () => {
      const first = sampleJob()
      const second = sampleJob()
      const third = sampleJob()
      for (const job of [first, second, third]) await store.create(job)
      await store.setStatus(second.id, 'cancelling', '2026-01-02T00:00:00.000Z')
      await store.setStatus(third.id, 'succeeded', '2026-01-03T00:00:00.000Z')
      expect(await store.get(second.id)).toMatchObject({
        status: 'cancelling',
        updatedAt: '2026-01-02T00:00:00.000Z',
      })
      expect((await store.get(second.id))?.endedAt).toBeUndefined()
      expect(await store.get(third.id)).toMatchObject({
        status: 'succeeded',
        endedAt: '2026-01-03T00:00:00.000Z',
      })
      const unfinished = await store.unfinished()
      expect(unfinished.filter((id) => [first.id, second.id, third.id].includes(id))).toEqual([
        first.id,
        second.id,
      ])
    })

    it('numbers events per job from 1 and replays them after any number', async () => {
      const job = sampleJob()
      const other = sampleJob()
      await store.create(job)
      await store.create(other)
      expect(await store.lastEventId(job.id)).toBe(0)
      const first = await store.append(job.id, { type: 'target-started', target: 'PC-9' })
      await store.append(other.id, { type: 'target-started', target: 'PC-1' })
      const second = await store.append(job.id, { type: 'cancel-requested', by: 'tom' })
      expect([first.id, second.id]).toEqual([1, 2])
      expect(first).toMatchObject({ type: 'target-started', target: 'PC-9' })
      expect(typeof first.at).toBe('string')
      expect(await store.lastEventId(job.id)).toBe(2)
      expect(await store.lastEventId(other.id)).toBe(1)
      expect(await store.eventsAfter(job.id, 0, 10)).toEqual([first, second])
      expect(await store.eventsAfter(job.id, 1, 10)).toEqual([second])
      expect(await store.eventsAfter(job.id, 0, 1)).toEqual([first])
      expect(await store.eventsAfter(job.id, 2, 10)).toEqual([])
    })

    it('gives concurrent appends distinct numbers without a gap', async () => {
      const job = sampleJob()
      await store.create(job)
      const events = await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          store.append(job.id, { type: 'target-started', target: `PC-${index}` }),
        ),
      )
      expect(events.map((event) => event.id).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 40 }, (_, index) => index + 1),
      )
      expect(await store.eventsAfter(job.id, 0, 100)).toHaveLength(40)
    })

    it('keeps everything across closing and reopening', async () => {
      const job = sampleJob()
      await store.create(job)
      await store.updateCell(job.id, 0, 'PC-9', { state: 'unknown', reason: 'stopped' })
      const event = await store.append(job.id, { type: 'job-resumed', unknown: 1 })
      await store.close()
      store = await reopen()
      expect(await store.get(job.id)).toEqual(job)
      expect((await store.cells(job.id))[0]).toMatchObject({ state: 'unknown', reason: 'stopped' })
      expect(await store.eventsAfter(job.id, 0, 10)).toEqual([event])
    })
  })
}
