import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../tests/support/memory-runtime.ts'
import type { TurnResult } from '../agent/core/turn.ts'
import { SqliteUserStore } from '../identity/sqlite-user-store.ts'
import { Inventory } from '../inventory/inventory.ts'
import { AccessPolicy } from '../policy/access-policy.ts'
import { AccountMap } from '../policy/account-map.ts'
import { createApp } from '../server/create-app.ts'
import { OperationCatalog } from './operation-catalog.ts'
import { OperationsDesk } from './operations-desk.ts'

/**
 * The chat hook (src/server/chat-turns.ts): a technician's operation gets the workflow preview and
 * an inventory question its answer, instead of an employee runbook; a requester asking for work
 * on servers or groups gets the access policy's refusal; employee requests go on as before.
 */

let app: ReturnType<typeof createApp>
const users = new SqliteUserStore({ file: ':memory:' })
const tokens: Record<string, string> = {}

beforeAll(async () => {
  const inventory = await Inventory.load('tests/fixtures/operations-inventory.yaml')
  const access = new AccessPolicy({ accounts: new AccountMap(), machines: inventory })
  const runtime = await buildMemoryRuntime({ access })
  tokens.tech = (await users.add('tech', 'technician')).token
  tokens.alice = (await users.add('alice', 'requester')).token
  app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: () => {},
    operations: new OperationsDesk({
      catalog: await OperationCatalog.load(),
      inventory,
      access,
      runbooks: runtime.router,
    }),
  })
})

async function chat(username: string, message: string, sessionId?: string): Promise<TurnResult> {
  const response = await app.request('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[username]}` },
    body: JSON.stringify({ message, ...(sessionId ? { sessionId } : {}) }),
  })
  expect(response.status).toBe(200)
  return (await response.json()) as TurnResult
}

describe('operations in the chat', () => {
  it("answers a technician's operation with the preview and the workflow, not a runbook", async () => {
    const result = await chat(
      'tech',
      'Stop the dataprocessor service on all servers in the Data Processing group',
    )
    expect(result.tasks).toEqual([])
    expect(result.plan).toEqual([])
    expect(result.reply).toContain('1. Stop the service dataprocessor')
    expect(result.reply).toContain('Linux 3 (dp01, dp02, dp03)')
    expect(result.operation?.kind).toBe('operation')
    expect(result.operation?.plan?.workflow.targets).toEqual(['dp01', 'dp02', 'dp03'])
    expect(result.operation?.plan?.workflow.steps[0]?.operation).toBe('service.stop')
  })

  it('answers inventory questions at once, and keeps the conversation', async () => {
    const first = await chat('tech', 'how many assets do we have?')
    expect(first.operation?.kind).toBe('inventory')
    expect(first.reply).toMatch(/^In the inventory: 22 machines/)
    const second = await chat('tech', 'check disk space on server web01', first.sessionId)
    expect(second.sessionId).toBe(first.sessionId)
    expect(second.operation?.plan?.workflow.steps[0]?.operation).toBe('disk.usage')
    const session = await app.request(`/api/sessions/${first.sessionId}`, {
      headers: { authorization: `Bearer ${tokens.tech}` },
    })
    expect(JSON.stringify(await session.json())).toContain('how many assets do we have?')
  })

  it('gives a requester the plain refusal for servers and groups, and nothing about the inventory', async () => {
    const server = await chat('alice', 'restart nginx on web01')
    expect(server.operation?.kind).toBe('refused')
    expect(server.refused?.[0]).toMatch(/web01 isn't one of the computers assigned to you/)
    const group = await chat('alice', 'reboot all the build agents')
    expect(group.refused?.[0]).toMatch(/whole group of machines/)
    const question = await chat('alice', 'how many servers are in the web servers group')
    expect(question.reply).toMatch(/for technicians/)
    expect(question.reply).not.toMatch(/web0\d/)
  })

  it('asks back what it could not read on named servers, never an employee runbook', async () => {
    const service = await chat('tech', 'restart the service on web01')
    expect(service.operation?.kind).toBe('clarify')
    expect(service.reply).toBe('Which service should I restart on web01?')
    expect(service.tasks).toEqual([])
    expect(service.operation?.plan).toBeUndefined()
    const vague = await chat('tech', 'something is off with the dp nodes, have a look')
    expect(vague.operation?.kind).toBe('clarify')
    expect(vague.reply).toMatch(/^What should I check on the data-processing group\?/)
    // A requester who only mentions a server has a problem for the runbooks, not fleet work.
    const requester = await chat('alice', 'the intranet on web02 is down for me')
    expect(requester.operation).toBeUndefined()
    expect(requester.tasks.length).toBeGreaterThan(0)
  })

  it('points the earlier operation at other machines: "same for web02"', async () => {
    const first = await chat('tech', 'restart nginx on web01')
    expect(first.operation?.plan?.workflow.targets).toEqual(['web01'])
    const same = await chat('tech', 'same for web02', first.sessionId)
    expect(same.operation?.kind).toBe('operation')
    expect(same.operation?.plan?.workflow.targets).toEqual(['web02'])
    expect(same.operation?.plan?.workflow.steps[0]?.operation).toBe('service.restart')
    expect(same.reply).toContain('nginx')
    const again = await chat('tech', 'and the same on the web servers group', first.sessionId)
    expect(again.operation?.plan?.workflow.targets).toEqual(['web01', 'web02', 'web03', 'web04'])
    // Without an earlier operation there is nothing to repeat: the runbooks or a question.
    const alone = await chat('tech', 'same for web02')
    expect(alone.operation?.plan).toBeUndefined()
  })

  it('reads an inventory question that goes on from the last one: "and how many..."', async () => {
    const first = await chat('tech', 'how many assets do we have?')
    const next = await chat('tech', 'and how many linux machines?', first.sessionId)
    expect(next.operation?.kind).toBe('inventory')
  })

  it("gives a technician's symptom on a named server the runbook, not a question", async () => {
    const slow = await chat('tech', 'web01 is running really slow since this morning')
    expect(slow.operation).toBeUndefined()
    expect(slow.tasks).toEqual(['laptop_running_slow'])
  })

  it('asks a technician which machines for an operation with no machine, never a runbook', async () => {
    const service = await chat('tech', 'restart nginx')
    expect(service.operation?.kind).toBe('clarify')
    expect(service.reply).toMatch(/^Which machines should I restart nginx on\?/)
    expect(service.tasks).toEqual([])
    // Package work reads as an employee's software request by its words; a technician is asked.
    const install = await chat('tech', 'install htop')
    expect(install.operation?.kind).toBe('clarify')
    expect(install.reply).toMatch(/^Which machines should I install htop on\?/)
    expect(install.tasks).toEqual([])
    // A requester with the same words gets the runbooks (their own machine).
    const requester = await chat('alice', 'install htop')
    expect(requester.operation).toBeUndefined()
  })

  it('previews an exclusion: the machines left out are not targets and are listed', async () => {
    const result = await chat('tech', 'restart nginx on all web servers except web04')
    expect(result.operation?.plan?.workflow.targets).toEqual(['web01', 'web02', 'web03'])
    expect(result.reply).toContain('- Left out as you asked: web04')
  })

  it('leaves employee requests to the runbooks, for technicians too', async () => {
    const employee = await chat('tech', 'outlook keeps asking for my password and will not sync')
    expect(employee.operation).toBeUndefined()
    expect(employee.tasks.length).toBeGreaterThan(0)
    const own = await chat('alice', 'please install Visio on LT-0423, my laptop')
    expect(own.operation).toBeUndefined()
  })
})
