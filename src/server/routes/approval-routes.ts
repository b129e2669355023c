import { Hono } from 'hono'
import { z } from 'zod'
import type { SwitchableAgent } from '../../agent/agent-registry.ts'
import type { ApprovalService } from '../../approvals/approval-service.ts'
import { APPROVAL_STATUSES, type ApprovalRequest } from '../../approvals/approval-store.ts'
import type { ApprovalEnding } from '../../approvals/conversation-report.ts'
import { HelpdeskError } from '../../errors/index.ts'
import { samePerson } from '../../identity/user.ts'
import type { OperationJobs } from '../../operations/operation-jobs.ts'
import type { AuthenticatedEnvironment, Caller } from '../authentication.ts'
import { readJsonBody } from '../read-json-body.ts'
import { visibleText } from './visible-text.ts'

const STATUSES = APPROVAL_STATUSES
const approveSchema = z
  .object({
    stepIds: z.array(z.string().min(1).max(200)).max(100).optional(),
    /** Optional: why it is approved (what was checked); kept in the decision and the audit. */
    reason: visibleText(z.string().trim().min(1, 'leave it out or say why').max(1000)).optional(),
  })
  .strict()
const denySchema = z
  .object({ reason: visibleText(z.string().trim().min(1, 'say why').max(1000)) })
  .strict()
const resumeSchema = z
  .object({
    /** For each step of unknown outcome: what the technician found on the target. */
    resolve: z.record(z.string().min(1).max(200), z.enum(['succeeded', 'failed'])).default({}),
    /** End the run: the steps not started never run. */
    stop: z.boolean().default(false),
    reason: visibleText(z.string().trim().min(1, 'say what you checked on the target').max(1000)),
  })
  .strict()

/**
 * `GET /api/approvals?status=pending`, `GET /api/approvals/:id`,
 * `POST /api/approvals/:id/approve {stepIds?, reason?}` (then the plan runs, exactly once) and
 * `POST /api/approvals/:id/deny {reason}`, and
 * `POST /api/approvals/:id/resume {resolve: {stepId: succeeded|failed}, stop?, reason}` for a run
 * a server stop interrupted (technicians and admins; see `interrupted-runs.ts`). Technicians and
 * admins see every request; a requester sees their own, and on every route another person's is
 * a 404 like an unknown id. Who may decide what is the approval service's rule (never the
 * requester for a technician-level step).
 */
