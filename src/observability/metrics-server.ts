import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { metricsHandler } from './http-observability.ts'
import { type HelpdeskMetrics, metrics as processMetrics } from './metrics.ts'

/**
 * `/metrics` alone on a port of its own, for a process that serves nothing else: `helpdesk
 * worker` counts the jobs it runs (helpdesk_jobs_total, helpdesk_job_target_steps_total) in its
 * own memory, which no API replica's /metrics can show. Same token, same answers as the API's.
 * @module
 */
export interface MetricsServer {
  port: number
  close(): Promise<void>
}

export function startMetricsServer(options: {
  host: string
  port: number
  /** The scrape token (HELPDESK_METRICS_TOKEN_FILE's content). */
  token: string
  metrics?: HelpdeskMetrics
}): Promise<MetricsServer> {
  const app = new Hono()
  app.get('/metrics', metricsHandler(options.token, options.metrics ?? processMetrics))
  app.notFound((context) =>
    context.json({ error: { code: 'NOT_FOUND', message: 'only /metrics is served here' } }, 404),
  )
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: options.host, port: options.port },
      (info: AddressInfo) =>
        resolve({
          port: info.port,
          close: () =>
            new Promise((closed) => {
              server.close(() => closed())
            }),
        }),
    )
    server.once('error', reject)
  })
}
