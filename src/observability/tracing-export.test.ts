// Tracing switched on in process against a loopback OTLP receiver: spans nest by the async
// context (a store call inside a turn inside a request), a failure carries the error's code and
// never its message, shutdown sends what is buffered and switches tracing off again; and with
// tracing off a metered store does not even describe its spans.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type OtlpReceiver, startOtlpReceiver } from '../../tests/support/otlp-receiver.ts'
import { HelpdeskError } from '../errors/index.ts'
import { HelpdeskMetrics, meteredStore, timedCalls } from './metrics.ts'
import { inSpan, SpanKind, startTracing, tracingEnabled } from './tracing.ts'

let receiver: OtlpReceiver
beforeAll(async () => {
  receiver = await startOtlpReceiver()
})
afterAll(async () => {
  await receiver.close()
})

class NoteStore {
  #notes: string[] = []
  async add(note: string): Promise<number> {
    this.#notes.push(note)
    return this.#notes.length
  }
  async refuse(): Promise<void> {
    throw new HelpdeskError({ code: 'INVALID_INPUT', message: 'note: secret-looking text s3cr3t' })
  }
}

describe('tracing on, in process', () => {
  it('with tracing off, a metered call neither describes nor records a span', async () => {
    expect(tracingEnabled()).toBe(false)
    let described = 0
    const store = timedCalls(
      new NoteStore(),
      () => {},
      () => {
        described += 1
        return { name: 'x', attributes: {} }
      },
    )
    await store.add('a')
    expect(described).toBe(0)
  })

  it('exports nested spans with their parents, error codes only, and stops on shutdown', async () => {
    const lines: string[] = []
    const tracing = startTracing(
      { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '50' },
      { serviceName: 'helpdesk-test', log: (line) => lines.push(line) },
    )
    expect(tracing).toBeDefined()
    expect(lines).toEqual([
      `tracing: exporting spans of helpdesk-test over OTLP/HTTP to ${receiver.url}`,
    ])
    const store = meteredStore(
      new NoteStore(),
      'notes',
      undefined,
      new HelpdeskMetrics({ processMetrics: false }),
    )
    await inSpan('GET /x', { kind: SpanKind.SERVER }, () =>
      inSpan('chat turn', {}, async () => {
        await store.add('a note')
        await expect(store.refuse()).rejects.toThrow('s3cr3t')
      }),
    )
    await tracing?.shutdown()
    expect(tracingEnabled()).toBe(false)
    const byName = new Map(receiver.spans.map((span) => [span.name, span]))
    const request = byName.get('GET /x')
    const turn = byName.get('chat turn')
    const added = byName.get('db notes.add')
    const refused = byName.get('db notes.refuse')
    expect(request?.parentSpanId).toBe('')
    expect(request?.serviceName).toBe('helpdesk-test')
    expect(turn?.parentSpanId).toBe(request?.spanId)
    expect(added?.parentSpanId).toBe(turn?.spanId)
    expect(refused?.parentSpanId).toBe(turn?.spanId)
    expect(added?.attributes).toEqual({ 'helpdesk.store': 'notes', 'db.operation.name': 'add' })
    const exported = receiver.bodies.join('\n')
    expect(exported).toContain('INVALID_INPUT')
    expect(exported).not.toContain('s3cr3t')
    expect(exported).not.toContain('a note')
    // Off again: nothing more is recorded.
    const before = receiver.spans.length
    await inSpan('after', {}, async () => store.add('b'))
    expect(receiver.spans.length).toBe(before)
  })
})
