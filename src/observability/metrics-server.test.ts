import { afterEach, describe, expect, it } from 'vitest'
import { HelpdeskMetrics } from './metrics.ts'
import { type MetricsServer, startMetricsServer } from './metrics-server.ts'

const TOKEN = 'scrape-token-0123456789abcdef'
let server: MetricsServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('the metrics port of a process without an API (helpdesk worker)', () => {
  it('answers /metrics to the scrape token only, with the job counters, and nothing else', async () => {
    const metrics = new HelpdeskMetrics({ processMetrics: false })
    metrics.jobs.inc({ status: 'succeeded' })
    metrics.jobTargetSteps.inc({ executor: 'bash', state: 'succeeded' })
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, token: TOKEN, metrics })
    const url = `http://127.0.0.1:${server.port}`

    const scraped = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(scraped.status).toBe(200)
    const text = await scraped.text()
    expect(text).toContain('helpdesk_jobs_total{status="succeeded"} 1')
    expect(text).toContain('helpdesk_job_target_steps_total{executor="bash",state="succeeded"} 1')

    expect((await fetch(`${url}/metrics`)).status).toBe(401)
    const wrong = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer nope' } })
    expect(wrong.status).toBe(401)
    expect(
      (await fetch(`${url}/api/jobs`, { headers: { authorization: `Bearer ${TOKEN}` } })).status,
    ).toBe(404)
  })
})
