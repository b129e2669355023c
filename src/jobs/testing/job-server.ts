/**
 * A job server in a child process, for the restart test: the embedded engine on the loopback
 * sshd with its store in a file, `recover()` at start as the real server does, and the job
 * routes on a loopback port with every caller a technician. Started with
 * `node src/jobs/testing/job-server.ts` and JSON options in HELPDESK_JOB_SERVER; prints one line
 * `{"port":N,"jobId":"..."}` when it listens (the job started when `start` was given).
 * @module
 */
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import type { AuthenticatedEnvironment } from '../../server/authentication.ts'
import { errorResponse } from '../../server/error-response.ts'
import { jobRoutes } from '../../server/routes/job-routes.ts'
import { sampleWorkflow } from './sample-workflow.ts'
import { openSshdEngine, type SshdFacts } from './sshd-fleet.ts'

interface JobServerOptions {
  facts: SshdFacts
  names: string[]
  databaseFile: string
  concurrency: number
  /** Start the sample workflow on every name with state in this directory. */
  start?: { directory: string; slowSeconds: number }
}

const options = JSON.parse(process.env.HELPDESK_JOB_SERVER ?? '{}') as JobServerOptions
const fleet = openSshdEngine(options)
await fleet.engine.recover()
let jobId: string | undefined
if (options.start) {
  jobId = await fleet.engine.start(
    sampleWorkflow({
      directory: options.start.directory,
      targets: options.names,
      slowSeconds: options.start.slowSeconds,
    }),
    {
      requester: 'alice',
      actor: 'tom',
      approval: {
        id: 'restart-test',
        approver: 'tom',
        approvedAt: new Date().toISOString(),
        level: 2,
        scope: 'plan',
        via: 'test',
      },
      concurrency: options.concurrency,
    },
  )
}
const app = new Hono<AuthenticatedEnvironment>()
app.use('/api/*', async (context, next) => {
  context.set('caller', { username: 'tom', role: 'technician', signedIn: true })
  await next()
})
app.route('/api', jobRoutes(undefined, fleet.engine))
app.onError((error, context) => errorResponse(context, error, () => undefined))
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  process.stdout.write(`${JSON.stringify({ port: info.port, jobId })}\n`)
})
process.on('SIGTERM', () => {
  void fleet.close().then(() => process.exit(0))
})
