/**
 * A minimal OTLP/HTTP trace receiver on loopback for tests: it takes what an exporter POSTs to
 * `/v1/traces` (JSON, gzip or not), answers 200 like a collector, and keeps both the raw bodies
 * (to look for text that must never be exported) and the decoded spans.
 * @module
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

/** An OTLP attribute value as the JSON encoding spells it. */
interface OtlpValue {
  stringValue?: string
  boolValue?: boolean
  intValue?: string | number
  doubleValue?: number
  arrayValue?: { values?: OtlpValue[] }
}

/** One exported span, its attributes decoded to plain values. */
export interface ReceivedSpan {
  traceId: string
  spanId: string
  /** Empty for a root span. */
  parentSpanId: string
  name: string
  kind: number
  serviceName: string
  attributes: Record<string, unknown>
}

interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: OtlpValue }> }
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string
        spanId: string
        parentSpanId?: string
        name: string
        kind: number
        attributes?: Array<{ key: string; value: OtlpValue }>
      }>
    }>
  }>
}

function plain(value: OtlpValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue
  if (value.boolValue !== undefined) return value.boolValue
  if (value.intValue !== undefined) return Number(value.intValue)
  if (value.doubleValue !== undefined) return value.doubleValue
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plain)
  return undefined
}

function decodeAttributes(
  attributes: Array<{ key: string; value: OtlpValue }> = [],
): Record<string, unknown> {
  return Object.fromEntries(attributes.map(({ key, value }) => [key, plain(value)]))
}

export interface OtlpReceiver {
  /** The endpoint to give as OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string
  /** Every request body received, decompressed, as text. */
  bodies: string[]
  spans: ReceivedSpan[]
  /** Content types the exporter sent. */
  contentTypes: string[]
  close(): Promise<void>
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const bodies: string[] = []
  const spans: ReceivedSpan[] = []
  const contentTypes: string[] = []
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end()
        return
      }
      let raw = Buffer.concat(chunks)
      if (request.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw)
      const text = raw.toString('utf8')
      bodies.push(text)
      contentTypes.push(String(request.headers['content-type']))
      const exported = JSON.parse(text) as OtlpExport
      for (const resourceSpans of exported.resourceSpans ?? []) {
        const resource = decodeAttributes(resourceSpans.resource?.attributes)
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? '',
              name: span.name,
              kind: span.kind,
              serviceName: String(resource['service.name']),
              attributes: decodeAttributes(span.attributes),
            })
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    spans,
    contentTypes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
