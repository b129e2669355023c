import { describe, expect, it } from 'vitest'
import { jobView } from './job-lifecycle.ts'
import { sampleJob } from './job-store-contract.case.test.ts'
import { SqliteJobStore } from './sqlite-job-store.ts'

describe('the view of a job whose runner has stored its end', () => {
  it('tells the end once `job-ended` is stored, before the status is (a client that saw the event)', async () => {
    const store = new SqliteJobStore({ file: ':memory:' })
    const job = sampleJob()
    await store.create(job)
    await store.append(job.id, { type: 'job-started', steps: [], targets: 3 })
    expect((await jobView(store, job.id))?.status).toBe('running')
    // finishJob's first half: the event, not yet the status.
    await store.append(job.id, { type: 'job-ended', status: 'failed', durationMs: 12 })
    const [ended] = await store.eventsAfter(job.id, 1, 1)
    const view = await jobView(store, job.id)
    expect(view).toMatchObject({ status: 'failed', endedAt: ended?.at, lastEventId: 2 })
    // Then the status, as stored, is what it says.
    await store.setStatus(job.id, 'failed', '2026-12-03T23:50:00.000Z')
    expect(await jobView(store, job.id)).toMatchObject({
      status: 'failed',
      endedAt: '2026-12-03T23:50:00.000Z',
    })
    await store.close()
  })
})
