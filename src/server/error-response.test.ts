import { describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../tests/support/memory-runtime.ts'
import { HelpdeskError } from '../errors/index.ts'
import type { Readiness } from '../knowledge/knowledge-base.ts'
import { createApp, READINESS_LIMIT_MS } from './create-app.ts'
import { isStaff, publicError, TROUBLE_MESSAGE } from './error-response.ts'

const chromaDown = new HelpdeskError({
  code: 'KNOWLEDGE_STORE_UNAVAILABLE',
  category: 'THIRD_PARTY',
  message: 'Chroma at http://127.0.0.1:8123 could not query: Failed to connect (CORS ...)',
  details: { url: 'http://127.0.0.1:8123' },
})

describe('publicError: who reads what of a backend failure', () => {
  it('an employee reads a plain sentence; staff read the detail; both are logged in full', () => {
    const logged: string[] = []
    const log = (line: string) => logged.push(line)
    expect(publicError(chromaDown, log, '', false)).toEqual({
      code: 'KNOWLEDGE_STORE_UNAVAILABLE',
      message: TROUBLE_MESSAGE,
      details: {},
    })
    expect(publicError(chromaDown, log, '', true)).toMatchObject({
      message: chromaDown.message,
      details: { url: 'http://127.0.0.1:8123' },
    })
    expect(logged).toHaveLength(2)
    expect(logged[0]).toContain('127.0.0.1:8123')
    // A caller's own mistake is shown to them whole.
    const invalid = new HelpdeskError({
      code: 'INVALID_INPUT',
      message: 'message: expected a string',
    })
    expect(publicError(invalid, log, '', false).message).toBe('message: expected a string')
  })

  it('staff are signed-in technicians and admins', () => {
    expect(isStaff({ username: 'a', role: 'technician', signedIn: true })).toBe(true)
    expect(isStaff({ username: 'a', role: 'admin', signedIn: true })).toBe(true)
    expect(isStaff({ username: 'a', role: 'requester', signedIn: true })).toBe(false)
    expect(isStaff({ username: 'anonymous', role: 'requester', signedIn: false })).toBe(false)
    expect(isStaff(undefined)).toBe(false)
  })
})

describe('/readyz with a store that never answers', () => {
  it('answers 503 within its limit', async () => {
    const runtime = await buildMemoryRuntime()
    const app = createApp({
      core: runtime.core,
      sessions: runtime.sessions,
      authentication: { mode: 'none' },
      instructions: runtime.knowledge.instructions,
      readiness: () => new Promise<Readiness>(() => {}),
      log: () => {},
    })
    const started = performance.now()
    const response = await app.request('/readyz')
    expect(performance.now() - started).toBeLessThan(READINESS_LIMIT_MS + 400)
    expect(response.status).toBe(503)
    expect(((await response.json()) as Readiness).checks.store).toMatch(/no answer within/)
  })
})
