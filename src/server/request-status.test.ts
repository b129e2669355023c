import { describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../tests/support/memory-runtime.ts'
import { newSession, type Session } from '../agent/core/session.ts'
import type { TurnResult } from '../agent/core/turn.ts'
import type { ApprovalRequest } from '../approvals/approval-store.ts'
import { SqliteUserStore } from '../identity/sqlite-user-store.ts'
import type { Ticket } from '../tickets/ticket.ts'
import { createApp } from './create-app.ts'
import { requestStatus } from './request-status.ts'

const at = (minute: number) => `2026-12-03T10:${String(minute).padStart(2, '0')}:00.000Z`

function session(extra: Partial<Session> = {}): Session {
  return {
    ...newSession('s1', at(0), 'alice', 'alice'),
    history: [
      { role: 'user', text: 'my laptop is slow', at: at(1) },
      { role: 'assistant', text: 'Here is the plan.', at: at(1) },
    ],
    ...extra,
  }
}

function approval(extra: Partial<ApprovalRequest>): ApprovalRequest {
  return {
    id: 'a1',
    requester: 'alice',
    taskType: 'laptop_running_slow',
    runbook: { id: 'laptop_running_slow', title: 'Slow laptop' },
    level: 2,
    plan: {
      taskType: 'laptop_running_slow',
      title: 'Slow laptop',
      parameters: {},
      risk: 'medium',
      steps: [],
    },
    steps: [],
    sessionId: 's1',
    createdAt: at(1),
    expiresAt: at(59),
    status: 'pending',
    decisions: [],
    version: 1,
    ...extra,
  } as ApprovalRequest
}

describe('where a request stands', () => {
  it('follows its newest ticket: handed off while open or picked up, answered, then done once closed', () => {
    const ticket = (status: Ticket['status']) => ({ status }) as Ticket
    expect(requestStatus(session(), [], [ticket('open')])).toBe('handed_off')
    expect(requestStatus(session(), [], [ticket('picked_up')])).toBe('handed_off')
    expect(requestStatus(session(), [], [ticket('answered'), ticket('closed')])).toBe('answered')
    expect(requestStatus(session(), [], [ticket('closed'), ticket('answered')])).toBe('done')
    // A question the person must answer comes first.
    const asked = session({ pending: { taskType: 'x', parameter: 'device' } })
    expect(requestStatus(asked, [], [ticket('answered')])).toBe('waiting_for_you')
  })

  it('waits for the person while a question is open or a level-1 change waits for their Confirm', () => {
    expect(requestStatus(session({ pending: { taskType: 'x', parameter: 'device' } }), [])).toBe(
      'waiting_for_you',
    )
    expect(requestStatus(session(), [approval({ level: 1 })])).toBe('waiting_for_you')
  })

  it('awaits approval while a technician must approve or check a run', () => {
    expect(requestStatus(session(), [approval({ level: 2 })])).toBe('awaiting_approval')
    expect(requestStatus(session(), [approval({ status: 'interrupted' })])).toBe(
      'awaiting_approval',
    )
  })

  it('failed when the newest approved change failed, until the person writes again', () => {
    const failed = approval({
      status: 'executed',
      execution: { finishedAt: at(5), outcome: 'failed' },
    })
    expect(requestStatus(session(), [failed])).toBe('failed')
    const later = session()
    later.history.push({ role: 'user', text: 'thanks, I will try again', at: at(9) })
    expect(requestStatus(later, [failed])).toBe('done')
    const succeeded = approval({
      status: 'executed',
      execution: { finishedAt: at(5), outcome: 'succeeded' },
    })
    expect(requestStatus(session(), [succeeded])).toBe('done')
  })

  it('handed off when the last answer sent the person elsewhere', () => {
    const handedOff = session()
    handedOff.history.push({
      role: 'assistant',
      text: "That isn't something I can handle here, so I haven't done anything.",
      at: at(2),
    })
    expect(requestStatus(handedOff, [])).toBe('handed_off')
    expect(requestStatus(session(), [approval({ status: 'denied' })])).toBe('done')
  })
})

describe('GET /api/sessions and /api/sessions/:id', () => {
  it('give each request its status, and a requester reads approval notes without addresses or codes', async () => {
    const runtime = await buildMemoryRuntime()
    const users = new SqliteUserStore({ file: ':memory:' })
    const app = createApp({
      core: runtime.core,
      sessions: runtime.sessions,
      authentication: { mode: 'token', users },
      instructions: runtime.knowledge.instructions,
      readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
      log: () => {},
    })
    const { token } = await users.add('alice', 'requester')
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const chat = async (message: string) =>
      (await (
        await app.request('/api/chat', {
          method: 'POST',
          headers,
          body: JSON.stringify({ message }),
        })
      ).json()) as TurnResult
    const asked = await chat('my printer PRN-3F-EAST is not printing')
    expect(asked.missing.length).toBeGreaterThan(0)
    const away = await chat('can you book me a flight to Berlin')
    expect(away.outOfScope).toBeDefined()
    const planned = await chat('I have no sound on my laptop LT-0423')
    expect(planned.plan.length).toBeGreaterThan(0)

    const listed = (await (await app.request('/api/sessions', { headers })).json()) as {
      sessions: Array<{ id: string; status: string }>
    }
    const statusOf = (id: string) => listed.sessions.find((each) => each.id === id)?.status
    expect(statusOf(asked.sessionId)).toBe('waiting_for_you')
    expect(statusOf(away.sessionId)).toBe('handed_off')
    expect(statusOf(planned.sessionId)).toBe('done')

    const stored = await runtime.sessions.get(planned.sessionId)
    if (!stored) throw new Error('the session is gone')
    stored.history.push({
      role: 'assistant',
      text: 'Update on "Sound" (approval 7d4e7432): approved by tom and carried out, not all of it successfully.\n- Restart audio on LT-0423: failed: ssh 10.1.2.3:2222 ECONNREFUSED',
      at: new Date().toISOString(),
      approvalId: '7d4e7432-0000-4000-8000-000000000000',
    })
    await runtime.sessions.save(stored)
    const read = (await (
      await app.request(`/api/sessions/${planned.sessionId}`, { headers })
    ).json()) as {
      status: string
      history: Array<{ text: string }>
    }
    expect(read.status).toBe('done')
    const note = read.history.at(-1)?.text ?? ''
    expect(note).toContain('not all of it successfully')
    for (const secret of ['10.1.2.3', '2222', 'ECONNREFUSED', '7d4e7432'])
      expect(note).not.toContain(secret)
    await users.close()
  })

  it('keep what each reply showed, for a reload; a requester reads its step outputs redacted', async () => {
    const runtime = await buildMemoryRuntime()
    const users = new SqliteUserStore({ file: ':memory:' })
    const app = createApp({
      core: runtime.core,
      sessions: runtime.sessions,
      authentication: { mode: 'token', users },
      instructions: runtime.knowledge.instructions,
      readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
      log: () => {},
    })
    const { token } = await users.add('alice', 'requester')
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const planned = (await (
      await app.request('/api/chat', {
        method: 'POST',
        headers,
        body: JSON.stringify({ message: 'I have no sound on my laptop LT-0423' }),
      })
    ).json()) as TurnResult
    const stored = await runtime.sessions.get(planned.sessionId)
    const view = stored?.history.at(-1)?.view
    expect(view?.plan?.map((plan) => plan.taskType)).toEqual(planned.plan.map((p) => p.taskType))
    expect(view?.results?.length).toBe(planned.results.length)
    // As if a step had run and failed with an address in its output.
    const first = view?.results?.[0]
    if (!stored || !view?.results || !first) throw new Error('no view was kept')
    view.results[0] = { ...first, stdout: 'connect to 10.1.2.3:2222 refused' }
    await runtime.sessions.save(stored)
    const read = (await (
      await app.request(`/api/sessions/${planned.sessionId}`, { headers })
    ).json()) as { history: Array<{ view?: { results?: Array<{ stdout: string }> } }> }
    const shown = read.history.at(-1)?.view?.results?.[0]?.stdout ?? ''
    expect(shown).toContain('refused')
    for (const secret of ['10.1.2.3', '2222']) expect(shown).not.toContain(secret)
    await users.close()
  })
})
