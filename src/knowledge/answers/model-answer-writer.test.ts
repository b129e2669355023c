import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import {
  type RecordedAnswer,
  startRecordedLlmServer,
} from '../../../tests/support/recorded-llm-server.ts'
import { guardedModelFetch } from '../../models/guarded-model-fetch.ts'
import { answerWriterContract, CONTRACT_REQUEST } from './answer-writer-contract.case.test.ts'
import { ANSWER_SYSTEM_PROMPT, ModelAnswerWriter } from './model-answer-writer.ts'

/** The recorded chat-completions answer to "how do I map a network drive". */
const RECORDED: RecordedAnswer[] = JSON.parse(
  readFileSync('tests/fixtures/llm-recordings/answer-map-network-drive.json', 'utf8'),
)
const RECORDED_TEXT = String(
  (RECORDED[0]?.body as { choices?: Array<{ message?: { content?: string } }> } | undefined)
    ?.choices?.[0]?.message?.content,
)

function completion(content: unknown): RecordedAnswer {
  return { status: 200, body: { choices: [{ index: 0, message: { role: 'assistant', content } }] } }
}

async function writerOver(answers: RecordedAnswer[]) {
  const server = await startRecordedLlmServer(answers)
  const endpoint = {
    baseURL: server.baseURL,
    model: 'llama3.1',
    apiKey: 'test-key',
    fetch: guardedModelFetch({
      baseURL: server.baseURL,
      model: 'llama3.1',
      timeoutMs: 2000,
      maxRetries: 0,
    }),
  }
  const logged: string[] = []
  const writer = new ModelAnswerWriter(endpoint, { log: (line) => logged.push(line) })
  return { server, writer, logged }
}

answerWriterContract('ModelAnswerWriter', async () => {
  const { server, writer } = await writerOver([...RECORDED, ...RECORDED])
  return { writer, close: server.close }
})

answerWriterContract('ModelAnswerWriter with its model down (falls back)', async () => {
  const { server, writer } = await writerOver([])
  return { writer, close: server.close }
})

describe('ModelAnswerWriter', () => {
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    await close?.()
    close = undefined
  })

  it('sends the retrieved passages and the question only, and says to answer from them only', async () => {
    const { server, writer } = await writerOver(RECORDED)
    close = server.close
    const answer = await writer.write(CONTRACT_REQUEST)
    expect(answer.text.startsWith(RECORDED_TEXT)).toBe(true)
    expect(server.requests).toHaveLength(1)
    const body = server.requests[0]?.body as {
      model: string
      messages: Array<{ role: string; content: string }>
      tools?: unknown
    }
    expect(server.requests[0]?.authorization).toBe('Bearer test-key')
    expect(body.model).toBe('llama3.1')
    expect(body.tools).toBeUndefined()
    expect(body.messages[0]).toEqual({ role: 'system', content: ANSWER_SYSTEM_PROMPT })
    expect(ANSWER_SYSTEM_PROMPT).toMatch(/ONLY the runbook passages/)
    const user = body.messages[1]?.content ?? ''
    for (const passage of CONTRACT_REQUEST.passages) expect(user).toContain(passage.text)
    expect(user).toContain('Question: how do I map a network drive')
    expect(body.messages).toHaveLength(2)
  })

  it.each([
    ['an empty answer', [completion('  ')]],
    ['no content (a tool call)', [completion(null)]],
    ['a server error', [{ status: 500, body: { error: { message: 'overloaded' } } }]],
    ['an answer that is not JSON', [{ status: 200, body: 'not json' }]],
  ])('falls back to the extractive answer on %s, and says so in the log', async (_, answers) => {
    const { server, writer, logged } = await writerOver(answers)
    close = server.close
    const answer = await writer.write(CONTRACT_REQUEST)
    expect(answer.text.startsWith('From the runbooks (nothing was run):')).toBe(true)
    expect(answer.text).toContain(CONTRACT_REQUEST.passages[0]?.text)
    expect(logged.join('\n')).toMatch(/the extractive answer is used/)
  })

  it('falls back when the model does not answer in time', async () => {
    const { server, writer } = await writerOver([{ ...RECORDED[0], status: 200, delayMs: 4000 }])
    close = server.close
    const answer = await writer.write(CONTRACT_REQUEST)
    expect(answer.text.startsWith('From the runbooks (nothing was run):')).toBe(true)
  })

  it('answers through the core with the recorded model answer, cited, and no plan', async () => {
    const { server, writer } = await writerOver(RECORDED)
    close = server.close
    const { core } = await buildMemoryRuntime({ answerWriter: writer })
    const result = await core.handleTurn({ message: 'how do I map a network drive' })
    expect(result.reply).toBe(result.answer?.text)
    expect(result.reply.startsWith(RECORDED_TEXT)).toBe(true)
    expect(result.reply).toMatch(
      /Source: Get access to a shared drive, or bring back a missing or disconnected mapped drive › /,
    )
    expect(result.answer?.sources.every((source) => source.runbook === 'shared_drive_access')).toBe(
      true,
    )
    expect(result.plan).toEqual([])
    expect(result.approvals).toBeUndefined()
    // Only the question and that runbook's passages reached the model.
    const user = String(
      (server.requests[0]?.body.messages?.[1] as { content?: string } | undefined)?.content,
    )
    expect(user).toContain('Runbook: Get access to a shared drive')
    expect(user).not.toMatch(/When to use|Escalation/)
  })
})
