import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import type { Plan } from '../../planning/plan.ts'
import { type ChatOutputs, outputEdits } from './gradio-outputs.ts'
import { type GradioMessage, GradioQueue } from './gradio-queue.ts'

async function collect(stream: AsyncIterable<GradioMessage[]>): Promise<GradioMessage[]> {
  const all: GradioMessage[] = []
  for await (const batch of stream) all.push(...batch)
  return all
}

describe('GradioQueue', () => {
  it('sends heartbeats while a turn is quiet, and closes the stream once every event completed', async () => {
    const queue = new GradioQueue({ heartbeatMilliseconds: 10 })
    const first = queue.join('jdoe', 'hash')
    const second = queue.join('jdoe', 'hash')
    const streamed = collect(queue.stream('jdoe', 'hash', new AbortController().signal))
    await sleep(50)
    first.send({ msg: 'process_completed', success: true, output: { data: ['one'] } })
    await sleep(30)
    second.send({ msg: 'process_completed', success: true, output: { data: ['two'] } })
    const sent = await streamed
    const kinds = sent.map((message) => message.msg)
    expect(kinds.slice(0, 2)).toEqual(['heartbeat', 'heartbeat'])
    expect(kinds.filter((kind) => kind === 'process_completed')).toHaveLength(2)
    // Closed only after the second event, not after the first.
    expect(kinds.indexOf('close_stream')).toBe(kinds.length - 1)
    expect(kinds.lastIndexOf('heartbeat')).toBeGreaterThan(kinds.indexOf('process_completed'))
    expect(sent.at(-2)).toMatchObject({ event_id: second.eventId })
    expect(queue.size).toBe(0)
  })

  it('keeps messages sent before the stream opens, and writes the last completion with close_stream', async () => {
    const queue = new GradioQueue()
    const event = queue.join('jdoe', 'hash')
    event.send({ msg: 'process_generating', success: true, output: { data: ['so far'] } })
    event.send({ msg: 'process_completed', success: true, output: { data: ['done'] } })
    const batches: string[][] = []
    for await (const batch of queue.stream('jdoe', 'hash', new AbortController().signal)) {
      batches.push(batch.map((message) => message.msg))
    }
    // The last completion and `close_stream` go out in one write (the client must not join again
    // between them).
    expect(batches).toEqual([['process_generating'], ['process_completed', 'close_stream']])
  })

  it('refuses a second stream for a session that is already streaming, and drops a session whose client went away', async () => {
    const queue = new GradioQueue({ heartbeatMilliseconds: 10_000 })
    queue.join('jdoe', 'hash')
    const leaving = new AbortController()
    const open = collect(queue.stream('jdoe', 'hash', leaving.signal))
    await sleep(5)
    const second = await collect(queue.stream('jdoe', 'hash', new AbortController().signal))
    expect(second).toEqual([
      expect.objectContaining({
        msg: 'unexpected_error',
        message: 'this session already has an open data stream',
      }),
    ])
    leaving.abort()
    expect(await open).toEqual([])
    expect(queue.size).toBe(0)
  })

  it('drops a session whose stream is never opened', async () => {
    const queue = new GradioQueue({ abandonedMilliseconds: 10 })
    queue.join('jdoe', 'hash').send({ msg: 'process_completed', success: true, output: {} })
    expect(queue.size).toBe(1)
    await sleep(40)
    expect(queue.size).toBe(0)
  })
})

describe('outputEdits (sse_v3 updates after the first)', () => {
  const plan: Plan[] = [
    { taskType: 'password_reset', title: 'Reset', risk: 'low', parameters: {}, steps: [] },
  ]
  it('appends grown text, leaves unchanged outputs alone, and replaces anything else whole', () => {
    const before: ChatOutputs = ['Understood as: x', 'session-1', []]
    const after = ['Understood as: x\nPlanned: y', 'session-1', plan] satisfies ChatOutputs
    expect(outputEdits(before, after)).toEqual([
      [['append', [], '\nPlanned: y']],
      [],
      [['replace', [], plan]],
    ])
    expect(outputEdits(['abc', 's', []], ['xyz', 's', []])).toEqual([
      [['replace', [], 'xyz']],
      [],
      [],
    ])
  })
})
