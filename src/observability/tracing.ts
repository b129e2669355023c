/**
 * OpenTelemetry traces, off unless asked for: with the standard settings
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or
 * `OTEL_TRACES_EXPORTER=otlp`) the process exports spans over OTLP/HTTP (JSON) to a collector:
 * one per HTTP request (continuing a caller's W3C `traceparent`), chat turn, routing decision,
 * Chroma call, project-store call and executor run, each a child of the one it ran in.
 *
 * Off, nothing is set up and `inSpan` calls its function straight away: no SDK, no context
 * manager, no span objects, so a server without the settings pays one branch per measured call.
 *
 * Span attributes come from closed sets only (route templates, framework names, task types,
 * store and operation names, executor kinds, outcome statuses): never a message, a username, a
 * host name, a token or a credential, like the metrics (metrics.ts). The exporter's own settings
 * (endpoint, `OTEL_EXPORTER_OTLP_HEADERS` with a collector's key) are read by the exporter and never
 * logged; the start-up line names the collector's origin only.
 * @module
 */
import {
  type Attributes,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { HelpdeskError } from '../errors/index.ts'

/** The tracer while tracing is on; undefined (the default) makes every `inSpan` a plain call. */
let activeTracer: Tracer | undefined

/** What `startTracing` decided from the environment. */
export type TracingSettings =
  | { enabled: false }
  | {
      enabled: true
      serviceName: string
      /** Where spans are sent: the traces endpoint, or the base endpoint's `/v1/traces`. */
      url: string
      /** The collector's origin only, for the log: a URL may carry a user and password. */
      endpoint: string
      scheduleDelayMs: number
    }

const DEFAULT_ENDPOINT = 'http://localhost:4318'
/** OpenTelemetry's default pause between two exports of buffered spans. */
const DEFAULT_SCHEDULE_DELAY_MS = 5000

function setting(environment: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = environment[name]?.trim()
  return value === undefined || value === '' ? undefined : value
}

/**
 * Reads the standard OpenTelemetry settings. Tracing is on with `OTEL_TRACES_EXPORTER=otlp`, or
 * when that is unset and an OTLP endpoint is given; `OTEL_SDK_DISABLED=true` or
 * `OTEL_TRACES_EXPORTER=none` keep it off. Only OTLP over HTTP with JSON bodies is built in.
 * @throws {HelpdeskError} INVALID_CONFIGURATION naming the setting when it asks for anything else.
 */
export function tracingSettings(
  environment: NodeJS.ProcessEnv,
  defaultServiceName: string,
): TracingSettings {
  const disabled = setting(environment, 'OTEL_SDK_DISABLED')
  if (disabled !== undefined && !['true', 'false'].includes(disabled.toLowerCase())) {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: `OTEL_SDK_DISABLED: expected true or false, got "${disabled}"`,
    })
  }
  if (disabled?.toLowerCase() === 'true') return { enabled: false }
  const exporter = setting(environment, 'OTEL_TRACES_EXPORTER')?.toLowerCase()
  if (exporter !== undefined && exporter !== 'otlp' && exporter !== 'none') {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: `OTEL_TRACES_EXPORTER: expected otlp or none, got "${exporter}" (traces go out over OTLP/HTTP; a collector can forward them anywhere)`,
    })
  }
  const tracesEndpoint = setting(environment, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
  const baseEndpoint = setting(environment, 'OTEL_EXPORTER_OTLP_ENDPOINT')
  if (exporter === 'none' || (exporter === undefined && !tracesEndpoint && !baseEndpoint))
    return { enabled: false }
  const protocol =
    setting(environment, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ??
    setting(environment, 'OTEL_EXPORTER_OTLP_PROTOCOL')
  if (protocol !== undefined && protocol !== 'http/json') {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: `OTEL_EXPORTER_OTLP_PROTOCOL: only http/json is built in, got "${protocol}" (leave it unset; every OpenTelemetry collector takes JSON on /v1/traces)`,
    })
  }
  const endpoint = tracesEndpoint ?? baseEndpoint ?? DEFAULT_ENDPOINT
  let parsed: URL
  try {
    parsed = new URL(endpoint)
  } catch {
    parsed = new URL('invalid:')
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: `${tracesEndpoint ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT'}: expected an http:// or https:// URL of an OTLP/HTTP collector (such as http://collector:4318)`,
    })
  }
  const delay = setting(environment, 'OTEL_BSP_SCHEDULE_DELAY')
  if (delay !== undefined && !/^[1-9][0-9]{0,6}$/.test(delay)) {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: `OTEL_BSP_SCHEDULE_DELAY: expected milliseconds between exports as a whole number from 1 to 9999999, got "${delay}"`,
    })
  }
  return {
    enabled: true,
    scheduleDelayMs: delay === undefined ? DEFAULT_SCHEDULE_DELAY_MS : Number(delay),
    serviceName: setting(environment, 'OTEL_SERVICE_NAME') ?? defaultServiceName,
    url: tracesEndpoint ?? `${endpoint.replace(/\/+$/, '')}/v1/traces`,
    endpoint: parsed.origin,
  }
}

