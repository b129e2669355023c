/**
 * OpenTelemetry traces of the real server (`helpdesk serve` with the embedded Chroma, the SQLite
 * project store and an inventory on the loopback sshd), exported over OTLP/HTTP to a receiver in
 * this test: one chat turn that routes, queries Chroma, reads and writes the stores and runs
 * read-only checks gives one trace, continuing the caller's `traceparent`, whose spans nest as
 * request > chat turn > routing / store calls / executor runs. No token, key, username, machine
 * name or message text is in any exported byte.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type HelpdeskProcess, startHelpdesk } from './support/helpdesk-process.ts'
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './support/otlp-receiver.ts'
import { sshInventoryTarget } from './support/ssh-inventory.ts'
import { startTestService } from './support/test-services.ts'

const run = promisify(execFile)
const MESSAGE = 'my linux laptop LT-0423 is overheating and the fan is loud'
/** The caller's W3C trace context: the server's spans continue this trace. */
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const CALLER_SPAN = '00f067aa0ba902b7'
const SERVER_KIND = 2

let receiver: OtlpReceiver
let server: HelpdeskProcess
let environment: Record<string, string> = {}
let sshKey = ''
const tokens: Record<string, string> = {}

beforeAll(async () => {
  const facts = await startTestService('sshd')
  sshKey = readFileSync(String(facts.SSH_CLIENT_KEY), 'utf8')
  receiver = await startOtlpReceiver()
  const directory = mkdtempSync(path.join(tmpdir(), 'tracing-'))
  writeFileSync(
    path.join(directory, 'inventory.yaml'),
    `targets:\n${sshInventoryTarget(facts, 'LT-0423', { class: 'laptop', assignedTo: ['jdoe'] })}`,
  )
  environment = {
    HELPDESK_DATA_DIR: directory,
    HELPDESK_INVENTORY: path.join(directory, 'inventory.yaml'),
    CHROMA_RUNTIME_DIR: path.resolve('.helpdesk/runtime'),
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: '200',
  }
  server = await startHelpdesk('serve', environment, { timeoutMs: 240_000 })
  tokens.admin = readFileSync(path.join(directory, 'admin-token'), 'utf8').trim()
  const added = await run(
    process.execPath,
    ['bin/helpdesk.js', 'users', 'add', 'jdoe', '--role', 'requester'],
    { env: { ...process.env, ...environment, LOG_LEVEL: 'silent' } },
  )
  tokens.jdoe = added.stdout.trim()
}, 300_000)

afterAll(async () => {
  await server?.stop()
  await receiver?.close()
})

/** The spans of one trace, waiting for the batch exporter to send them. */
async function traceOf(traceId: string, until: (spans: ReceivedSpan[]) => boolean) {
  const deadline = Date.now() + 15_000
  for (;;) {
    const spans = receiver.spans.filter((span) => span.traceId === traceId)
    if (until(spans) || Date.now() > deadline) return spans
    await sleep(100)
  }
}

describe('traces over OTLP/HTTP', () => {
  it('one chat turn is one trace: request > chat turn > routing, Chroma, store calls and executor runs', async () => {
    const response = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens.jdoe}`,
        'content-type': 'application/json',
        traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
      },
      body: JSON.stringify({ message: MESSAGE }),
    })
    expect(response.status).toBe(200)
    const turn = (await response.json()) as { tasks: string[] }
    expect(turn.tasks).toEqual(['laptop_overheating'])
    expect(server.log()).toContain(
      `tracing: exporting spans of helpdesk over OTLP/HTTP to ${receiver.url}`,
    )

    const spans = await traceOf(CALLER_TRACE, (found) =>
      found.some((span) => span.name === 'POST /api/chat'),
    )
    const byName = (name: string) => spans.filter((span) => span.name === name)
    const one = (name: string) => {
      const found = byName(name)
      expect(found, `${name} in ${spans.map((span) => span.name).join(', ')}`).toHaveLength(1)
      return found[0] as ReceivedSpan
    }
    const request = one('POST /api/chat')
    expect(request.kind).toBe(SERVER_KIND)
    expect(request.serviceName).toBe('helpdesk')
    // The caller's span is the request's parent: the trace goes on through an ingress or a client.
    expect(request.parentSpanId).toBe(CALLER_SPAN)
    expect(request.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/api/chat',
      'http.response.status_code': 200,
    })

    const chat = one('chat turn')
    expect(chat.parentSpanId).toBe(request.spanId)
    expect(chat.attributes).toMatchObject({
      'helpdesk.turn.kind': 'chat',
      'helpdesk.tasks': ['laptop_overheating'],
      'helpdesk.out_of_scope': false,
    })
    expect(typeof chat.attributes['helpdesk.framework']).toBe('string')

    const routing = byName('routing')
    expect(routing.length).toBeGreaterThanOrEqual(1)
    for (const decision of routing) expect(decision.parentSpanId).toBe(chat.spanId)
    expect(routing.some((decision) => decision.attributes['helpdesk.tasks'] !== undefined)).toBe(
      true,
    )

    // Chroma answers the nearest-neighbour part of routing.
    const chroma = spans.filter((span) => span.name.startsWith('chroma '))
    expect(chroma.length).toBeGreaterThanOrEqual(1)
    const routingIds = new Set(routing.map((decision) => decision.spanId))
    for (const query of chroma) {
      expect(routingIds.has(query.parentSpanId)).toBe(true)
      expect(query.attributes['db.system.name']).toBe('chromadb')
    }

    // The session is created within the request and kept within the turn.
    const created = one('db sessions.create')
    expect(created.parentSpanId).toBe(request.spanId)
    const sessionCalls = spans.filter(
      (span) => span.name.startsWith('db sessions.') && span.parentSpanId === chat.spanId,
    )
    expect(sessionCalls.length).toBeGreaterThanOrEqual(1)

    // The read-only checks ran over SSH, each as an executor run inside the turn, each audited.
    const runs = spans.filter((span) => span.name.startsWith('execute '))
    expect(runs.length).toBeGreaterThanOrEqual(1)
    const ancestors = (span: ReceivedSpan): string[] => {
      const parent = spans.find((candidate) => candidate.spanId === span.parentSpanId)
      return parent ? [parent.spanId, ...ancestors(parent)] : []
    }
    for (const executed of runs) {
      expect(ancestors(executed)).toContain(chat.spanId)
      expect(executed.attributes['helpdesk.executor']).toBe('bash')
      expect(String(executed.attributes['helpdesk.step.id'])).toMatch(/^laptop_overheating\./)
    }
    expect(
      runs.some((executed) => executed.attributes['helpdesk.step.status'] === 'succeeded'),
    ).toBe(true)
    const audits = spans.filter((span) => span.name.startsWith('db audit.'))
    expect(audits.length).toBeGreaterThanOrEqual(1)
    const runIds = new Set(runs.map((executed) => executed.spanId))
    expect(audits.some((audit) => runIds.has(audit.parentSpanId))).toBe(true)

    // Nothing secret or personal was exported: tokens, the SSH key, who asked, which machine, what.
    const exported = receiver.bodies.join('\n')
    for (const secret of [
      tokens.jdoe,
      tokens.admin,
      sshKey.trim().split('\n')[1] ?? sshKey,
      'jdoe',
      'LT-0423',
      'overheating and the fan',
      'Bearer',
    ]) {
      expect(exported).not.toContain(String(secret))
    }
    expect(receiver.contentTypes.every((type) => type.startsWith('application/json'))).toBe(true)
  })
})
