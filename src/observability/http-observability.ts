/**
 * The HTTP side of observability: a middleware that gives each request an id (the caller's
 * `X-Request-Id` when it is a plain short token, else a new UUID), answers it in `X-Request-Id`,
 * runs the request inside `requestContext` so every log line of it carries the id, writes one
 * access line per request and counts it by route template; and the `/metrics` handler.
 *
 * /metrics is protected by a bearer token of its own (`HELPDESK_METRICS_TOKEN_FILE`), separate
 * from user tokens: a Prometheus scraper is not a helpdesk user, and a user token leaking through a
 * scrape configuration would open the API. Without that setting /metrics is off (404), so a
 * server never exposes it by accident. The metrics carry no usernames, ids or secrets anyway
 * (see metrics.ts); the token keeps load and usage figures to the operator.
 * @module
 */
import { randomUUID, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Context, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import type { Logger } from 'pino'
import { HelpdeskError } from '../errors/index.ts'
import { requestContext } from './logger.ts'
import { type HelpdeskMetrics, metrics as processMetrics } from './metrics.ts'
import { inSpan, SpanKind } from './tracing.ts'

/** Routes whose access lines are written at debug level: health probes and metric scrapes. */
const QUIET_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics'])

/** An incoming request id is kept only when it is this plain (it lands in logs and headers). */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/

/** The route template a request matched (`/api/sessions/:id`), never the raw path. */
export function routeTemplate(context: Context): string {
  const handlers = matchedRoutes(context).filter((route) => route.method !== 'ALL')
  return handlers.at(-1)?.path ?? 'unmatched'
}

export interface RequestObservation {
  /** The access log; without one, requests are only counted. */
  logger?: Logger
  metrics?: HelpdeskMetrics
}

export function observeRequests(options: RequestObservation = {}): MiddlewareHandler {
  const metrics = options.metrics ?? processMetrics
  return async (context, next) => {
    const given = context.req.header('x-request-id')
    const requestId = given && REQUEST_ID_PATTERN.test(given) ? given : randomUUID()
    const started = performance.now()
    const method = context.req.method
    const parent = context.req.header('traceparent')
    const state = context.req.header('tracestate')
    const carrier = parent
      ? { traceparent: parent, ...(state ? { tracestate: state } : {}) }
      : undefined
    await inSpan(method, { kind: SpanKind.SERVER, ...(carrier ? { carrier } : {}) }, (span) =>
      requestContext.run({ requestId }, async () => {
        context.header('X-Request-Id', requestId)
        await next()
        const route = context.res.status === 404 ? 'unmatched' : routeTemplate(context)
        const seconds = (performance.now() - started) / 1000
        // The route template names the span (OpenTelemetry's HTTP convention): never the raw path.
        span?.updateName(`${method} ${route}`)
        span?.setAttributes({
          'http.request.method': method,
          'http.route': route,
          'http.response.status_code': context.res.status,
          'helpdesk.request_id': requestId,
        })
        metrics.httpRequests.inc({ method, route, status: String(context.res.status) })
        metrics.httpSeconds.observe({ method, route }, seconds)
        // The path only: a query string may carry a sign-in code or state. Probes and scrapes
        // come every few seconds: their lines are debug, so the info log shows people's requests.
        const write = QUIET_ROUTES.has(route) ? options.logger?.debug : options.logger?.info
        write?.call(
          options.logger,
          {
            method,
            path: context.req.path,
            route,
            status: context.res.status,
            durationMs: Math.round(seconds * 1000),
          },
          'request',
        )
      }),
    )
  }
}

/** The scrape token from its file, whole content less surrounding whitespace, at least 16 characters. */
export function readMetricsToken(file: string): string {
  let content: string
  try {
    content = readFileSync(file, 'utf8')
  } catch (error) {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: `HELPDESK_METRICS_TOKEN_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      cause: error,
    })
  }
  const token = content.trim()
  if (token.length < 16 || /\s/.test(token)) {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: `HELPDESK_METRICS_TOKEN_FILE: ${file} must hold one token of at least 16 characters without spaces (${content.length} characters found), for example from: openssl rand -hex 32`,
    })
  }
  return token
}

function sameToken(given: string, expected: string): boolean {
  const left = Buffer.from(given)
  const right = Buffer.from(expected)
  return left.length === right.length && timingSafeEqual(left, right)
}

/**
 * GET /metrics: the Prometheus text, for a caller with `Authorization: Bearer <metrics token>`;
 * 404 when no token is configured, 401 without the right one.
 */
export function metricsHandler(
  token: string | undefined,
  metrics: HelpdeskMetrics = processMetrics,
): (context: Context) => Promise<Response> {
  return async (context) => {
    if (token === undefined) {
      return context.json(
        {
          error: {
            code: 'NOT_FOUND',
            message: 'metrics are off: set HELPDESK_METRICS_TOKEN_FILE to serve /metrics',
          },
        },
        404,
      )
    }
    const header = context.req.header('authorization') ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match?.[1] || !sameToken(match[1], token)) {
      context.header('WWW-Authenticate', 'Bearer realm="helpdesk-metrics"')
      return context.json(
        {
          error: {
            code: 'UNAUTHENTICATED',
            message: 'send Authorization: Bearer with the metrics token',
          },
        },
        401,
      )
    }
    const { body, contentType } = await metrics.exposition()
    return context.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' })
  }
}
