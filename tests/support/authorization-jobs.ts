/**
 * The background workflow jobs of the authorization matrix: an embedded job engine on local bash
 * (no network; the int tests use the real sshd), each person's finished job, and the rows for
 * the engine's routes (view, progress stream, cancel).
 * @module
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect } from 'vitest'
import type { AuditLog } from '../../src/audit/audit-log.ts'
import { Inventory } from '../../src/inventory/inventory.ts'
import { EmbeddedJobEngine } from '../../src/jobs/embedded-job-engine.ts'
import { SqliteJobStore } from '../../src/jobs/sqlite-job-store.ts'
import { LocalBashShell } from '../../src/jobs/testing/local-bash-shell.ts'
import { sampleWorkflow } from '../../src/jobs/testing/sample-workflow.ts'
import { WorkflowScriptRunner } from '../../src/jobs/workflow-script-runner.ts'
import type { AuthorizationWorld, Person } from './authorization-world.ts'

const HOST_KEY = `ssh-ed25519 ${Buffer.alloc(51, 1).toString('base64')}`
const MACHINE = 'SRV-01'

export interface WorkflowJobs {
  engine: EmbeddedJobEngine
  /** A job for `requester` started by the technician tom; `slow` keeps it running ~30 s. */
  jobFor(requester: Person, options?: { slow?: boolean }): Promise<string>
  close(): Promise<void>
}

export function openWorkflowJobs(audit: AuditLog): WorkflowJobs {
  const directory = mkdtempSync(path.join(tmpdir(), 'matrix-jobs-'))
  const store = new SqliteJobStore({ file: ':memory:' })
  const shell = new LocalBashShell()
  const engine = new EmbeddedJobEngine({
    store,
    audit,
    runner: new WorkflowScriptRunner({ shells: { ssh: shell }, audit }),
    inventory: new Inventory({
      targets: [
        {
          name: MACHINE,
          host: '127.0.0.1',
          os: 'linux',
          transport: 'ssh',
          username: 'nobody',
          credential: 'env:UNUSED',
          hostKey: HOST_KEY,
        },
      ],
      groups: {},
    }),
  })
  return {
    engine,
    jobFor: async (requester, options = {}) => {
      const workflow = sampleWorkflow({ directory, targets: [MACHINE], slowSeconds: 30 })
      const steps = workflow.steps.slice(0, 1)
      // The check sleeps where NAME.slow exists: a file per job would race, so the slow job's
      // step is its own script.
      const slowSteps = steps.map((step) => ({ ...step, scripts: { linux: 'sleep 30' } }))
      const id = await engine.start(
        { ...workflow, steps: options.slow ? slowSteps : steps },
        { requester, actor: 'tom' },
      )
      if (!options.slow) await engine.settled(id)
      return id
    },
    close: async () => {
      await engine.close()
      await store.close()
    },
  }
}

/** The rows of the workflow job routes: a requester sees and cancels their own job only. */
export function workflowJobRows(current: () => AuthorizationWorld) {
  const both = ['own', "someone else's"] as const
  const expected = { requester: [200, 404], technician: [200, 200], admin: [200, 200] }
  return [
    {
      route: 'GET /api/jobs/:id',
      variant: 'a workflow job',
      whose: both,
      expected,
      call: async (owner: Person) => {
        const id = current().workflowJobs[owner]
        return {
          method: 'GET' as const,
          path: `/api/jobs/${id}`,
          objectId: id,
          check: ({ status, body }: { status: number; body: unknown }) => {
            if (status === 200)
              expect(body).toMatchObject({ id, kind: 'workflow', requester: owner })
          },
        }
      },
    },
    {
      route: 'GET /api/jobs/:id/events',
      whose: both,
      expected,
      call: async (owner: Person) => {
        const id = current().workflowJobs[owner]
        return {
          method: 'GET' as const,
          path: `/api/jobs/${id}/events`,
          objectId: id,
          check: ({ status, body }: { status: number; body: unknown }) => {
            if (status !== 200) return
            expect(String(body)).toMatch(/^event: job-started\ndata: .*\nid: 1\n/)
            expect(String(body)).toContain('event: job-ended')
          },
        }
      },
    },
    {
      route: 'POST /api/jobs/:id/cancel',
      whose: both,
      expected,
      call: async (owner: Person) => {
        const id = await current().workflowJobsEngine.jobFor(owner, { slow: true })
        return {
          method: 'POST' as const,
          path: `/api/jobs/${id}/cancel`,
          objectId: id,
          check: async ({ status }: { status: number }) => {
            const engine = current().workflowJobsEngine.engine
            if (status === 200) expect((await engine.settled(id))?.status).toBe('cancelled')
            else {
              expect((await engine.record(id))?.status).toBe('running')
              await engine.cancel(id, 'test cleanup')
            }
          },
        }
      },
    },
  ]
}
