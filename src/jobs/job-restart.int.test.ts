import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService } from '../../tests/support/test-services.ts'
import type { JobView } from './job-model.ts'
import { readEvents, type SseEvent } from './testing/sse-client.ts'
import { factsOf, fleetNames, type SshdFacts, sharedStateDirectory } from './testing/sshd-fleet.ts'

// Durability: a job server (a child process) runs the sample workflow on 10 machines of the
// loopback sshd, four of them slow; it is killed with SIGKILL while those four run their check.
// A new server on the same store file resumes: the four checks are `unknown`, never run again,
// their machines' later steps skipped; the other six finish. A client that followed the first
// server's stream reconnects to the second with Last-Event-ID and misses nothing.

const NAMES = fleetNames(10, 'CRASH')
const SLOW = NAMES.slice(0, 4)
let facts: SshdFacts
const children: ChildProcess[] = []

beforeAll(async () => {
  facts = factsOf(await startTestService('sshd'))
})
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
})

async function startServer(
  options: object,
): Promise<{ child: ChildProcess; port: number; jobId?: string }> {
  const child = spawn(process.execPath, ['src/jobs/testing/job-server.ts'], {
    env: { ...process.env, HELPDESK_JOB_SERVER: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.push(child)
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve)
    child.once('exit', (code) => reject(new Error(`job server exited ${code}`)))
  })
  return { child, ...(JSON.parse(first) as { port: number; jobId?: string }) }
}

describe('a job survives SIGKILL of its server', () => {
  it('started cells become unknown and are never re-run; the rest finish; the stream misses nothing', async () => {
    const directory = sharedStateDirectory('jobs-restart-')
    const databaseFile = path.join(directory, 'helpdesk.sqlite')
    for (const name of SLOW) writeFileSync(path.join(directory, `${name}.slow`), '')
    for (const name of NAMES.slice(4, 7)) writeFileSync(path.join(directory, `${name}.running`), '')
    const common = { facts, names: NAMES, databaseFile, concurrency: 4 }
    const first = await startServer({ ...common, start: { directory, slowSeconds: 3 } })
    const jobId = first.jobId ?? ''
    const url = (port: number) => `http://127.0.0.1:${port}/api/jobs/${jobId}/events`

    // Follow the first server until the four slow checks are running, then kill it.
    const before: SseEvent[] = []
    const running = new Set<string>()
    const lastBefore = await readEvents(url(first.port), {
      onEvent: (event) => before.push(event),
      until: (event) => {
        const data = event.data as { type: string; target?: string; cell?: { state: string } }
        if (data.type === 'cell' && data.cell?.state === 'running' && data.target)
          running.add(data.target)
        return SLOW.every((name) => running.has(name))
      },
    })
    // ...and their commands have reached the machine (they sleep 3 s there).
    const checked = () =>
      existsSync(path.join(directory, 'checks'))
        ? readFileSync(path.join(directory, 'checks'), 'utf8').trim().split('\n')
        : []
    for (let wait = 0; wait < 100 && !SLOW.every((name) => checked().includes(name)); wait++)
      await new Promise((resolve) => setTimeout(resolve, 20))
    first.child.kill('SIGKILL')
    await new Promise((resolve) => first.child.once('exit', resolve))
    expect(lastBefore).toBeGreaterThan(0)

    const second = await startServer(common)
    const after: SseEvent[] = []
    await readEvents(url(second.port), {
      lastEventId: lastBefore,
      onEvent: (event) => after.push(event),
    })
    const all: SseEvent[] = []
    await readEvents(url(second.port), { onEvent: (event) => all.push(event) })

    // Nothing lost, nothing twice: the two halves are the whole stream.
    expect([...before, ...after].map((event) => event.id)).toEqual(all.map((event) => event.id))
    expect(all.map((event) => event.id)).toEqual(all.map((_, index) => index + 1))
    expect(after.some((event) => event.event === 'job-resumed')).toBe(true)
    expect(all.at(-1)?.event).toBe('job-ended')

    const view = (await (
      await fetch(`http://127.0.0.1:${second.port}/api/jobs/${jobId}`)
    ).json()) as JobView
    expect(view.status).toBe('failed')
    for (const name of SLOW) {
      const cells = view.cells.filter((cell) => cell.target === name)
      expect(cells[0]?.state, name).toBe('unknown')
      expect(
        cells.slice(1).every((cell) => cell.state === 'skipped'),
        name,
      ).toBe(true)
    }
    for (const name of NAMES.slice(4)) {
      expect(view.cells.filter((cell) => cell.target === name).at(-1)?.state, name).toBe(
        'succeeded',
      )
    }
    // Each check ran once: the four unknown ones were not started again by the second server.
    expect(checked().sort()).toEqual([...NAMES].sort())
    expect(existsSync(path.join(directory, `${NAMES[9]}.conf`))).toBe(true)
    second.child.kill('SIGTERM')
  }, 60_000)
})
