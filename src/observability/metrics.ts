/**
 * The server's Prometheus metrics (prom-client) in one registry of their own: chat turns and their
 * latency by agent framework, routing decisions, approval state changes, execution step outcomes
 * by executor, Chroma and database call latency, errors by code, HTTP requests by route template,
 * and prom-client's default process metrics (CPU, memory, event loop lag, handles).
 *
 * Labels take values from closed, small sets only (framework names, runbook task types, approval
 * states, executor kinds, error codes, route templates): never a username, a session id, a raw path
 * or anything a caller typed, so the endpoint can leak neither secrets nor who uses the helpdesk.
 *
 * One process-wide instance (`metrics`), like prom-client's own default registry: the parts that
 * are measured (stores, executors, the chat path) sit deep in the runtime, and threading a metrics
 * object through every constructor would buy nothing a scrape cannot tell apart anyway.
 * @module
 */
import type { Attributes } from '@opentelemetry/api'
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import { inSpan, SpanKind, tracingEnabled } from './tracing.ts'

/** Seconds; a chat turn is 5 ms offline to tens of seconds with a model. */
const TURN_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
/** Seconds; store and Chroma calls are sub-millisecond to a timeout of a few seconds. */
const CALL_BUCKETS = [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

/** What one measured call did: its outcome is `ok` or `error` (the error itself is counted apart). */
export type CallOutcome = 'ok' | 'error'

export class HelpdeskMetrics {
  readonly registry = new Registry()
  readonly chatTurns = new Counter({
    name: 'helpdesk_chat_turns_total',
    help: 'Chat turns answered, by agent framework and outcome (ok or error).',
    labelNames: ['framework', 'outcome'] as const,
    registers: [this.registry],
  })
  readonly chatTurnSeconds = new Histogram({
    name: 'helpdesk_chat_turn_duration_seconds',
    help: 'Time to answer one chat turn, by agent framework.',
    labelNames: ['framework'] as const,
    buckets: TURN_BUCKETS,
    registers: [this.registry],
  })
  readonly routingDecisions = new Counter({
    name: 'helpdesk_routing_decisions_total',
    help: 'Routing decisions of chat turns: one per routed task type, or task="none" with out_of_scope="true".',
    labelNames: ['task', 'out_of_scope'] as const,
    registers: [this.registry],
  })
  readonly approvalTransitions = new Counter({
    name: 'helpdesk_approval_transitions_total',
    help: 'Approval requests entering a state (pending, approved, denied, expired, executed, interrupted).',
    labelNames: ['state'] as const,
    registers: [this.registry],
  })
  readonly executionSteps = new Counter({
    name: 'helpdesk_execution_steps_total',
    help: 'Plan steps that went through the execution service, by executor kind and outcome status.',
    labelNames: ['executor', 'status'] as const,
    registers: [this.registry],
  })
  readonly jobs = new Counter({
    name: 'helpdesk_jobs_total',
    help: 'Background jobs (operations on machines) ended by the process that ran them, by status (succeeded, failed, cancelled).',
    labelNames: ['status'] as const,
    registers: [this.registry],
  })
  readonly jobTargetSteps = new Counter({
    name: 'helpdesk_job_target_steps_total',
    help: "A background job's step on one machine reaching its final state, by executor (bash over SSH, powershell over WinRM; none: never reached a machine) and state.",
    labelNames: ['executor', 'state'] as const,
    registers: [this.registry],
  })
  readonly chromaSeconds = new Histogram({
    name: 'helpdesk_chroma_call_duration_seconds',
    help: 'Calls to the vector store (Chroma), by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: CALL_BUCKETS,
    registers: [this.registry],
  })
  readonly databaseSeconds = new Histogram({
    name: 'helpdesk_database_call_duration_seconds',
    help: 'Calls to the project store (sessions, users, approvals, the step ledger), by store, operation and outcome.',
    labelNames: ['store', 'operation', 'outcome'] as const,
    buckets: CALL_BUCKETS,
    registers: [this.registry],
  })
  readonly errors = new Counter({
    name: 'helpdesk_errors_total',
    help: 'Errors answered to clients, by error code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  })
  readonly httpRequests = new Counter({
    name: 'helpdesk_http_requests_total',
    help: 'HTTP requests, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  })
  readonly httpSeconds = new Histogram({
    name: 'helpdesk_http_request_duration_seconds',
    help: 'HTTP request time until the answer starts, by method and route template.',
    labelNames: ['method', 'route'] as const,
    buckets: TURN_BUCKETS,
    registers: [this.registry],
  })

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'helpdesk_' })
  }

  /** The text a scrape gets, and its content type. */
  async exposition(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType }
  }
}

/** The process-wide metrics the server exposes on /metrics. */
export const metrics = new HelpdeskMetrics()

/**
 * `target` with every method timed: each call (async or not) reports its name, duration and
 * outcome to `observe`, with its result when it returned one. The methods run on the target
 * itself, so classes with private fields work unchanged.
 */
export function timedCalls<T extends object>(
  target: T,
  observe: (call: {
    operation: string
    seconds: number
    outcome: CallOutcome
    result?: unknown
  }) => void,
  spanOf?: (operation: string) => { name: string; attributes: Attributes } | undefined,
): T {
  return new Proxy(target, {
    get(object, property) {
      // The target as `this`, for getters too: private fields (#x) are not reachable through a proxy.
      const value: unknown = Reflect.get(object, property, object)
      if (typeof value !== 'function' || typeof property !== 'string') return value
      const method = value as (...parameters: unknown[]) => unknown
      const call = (...parameters: unknown[]) => {
        const started = performance.now()
        const done = (outcome: CallOutcome, result?: unknown) =>
          observe({
            operation: property,
            seconds: (performance.now() - started) / 1000,
            outcome,
            ...(outcome === 'ok' ? { result } : {}),
          })
        let returned: unknown
        try {
          returned = method.apply(object, parameters)
        } catch (error) {
          done('error')
          throw error
        }
        if (returned instanceof Promise) {
          return returned.then(
            (result: unknown) => {
              done('ok', result)
              return result
            },
            (error: unknown) => {
              done('error')
              throw error
            },
          )
        }
        done('ok', returned)
        return returned
      }
      return (...parameters: unknown[]) => {
        // Checked first so that, with tracing off, no span description is even built.
        const span = tracingEnabled() ? spanOf?.(property) : undefined
        return span
          ? inSpan(span.name, { kind: SpanKind.CLIENT, attributes: span.attributes }, () =>
              call(...parameters),
            )
          : call(...parameters)
      }
    },
  })
}

/** A project store whose calls are timed as `store` in `helpdesk_database_call_duration_seconds`. */
export function meteredStore<T extends object>(
  store: T,
  name: string,
  onResult?: (operation: string, result: unknown) => void,
  into: HelpdeskMetrics = metrics,
): T {
  return timedCalls(
    store,
    ({ operation, seconds, outcome, result }) => {
      // close() and the like are not queries; they would only blur the latency.
      if (operation === 'close') return
      into.databaseSeconds.observe({ store: name, operation, outcome }, seconds)
      if (outcome === 'ok') onResult?.(operation, result)
    },
    (operation) =>
      operation === 'close'
        ? undefined
        : {
            name: `db ${name}.${operation}`,
            attributes: { 'helpdesk.store': name, 'db.operation.name': operation },
          },
  )
}

/** A vector store whose calls are timed in `helpdesk_chroma_call_duration_seconds`. */
export function meteredVectorStore<T extends object>(store: T, into: HelpdeskMetrics = metrics): T {
  return timedCalls(
    store,
    ({ operation, seconds, outcome }) => {
      into.chromaSeconds.observe({ operation, outcome }, seconds)
    },
    (operation) => ({
      name: `chroma ${operation}`,
      attributes: { 'db.system.name': 'chromadb', 'db.operation.name': operation },
    }),
  )
}

const APPROVAL_STATES = new Set([
  'pending',
  'approved',
  'denied',
  'expired',
  'executed',
  'interrupted',
])

/**
 * Counts the states approval requests enter, from what the approval store's changing calls
 * return (a request, a list of requests, or nothing when another caller changed it first).
 */
export function countApprovalStates(into: HelpdeskMetrics = metrics) {
  return (operation: string, result: unknown): void => {
    if (operation === 'get' || operation === 'list') return
    const requests = Array.isArray(result) ? result : result === undefined ? [] : [result]
    for (const request of requests) {
      const state = (request as { status?: unknown } | null)?.status
      if (typeof state === 'string' && APPROVAL_STATES.has(state))
        into.approvalTransitions.inc({ state })
    }
  }
}
