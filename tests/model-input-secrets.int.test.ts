import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LangChainAgent } from '../src/agent/adapters/langchain-agent.ts'
import { MastraAgent } from '../src/agent/adapters/mastra-agent.ts'
import { OpenAiAgentsAgent } from '../src/agent/adapters/openai-agents-agent.ts'
import { AgentToolbox } from '../src/agent/agent-toolbox.ts'
import { lastReply } from '../src/agent/event-stream.ts'
import { buildRuntime, type HelpdeskRuntime } from '../src/app/build-runtime.ts'
import { dryRunSteps } from '../src/app/chat-step-runner.ts'
import { loadConfig } from '../src/config/load-config.ts'
import { MemoryVectorStore } from '../src/knowledge/memory-vector-store.ts'
import { modelEndpointFromEnvironment } from '../src/models/model-endpoint.ts'
import { startTestService } from './support/test-services.ts'

let runtime: HelpdeskRuntime
let secrets: string[] = []
const savedEnvironment = { ...process.env }

beforeAll(async () => {
  const directory = await startTestService('samba-dc')
  secrets = [
    readFileSync(directory.LDAP_BIND_PASSWORD_FILE ?? '', 'utf8').trim(),
    directory.LDAP_USER_PASSWORD ?? '',
  ]
  // The executors read their settings from the environment, as in production.
  Object.assign(process.env, {
    AD_URL: directory.LDAP_URL,
    AD_BASE_DN: directory.LDAP_BASE_DN,
    AD_BIND_DN: directory.LDAP_BIND_DN,
    AD_BIND_CREDENTIAL: `file:${directory.LDAP_BIND_PASSWORD_FILE}`,
    AD_CA_FILE: directory.LDAP_CA_FILE,
    AD_TLS_SERVERNAME: directory.LDAP_TLS_SERVERNAME,
  })
  runtime = await buildRuntime(
    loadConfig({
      ...process.env,
      HELPDESK_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'model-input-')),
    }),
    {
      log: () => {},
      ingest: true,
      execution: true,
      persistence: true,
      store: new MemoryVectorStore(),
    },
  )
})

afterAll(async () => {
  await runtime?.close()
  process.env = savedEnvironment
})

describe('model input never carries a credential', () => {
  it('records every request each model-driven adapter sends to the model: no secret in any', async () => {
    const recorded: string[] = []
    const endpoint = modelEndpointFromEnvironment({})
    const offline = endpoint.fetch
    if (!offline) throw new Error('expected the offline model')
    const recording = {
      ...endpoint,
      fetch: (async (input, init) => {
        recorded.push(typeof init?.body === 'string' ? init.body : String(init?.body ?? ''))
        return offline(input, init)
      }) as typeof fetch,
    }
    const toolbox = new AgentToolbox({
      core: runtime.core,
      router: runtime.router,
      instructions: runtime.knowledge.instructions,
      runStep: dryRunSteps(),
    })
    for (const agent of [
      new LangChainAgent(toolbox, recording),
      new OpenAiAgentsAgent(toolbox, recording),
      new MastraAgent(toolbox, recording),
    ]) {
      // Real directory reads run in these turns (the bind password is used), and a reset is held.
      for (const message of [
        'user dave is locked out of active directory',
        'reset the AD password of user dave',
      ]) {
        const result = await lastReply(agent.handleTurn({ message, requester: 'dave' }))
        expect(result.results.some((each) => each.status === 'succeeded')).toBe(true)
      }
    }
    expect(recorded.length).toBeGreaterThan(20)
    for (const body of recorded)
      for (const secret of secrets) expect(body.includes(secret)).toBe(false)
  })
})