/** Running tracing: `shutdown` sends what is still buffered and stops. */
export interface TracingHandle {
  shutdown(): Promise<void>
}

/**
 * Starts tracing when the environment asks for it (see `tracingSettings`); undefined when it does
 * not. The exporter reads its endpoint, headers and timeout from the same standard settings.
 */
export function startTracing(
  environment: NodeJS.ProcessEnv,
  options: { serviceName: string; log: (line: string) => void },
): TracingHandle | undefined {
  const settings = tracingSettings(environment, options.serviceName)
  if (!settings.enabled) return undefined
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor({
        // The URL from the environment given (the exporter would read process.env only); its
        // headers and timeout settings it reads itself.
        exporter: new OTLPTraceExporter({ url: settings.url }),
        scheduledDelayMillis: settings.scheduleDelayMs,
      }),
    ],
  })
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  trace.setGlobalTracerProvider(provider)
  activeTracer = trace.getTracer('helpdesk')
  options.log(
    `tracing: exporting spans of ${settings.serviceName} over OTLP/HTTP to ${settings.endpoint}`,
  )
  return {
    shutdown: async () => {
      activeTracer = undefined
      await provider.shutdown()
      trace.disable()
      propagation.disable()
      context.disable()
    },
  }
}

/** Whether spans are being recorded (tracing was started). */
export function tracingEnabled(): boolean {
  return activeTracer !== undefined
}

export interface SpanOptions {
  attributes?: Attributes
  kind?: SpanKind
  /** Continue this trace (the HTTP request's W3C headers), instead of the current span's. */
  carrier?: Record<string, string>
}

/**
 * Runs `run` inside a span named `name` (a child of the current one) and ends the span when `run`
 * returns or its promise settles, with an error status when it throws. Without tracing, calls
 * `run(undefined)` and nothing else.
 */
export function inSpan<T>(
  name: string,
  options: SpanOptions,
  run: (span: Span | undefined) => T,
): T {
  const tracer = activeTracer
  if (!tracer) return run(undefined)
  const parent = options.carrier ? propagation.extract(ROOT_CONTEXT, options.carrier) : undefined
  const spanOptions = {
    kind: options.kind ?? SpanKind.INTERNAL,
    ...(options.attributes ? { attributes: options.attributes } : {}),
  }
  const body = (span: Span): T => {
    const failed = (error: unknown) => {
      // The error's code, not its message: a message may quote what someone typed.
      const code = (error as { code?: unknown } | null)?.code
      span.setStatus({
        code: SpanStatusCode.ERROR,
        ...(typeof code === 'string' ? { message: code } : {}),
      })
      span.end()
    }
    let returned: T
    try {
      returned = run(span)
    } catch (error) {
      failed(error)
      throw error
    }
    if (returned instanceof Promise) {
      return returned.then(
        (value: unknown) => {
          span.end()
          return value
        },
        (error: unknown) => {
          failed(error)
          throw error
        },
      ) as T
    }
    span.end()
    return returned
  }
  return parent
    ? tracer.startActiveSpan(name, spanOptions, parent, body)
    : tracer.startActiveSpan(name, spanOptions, body)
}

export { SpanKind }