export function approvalRoutes(
  approvals: ApprovalService | undefined,
  agents?: SwitchableAgent,
  log: (line: string) => void = () => {},
  report: (request: ApprovalRequest, ending: ApprovalEnding) => Promise<void> = async () => {},
  /** Starts the job of an approved operation (a request carrying a workflow). */
  operationJobs?: OperationJobs,
): Hono<AuthenticatedEnvironment> {
  /** The conversation hears how its request ended; failing to tell it fails nothing else. */
  const tell = async (request: ApprovalRequest, ending: ApprovalEnding) => {
    await report(request, ending).catch((error: unknown) =>
      log(
        `approval ${request.id}: could not add the outcome to its conversation: ${error instanceof Error ? error.message : String(error)}`,
      ),
    )
  }
  const app = new Hono<AuthenticatedEnvironment>()
  const service = (): ApprovalService => {
    if (!approvals) {
      throw new HelpdeskError({
        code: 'NOT_CONFIGURED',
        message:
          'approvals need executors (an inventory, Active Directory or AWS IAM) and the project store',
      })
    }
    return approvals
  }

  app.get('/approvals', async (context) => {
    const caller = context.get('caller')
    const status = context.req.query('status')
    if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: `status: expected one of ${STATUSES.join(', ')}`,
      })
    }
    const everyone = caller.role === 'technician' || caller.role === 'admin'
    const list = await service().list({
      ...(status ? { status: status as (typeof STATUSES)[number] } : {}),
      ...(everyone ? {} : { requester: caller.username }),
    })
    return context.json({ approvals: list })
  })

  /**
   * The request, if the caller may see it: technicians and admins see every request, a requester
   * their own.
   * @throws {HelpdeskError} APPROVAL_NOT_FOUND for an unknown id and, with the very same answer,
   *   for another person's request, so a guessed id reveals neither that it exists nor whose it is.
   */
  const visibleRequest = async (caller: Caller, id: string): Promise<ApprovalRequest> => {
    const notFound = () =>
      new HelpdeskError({
        code: 'APPROVAL_NOT_FOUND',
        message: `no approval request "${id.slice(0, 60)}"`,
      })
    const request = await service()
      .get(id)
      .catch((error: unknown) => {
        throw error instanceof HelpdeskError && error.code === 'APPROVAL_NOT_FOUND'
          ? notFound()
          : error
      })
    const everyone = caller.role === 'technician' || caller.role === 'admin'
    if (!everyone && !samePerson(request.requester, caller.username)) throw notFound()
    return request
  }

  app.get('/approvals/:id', async (context) =>
    context.json(await visibleRequest(context.get('caller'), context.req.param('id'))),
  )

  app.post('/approvals/:id/approve', async (context) => {
    const caller = context.get('caller')
    // Another person's request is a 404 for a requester, as on GET, before anything else is said.
    await visibleRequest(caller, context.req.param('id'))
    const body = await readJsonBody(context, approveSchema)
    const decided = await service().approve(
      context.req.param('id'),
      { username: caller.username, role: caller.role },
      {
        ...(body.stepIds ? { stepIds: body.stepIds } : {}),
        ...(body.reason ? { reason: body.reason } : {}),
      },
    )
    if (decided.status !== 'approved')
      return context.json({ approval: decided, results: [], resumedBy: null })
    if (decided.workflow) {
      // An operation on machines: the job engine runs it, with this approval as its record.
      if (!operationJobs) {
        throw new HelpdeskError({
          code: 'NOT_CONFIGURED',
          message:
            'operations on machines need the job engine (an inventory and the project store)',
        })
      }
      const jobId = await operationJobs.startApproved(decided, caller.username)
      await tell(decided, { kind: 'job-started', approver: caller.username, jobId })
      return context.json({ approval: await service().get(decided.id), results: [], jobId })
    }
    // The adapter that paused a run for this request resumes it (LangGraph's interrupt); else
    // the plan runs here. Either way through the same service, so each step runs once.
    const resumed = await agents?.agent.resumeApproval?.(decided.id, {
      outcome: 'approved',
      actor: caller.username,
    })
    const run = resumed ?? (await service().executeApproved(decided.id, { actor: caller.username }))
    await tell(run.approval, { kind: 'executed', approver: caller.username, results: run.results })
    return context.json({
      approval: run.approval,
      results: run.results,
      resumedBy: resumed ? agents?.agent.framework : null,
    })
  })

  app.post('/approvals/:id/resume', async (context) => {
    const caller = context.get('caller')
    // Another person's request is a 404 for a requester, as on GET, before anything else is said.
    await visibleRequest(caller, context.req.param('id'))
    const body = await readJsonBody(context, resumeSchema)
    const resumed = await service().resume(
      context.req.param('id'),
      { username: caller.username, role: caller.role },
      body,
    )
    // Continued like an approval: the framework's paused run when it holds one, else here.
    const continued = body.stop
      ? undefined
      : await agents?.agent.resumeApproval?.(resumed.id, {
          outcome: 'approved',
          actor: caller.username,
        })
    const run =
      continued ??
      (await service().executeApproved(resumed.id, {
        actor: caller.username,
        ...(body.stop ? { stop: `${caller.username} stopped the run after the interruption` } : {}),
      }))
    await tell(run.approval, { kind: 'executed', approver: caller.username, results: run.results })
    return context.json({
      approval: run.approval,
      results: run.results,
      resumedBy: continued ? agents?.agent.framework : null,
    })
  })

  app.post('/approvals/:id/deny', async (context) => {
    const caller = context.get('caller')
    // Another person's request is a 404 for a requester, as on GET, before anything else is said.
    await visibleRequest(caller, context.req.param('id'))
    const body = await readJsonBody(context, denySchema)
    const denied = await service().deny(
      context.req.param('id'),
      { username: caller.username, role: caller.role },
      body.reason,
    )
    // A run paused on it takes the denial and ends (it runs nothing); its failing to must not
    // make the denial, already recorded, look failed.
    await agents?.agent
      .resumeApproval?.(denied.id, { outcome: 'denied', actor: caller.username })
      ?.catch((error: unknown) =>
        log(
          `approval ${denied.id}: the paused run did not take the denial: ${error instanceof Error ? error.message : String(error)}`,
        ),
      )
    await tell(denied, { kind: 'denied', approver: caller.username, reason: body.reason })
    return context.json({ approval: denied })
  })

  return app
}
