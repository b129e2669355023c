import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import type { ApprovalRequest } from '../../approvals/approval-store.ts'
import {
  type ApprovalStack,
  cleanCachesPlan,
  loadTestInstructions,
  openApprovalStack,
  RecordingExecutor,
  unlockPlan,
} from '../../approvals/testing/approval-fixture.ts'
import { SqliteUserStore } from '../../identity/sqlite-user-store.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import { createApp } from '../create-app.ts'

// Who may confirm what through the HTTP API, as the chat page's Confirm button calls it.

let app: ReturnType<typeof createApp>
let stack: ApprovalStack
let directory: string
let instructions: Map<string, Instruction>
const executor = new RecordingExecutor()
const users = new SqliteUserStore({ file: ':memory:' })
const tokens: Record<string, string> = {}

beforeAll(async () => {
  const runtime = await buildMemoryRuntime()
  tokens.jdoe = (await users.add('jdoe', 'requester')).token
  tokens['maria.garcia'] = (await users.add('maria.garcia', 'requester')).token
  tokens.helper = (await users.add('helper', 'technician')).token
  instructions = await loadTestInstructions()
  directory = mkdtempSync(path.join(tmpdir(), 'approval-routes-'))
  stack = openApprovalStack({
    file: path.join(directory, 'helpdesk.sqlite'),
    instructions,
    executor,
  })
  app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: () => {},
    approvals: stack.service,
  })
})

afterAll(async () => {
  await stack.close()
  await users.close()
  rmSync(directory, { recursive: true, force: true })
})

const approve = (id: string, username: string) =>
  app.request(`/api/approvals/${id}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens[username]}`, 'content-type': 'application/json' },
    body: '{}',
  })

describe('POST /api/approvals/:id/approve by the requester', () => {
  it('confirms their own level-1 request, which then runs', async () => {
    const request = await stack.service.requestApproval({
      plan: cleanCachesPlan(instructions),
      requester: 'jdoe',
    })
    expect(request.level).toBe(1)
    const response = await approve(request.id, 'jdoe')
    expect(response.status).toBe(200)
    const body = (await response.json()) as { approval: ApprovalRequest }
    expect(body.approval.status).toBe('executed')
    expect(body.approval.decisions).toMatchObject([{ approver: 'jdoe', role: 'requester' }])
  })

  it("cannot confirm someone else's level-1 request, which is a 404 to them: it stays pending", async () => {
    const request = await stack.service.requestApproval({
      plan: cleanCachesPlan(instructions),
      requester: 'jdoe',
    })
    const response = await approve(request.id, 'maria.garcia')
    expect(response.status).toBe(404)
    // The very answer an unknown id gets: neither that it exists nor whose it is.
    const unknown = await approve('00000000-0000-4000-8000-000000000000', 'maria.garcia')
    const message = async (answer: Response) =>
      ((await answer.json()) as { error: { message: string } }).error.message
    expect((await message(response)).replace(request.id, 'ID')).toBe(
      (await message(unknown)).replace('00000000-0000-4000-8000-000000000000', 'ID'),
    )
    expect((await stack.service.get(request.id)).status).toBe('pending')
  })

  it('cannot confirm their own level-2 request: a technician must', async () => {
    const request = await stack.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    const response = await approve(request.id, 'jdoe')
    expect(response.status).toBe(403)
    const body = (await response.json()) as { error: { message: string } }
    expect(body.error.message).toMatch(/cannot approve it; a technician other than the requester/)
    expect((await stack.service.get(request.id)).status).toBe('pending')
  })

  it('lets no technician approve a level-2 request they asked for someone else', async () => {
    const request = await stack.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
      actor: 'helper',
    })
    const response = await approve(request.id, 'helper')
    expect(response.status).toBe(403)
    const body = (await response.json()) as { error: { message: string } }
    expect(body.error.message).toMatch(/helper asked for this plan and cannot approve it/)
    expect((await stack.service.get(request.id)).status).toBe('pending')
  })
})

describe('POST /api/approvals/:id/approve with a reason', () => {
  const approveWith = (id: string, username: string, body: unknown) =>
    app.request(`/api/approvals/${id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[username]}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  it('keeps the reason in the decision and in the audit record of the grant', async () => {
    const request = await stack.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    const response = await approveWith(request.id, 'helper', {
      reason: '  called jdoe back on the desk phone  ',
    })
    expect(response.status).toBe(200)
    const body = (await response.json()) as { approval: ApprovalRequest }
    expect(body.approval.decisions).toMatchObject([
      { approver: 'helper', outcome: 'approved', reason: 'called jdoe back on the desk phone' },
    ])
    const records = await stack.audit.list({ newest: true, limit: 20 })
    const grant = records.find(
      (record) => record.action === 'approval-grant' && JSON.stringify(record).includes(request.id),
    )
    expect(grant?.detail).toMatchObject({ reason: 'called jdoe back on the desk phone' })
  })

  it('refuses a blank reason, naming the field, and decides nothing', async () => {
    const request = await stack.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    const response = await approveWith(request.id, 'helper', { reason: '   ' })
    expect(response.status).toBe(400)
    const body = (await response.json()) as { error: { message: string } }
    expect(body.error.message).toMatch(/reason/)
    expect((await stack.service.get(request.id)).status).toBe('pending')
  })

  it.each([
    ['approve', { reason: 'checked \u202Egnp.exe' }, 'U+202E'],
    ['deny', { reason: 'not\u200B now' }, 'U+200B'],
    ['resume', { reason: 'looked\u2066 at it', resolve: {} }, 'U+2066'],
  ])(
    'refuses a %s reason with an invisible or format character, naming it',
    async (decision, body, named) => {
      const request = await stack.service.requestApproval({
        plan: unlockPlan(instructions),
        requester: 'jdoe',
      })
      const response = await app.request(`/api/approvals/${request.id}/${decision}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.helper}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      expect(response.status).toBe(400)
      const answer = (await response.json()) as { error: { code: string; message: string } }
      expect(answer.error.code).toBe('INVALID_INPUT')
      expect(answer.error.message).toMatch(/reason/)
      expect(answer.error.message).toContain(named)
      expect((await stack.service.get(request.id)).status).toBe('pending')
    },
  )
})
