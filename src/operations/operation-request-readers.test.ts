import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  startRecordedLlmServer,
  toolCallResponse,
} from '../../tests/support/recorded-llm-server.ts'
import { loadYamlSettings } from '../config/yaml-settings-file.ts'
import { inventorySchema } from '../inventory/inventory-schema.ts'
import { modelEndpointFromEnvironment } from '../models/model-endpoint.ts'
import { COMPOSE_TOOL, ModelRequestReader } from './model-request-reader.ts'
import { OfflineRequestReader } from './offline-request-reader.ts'
import { OperationCatalog } from './operation-catalog.ts'
import {
  CONTRACT_REQUESTS,
  runOperationRequestReaderContract,
} from './operation-request-reader-contract.case.test.ts'
import { evaluationRecord } from './request-reader.ts'
import { type Fleet, fleetOf } from './request-targets.ts'

/**
 * Both readers through the one contract; then what only the model reader does: its valid answer
 * is used (and reads what the rules miss), a refused or failed one leaves the rules' reading,
 * and the model is told names, never addresses or credentials.
 */
let catalog: OperationCatalog
let fleet: Fleet

beforeAll(async () => {
  catalog = await OperationCatalog.load()
  fleet = fleetOf(
    await loadYamlSettings('tests/fixtures/operations-inventory.yaml', inventorySchema),
  )
})

/** The message the model was asked about, from a chat-completions request body. */
function askedAbout(init: RequestInit | undefined): string {
  const body = JSON.parse(String(init?.body)) as { messages: Array<{ content: string }> }
  return (JSON.parse(body.messages[1]?.content ?? '{}') as { message: string }).message
}

function toolAnswer(argumentsObject: unknown): Response {
  return toolCallResponse(COMPOSE_TOOL, JSON.stringify(argumentsObject))
}

/**
 * A loopback model that reads the contract's requests right and answers anything else with work
 * outside the catalog and the inventory (which the reader must refuse).
 */
const contractModel: typeof fetch = async (_input, init) => {
  const message = askedAbout(init)
  const known = CONTRACT_REQUESTS.find((request) => request.text === message)
  return toolAnswer(
    known?.expected ?? {
      kind: 'operation',
      operations: [{ operation: 'service.stop', parameters: { service: '$(curl' } }],
      targets: { machines: ['prod-core-01'], groups: [], all: false, os: null },
      condition: null,
    },
  )
}

const closers: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const close of closers) await close()
})

async function modelReader(
  answers: Parameters<typeof startRecordedLlmServer>[0],
  otherwise?: typeof fetch,
) {
  const server = await startRecordedLlmServer(answers, otherwise ? { otherwise } : {})
  closers.push(server.close)
  const log: string[] = []
  const reader = new ModelRequestReader({
    endpoint: modelEndpointFromEnvironment({
      LLM_BASE_URL: server.baseURL,
      LLM_MODEL: 'llama3.1',
      LLM_API_KEY: 'sk-local-test',
      LLM_MAX_RETRIES: '0',
    }),
    catalog,
    offline: new OfflineRequestReader(),
    log: (line) => log.push(line),
  })
  return { reader, log, requests: server.requests }
}

runOperationRequestReaderContract({
  name: 'OfflineRequestReader',
  create: async () => ({ reader: new OfflineRequestReader(), fleet, catalog }),
})

runOperationRequestReaderContract({
  name: 'ModelRequestReader (a loopback model)',
  create: async () => ({ reader: (await modelReader([], contractModel)).reader, fleet, catalog }),
})

describe('the model reader', () => {
  it('reads what the offline rules miss when its answer holds', async () => {
    const text = 'give db02 the once-over for chronyd health'
    const offline = await new OfflineRequestReader().read(text, fleet)
    expect(offline.operations).toEqual([])
    const expected = {
      kind: 'operation' as const,
      operations: [{ operation: 'service.status', parameters: { service: 'chronyd' } }],
      targets: { machines: ['db02'], groups: [], all: false, os: null },
      condition: null,
    }
    const { reader, log } = await modelReader([
      { status: 200, body: await toolAnswer(expected).json() },
    ])
    const read = await reader.read(text, fleet)
    expect(evaluationRecord(read)).toEqual(expected)
    expect(read.clarify).toBeNull()
    expect(log).toEqual([])
  })

  it('keeps the offline reading when the answer is refused, and logs why without the message', async () => {
    const text = 'restart nginx on web01'
    const { reader, log } = await modelReader([
      {
        status: 200,
        body: await toolAnswer({
          kind: 'operation',
          operations: [{ operation: 'system.reboot', parameters: {} }],
          targets: { machines: ['web01', 'db07'], groups: [], all: false, os: null },
          condition: null,
        }).json(),
      },
    ])
    const read = await reader.read(text, fleet)
    expect(read.operations).toEqual([
      { operation: 'service.restart', parameters: { service: 'nginx' } },
    ])
    expect(log).toEqual([
      'operations: the model\'s answer was refused, the offline reading stands: "db07" is no machine of the inventory',
    ])
  })

  it('keeps the offline reading when the model cannot be asked', async () => {
    const { reader, log } = await modelReader([
      { status: 500, body: { error: { message: 'overloaded' } } },
    ])
    const read = await reader.read('restart nginx on web01', fleet)
    expect(read.operations[0]?.operation).toBe('service.restart')
    expect(log[0]).toMatch(
      /^operations: the model could not be asked, the offline reading stands: it answered HTTP 500/,
    )
  })

  it("does not ask the model about an employee's problem that names no machine and no work", async () => {
    const { reader, requests } = await modelReader([], contractModel)
    expect((await reader.read('I forgot my password', fleet)).kind).toBe('employee')
    expect(requests).toHaveLength(0)
    await reader.read('restart nginx on web01', fleet)
    expect(requests).toHaveLength(1)
  })

  it('forces the one tool, and tells the model names and the catalog, never addresses or credentials', async () => {
    const { reader, requests } = await modelReader([], contractModel)
    await reader.read('check disk space on web01', fleet)
    const [request] = requests
    const sent = JSON.stringify(request?.body)
    expect(request?.body.tools?.map((tool) => tool.function.name)).toEqual([COMPOSE_TOOL])
    expect(sent).toContain('web01')
    expect(sent).toContain('service.restart')
    expect(sent).toContain('draft')
    for (const secret of ['127.0.0.1', 'EVAL_SSH_KEY', 'ssh-ed25519', 'credential', 'helpdesk@'])
      expect(sent).not.toContain(secret)
    // The catalog's scripts stay on the server: the model composes ids, not shell.
    expect(sent).not.toContain('systemctl')
  })
})

describe('the reader the configuration chooses', () => {
  it('is the offline rules without an LLM, the checked model with one', async () => {
    const { operationsReaderFromEnvironment } = await import('../app/build-operations-reader.ts')
    expect(operationsReaderFromEnvironment(catalog, () => {}, {}).description).toBe(
      'the offline rules',
    )
    const configured = operationsReaderFromEnvironment(catalog, () => {}, {
      LLM_BASE_URL: 'http://127.0.0.1:9/v1',
      LLM_MODEL: 'qwen2.5',
    })
    expect(configured).toBeInstanceOf(ModelRequestReader)
    expect(configured.description).toBe(
      'qwen2.5 at http://127.0.0.1:9/v1, checked against the catalog and inventory',
    )
  })
})
