import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildRuntime } from '../src/app/build-runtime.ts'
import { loadConfig } from '../src/config/load-config.ts'
import { HashingEmbeddingFunction } from '../src/embeddings/hashing-embedding-function.ts'
import { OpenAiEmbeddingFunction } from '../src/embeddings/openai-embedding-function.ts'
import { HelpdeskError } from '../src/errors/index.ts'
import { EmbeddedChromaServer } from '../src/knowledge/chroma/embedded-chroma-server.ts'
import { RUNTIME_CACHE_DIRECTORY, temporaryDirectory } from './support/temporary-directory.ts'

// No embedding model can be served here, so a local OpenAI-compatible endpoint stands in for one;
// the real `openai` client talks to it over HTTP, and the vectors go into a real Chroma.
const API_KEY = 'sk-test-secret-0123456789'
const standIn = new HashingEmbeddingFunction({ dimension: 256 })
const requests: Array<{ authorization: string | undefined; model: string; count: number }> = []
let mode: 'ok' | 'short' = 'ok'
let endpoint: Server
let baseUrl: string
let chroma: EmbeddedChromaServer
let chromaUrl: string
let directory: Awaited<ReturnType<typeof temporaryDirectory>>

beforeAll(async () => {
  endpoint = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => {
      body += chunk
    })
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/embeddings') {
        response.writeHead(404).end()
        return
      }
      const parsed = JSON.parse(body) as { model: string; input: string[] }
      requests.push({
        authorization: request.headers.authorization,
        model: parsed.model,
        count: parsed.input.length,
      })
      const inputs = mode === 'short' ? parsed.input.slice(1) : parsed.input
      const data = inputs.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: standIn.embedOne(text),
      }))
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(
        JSON.stringify({
          object: 'list',
          data,
          model: parsed.model,
          usage: { prompt_tokens: 1, total_tokens: 1 },
        }),
      )
    })
  })
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/v1`
  directory = await temporaryDirectory('helpdesk-openai')
  chroma = new EmbeddedChromaServer({
    dataDirectory: path.join(directory.path, 'chroma'),
    runtimeCacheDirectory: RUNTIME_CACHE_DIRECTORY,
  })
  chromaUrl = (await chroma.start()).url
})

afterAll(async () => {
  await chroma?.stop()
  endpoint?.close()
  await directory?.remove()
})

const environment = (overrides: Record<string, string>) =>
  loadConfig({ CHROMA_URL: chromaUrl, HELPDESK_DATA_DIR: directory.path, ...overrides })

describe('OpenAI-compatible embeddings', () => {
  it('ingests and routes through the endpoint, sending the key only to it', async () => {
    const logged: string[] = []
    const runtime = await buildRuntime(
      environment({
        EMBEDDING_PROVIDER: 'openai',
        EMBEDDING_BASE_URL: baseUrl,
        EMBEDDING_MODEL: 'test-embed',
        EMBEDDING_API_KEY: API_KEY,
      }),
      { log: (line) => logged.push(line), ingest: true },
    )
    try {
      expect(runtime.ingestReport?.added).toBe(runtime.ingestReport?.total)
      expect(runtime.ingestReport?.fingerprint).toBe(`openai:${baseUrl}:test-embed`)
      expect(
        requests.every(
          (each) => each.authorization === `Bearer ${API_KEY}` && each.model === 'test-embed',
        ),
      ).toBe(true)
      const decision = await runtime.router.route('vpn error 809 when I try to connect from home')
      expect(decision.tasks).toEqual(['vpn_not_connecting'])
      expect(JSON.stringify({ logged, report: runtime.ingestReport })).not.toContain(API_KEY)
    } finally {
      await runtime.close()
    }
  })

  it('rebuilds the collection when the embedding function changes, never mixing vectors', async () => {
    const runtime = await buildRuntime(environment({}), { log: () => {}, ingest: true })
    try {
      expect(runtime.ingestReport).toMatchObject({ reset: true, updated: 0, deleted: 0 })
      expect(runtime.ingestReport?.added).toBe(runtime.ingestReport?.total)
      expect(runtime.ingestReport?.fingerprint).toMatch(/^local-hashing:/)
      expect(await runtime.knowledge.store.count()).toBe(runtime.ingestReport?.total)
    } finally {
      await runtime.close()
    }
  })

  it('reports a malformed answer as EMBEDDING_FAILED', async () => {
    mode = 'short'
    const embedding = new OpenAiEmbeddingFunction({
      baseUrl,
      model: 'test-embed',
      apiKey: API_KEY,
      apiKeyVariable: 'EMBEDDING_API_KEY',
    })
    const error = await embedding.embed(['one', 'two']).catch((thrown: unknown) => thrown)
    mode = 'ok'
    expect(error).toBeInstanceOf(HelpdeskError)
    expect((error as HelpdeskError).code).toBe('EMBEDDING_FAILED')
    expect((error as HelpdeskError).message).toMatch(/returned 1 vectors for 2 texts/)
    expect((error as HelpdeskError).message).not.toContain(API_KEY)
  })
})
