/**
 * Connects an operation's preview to the job engine through the approvals: a workflow that only
 * reads starts as a job at once (recorded as an automatic level-0 approval); one that changes
 * machines becomes a pending approval request carrying the whole workflow (exact scripts per OS,
 * the targets), at the level its riskiest changing step needs (the preview's levels, from
 * src/policy). Once the request is approved (by the rules of approval-rules.ts: level 1 the asker
 * may confirm, levels 2 and 3 only another technician or admin), `startApproved` starts the job
 * with that approval as its record. Every step of this is audited (the approval service and the
 * job engine write the entries).
 * @module
 */
import { randomUUID } from 'node:crypto'
import type { PendingApproval } from '../agent/core/turn.ts'
import { APPROVAL_VIA, decisionCovers } from '../approvals/approval-rules.ts'
import type { ApprovalService } from '../approvals/approval-service.ts'
import type { ApprovalRequest, ApprovalStepEntry } from '../approvals/approval-store.ts'
import { pendingApprovalOf } from '../approvals/pending-approval.ts'
import { HelpdeskError } from '../errors/index.ts'
import type { JobEngine } from '../jobs/job-engine.ts'
import type { ApprovalLevel } from '../policy/approval-policy.ts'
import type { ApprovalRecord } from '../policy/approval-record.ts'
import type { WorkflowPlan } from './build-workflow.ts'
import type { WorkflowPlatform, WorkflowStep } from './workflow.ts'

/** Who asked, in which conversation, with which words. */
export interface OperationAsker {
  /** The signed-in technician or admin who asked (operations run only in their own conversation). */
  username: string
  sessionId?: string
  requestText?: string
}

/** What happened to a previewed operation: a job started, or an approval request waits. */
export type OperationStart =
  | { kind: 'job'; jobId: string }
  | { kind: 'approval'; approval: PendingApproval; level: ApprovalLevel }

/** The `via` of the automatic approval of a read-only workflow (level 0). */
export const AUTOMATIC_VIA = 'automatic (read-only workflow)'

export class OperationJobs {
  private readonly engine: JobEngine
  private readonly approvals: ApprovalService | undefined

  constructor(options: { engine: JobEngine; approvals?: ApprovalService }) {
    this.engine = options.engine
    this.approvals = options.approvals
  }

  /**
   * Starts a read-only workflow at once, or asks for approval of a changing one.
   * @throws {HelpdeskError} NOT_CONFIGURED when a changing workflow has no approval service to go
   *   to; INVALID_INPUT from the engine for a workflow it refuses.
   */
  async begin(plan: WorkflowPlan, asker: OperationAsker): Promise<OperationStart> {
    const { workflow } = plan
    if (!workflow.steps.some((step) => step.changes)) {
      const approval: ApprovalRecord = {
        id: `auto-${randomUUID()}`,
        approver: asker.username,
        approvedAt: new Date().toISOString(),
        level: 0,
        scope: 'plan',
        via: AUTOMATIC_VIA,
      }
      const jobId = await this.engine.start(workflow, {
        requester: asker.username,
        actor: asker.username,
        approval,
        ...(asker.sessionId ? { sessionId: asker.sessionId } : {}),
      })
      return { kind: 'job', jobId }
    }
    if (!this.approvals) {
      throw new HelpdeskError({
        code: 'NOT_CONFIGURED',
        message:
          'this workflow changes machines and needs an approval, but approvals are not configured (they need the project store)',
      })
    }
    const steps = workflow.steps.map((step, index) =>
      stepEntry(step, step.changes ? (plan.approvals[index] ?? 1) : 0, plan, index),
    )
    const level = Math.max(...steps.map((step) => step.approvalLevel)) as ApprovalLevel
    const title = workflow.steps.map((step) => step.title).join('; ')
    const request = await this.approvals.requestWorkflow({
      requester: asker.username,
      taskType: 'operation',
      runbook: { id: `operation:${workflow.steps.map((step) => step.operation).join('+')}`, title },
      level,
      plan: {
        taskType: 'operation',
        title,
        risk: highestRisk(workflow.steps),
        parameters: {},
        steps: [],
      },
      steps,
      workflow,
      ...(asker.sessionId ? { sessionId: asker.sessionId } : {}),
      ...(asker.requestText ? { requestText: asker.requestText.slice(0, 2000) } : {}),
    })
    return { kind: 'approval', approval: pendingApprovalOf(request), level }
  }

  /**
   * Starts the job of an approved operation request, with the approval as its record (who, when,
   * which level), and records the request as handed to the job.
   * @throws {HelpdeskError} AWAITING_APPROVAL when the request is not approved, INVALID_INPUT
   *   when it carries no workflow.
   */
  async startApproved(request: ApprovalRequest, startedBy: string): Promise<string> {
    if (!request.workflow) {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: `approval request ${request.id} is not an operation on machines`,
      })
    }
    if (request.status !== 'approved' || !this.approvals) {
      throw new HelpdeskError({
        code: 'AWAITING_APPROVAL',
        message: `approval request ${request.id} is ${request.status}, not approved`,
      })
    }
    const jobId = await this.engine.start(request.workflow, {
      requester: request.requester,
      actor: startedBy,
      approval: approvalRecordOf(request),
      ...(request.sessionId ? { sessionId: request.sessionId } : {}),
    })
    await this.approvals.recordJobStarted(request, jobId, startedBy)
    return jobId
  }
}

/**
 * The job's approval record: the decision that completed the approval (the last one that covers
 * a held step), at the request's level; per step (level 3) it names every level-3 step.
 */
export function approvalRecordOf(request: ApprovalRequest): ApprovalRecord {
  const held = request.steps.filter((step) => step.approvalLevel > 0)
  const decisions = request.decisions.filter((decision) =>
    held.some((step) => decisionCovers(decision, step, request)),
  )
  const last = decisions.at(-1)
  if (!last) {
    throw new HelpdeskError({
      code: 'AWAITING_APPROVAL',
      message: `approval request ${request.id} has no decision that covers its steps`,
    })
  }
  const base = { id: request.id, approver: last.approver, approvedAt: last.at, via: APPROVAL_VIA }
  if (request.level === 3) {
    const stepIds = held.filter((step) => step.approvalLevel === 3).map((step) => step.stepId)
    return { ...base, level: 3, scope: 'step', stepIds }
  }
  return { ...base, level: request.level, scope: 'plan' }
}

const PLATFORM_LABELS: Readonly<Record<WorkflowPlatform, string>> = {
  linux: 'Linux (Bash)',
  windows: 'Windows (PowerShell)',
}

/** One workflow step as the approver reads it: the exact scripts per OS and the machines. */
function stepEntry(
  step: WorkflowStep,
  approvalLevel: ApprovalLevel,
  plan: WorkflowPlan,
  index: number,
): ApprovalStepEntry {
  const sections: string[] = []
  // A copy names the very file the approval covers; the engine sends nothing else.
  if (step.transfer) {
    const file = step.transfer
    sections.push(
      `# File: ${file.source} from the files directory, ${file.size} bytes, SHA-256 ${file.sha256}\n# uploaded to ${file.destination}.helpdesk-upload, then moved to ${file.destination}`,
    )
  }
  for (const platform of ['linux', 'windows'] as const) {
    const machines = plan.targetsByOs[platform]
    if (machines.length === 0) continue
    const parts: Array<[string, string | undefined]> = [
      ['check first', step.condition?.scripts[platform]],
      ['backup', step.backup?.[platform]],
      ['run', step.scripts[platform]],
      ['verify', step.verify?.[platform]],
      ['rollback', step.rollback?.[platform]],
    ]
    for (const [label, script] of parts) {
      if (script) sections.push(`# ${PLATFORM_LABELS[platform]}, ${label}:\n${script.trimEnd()}`)
    }
  }
  const targets = plan.workflow.targets
  return {
    stepId: step.id,
    title: `${index + 1}. ${step.title}`,
    executor: plan.targetsByOs.linux.length > 0 ? 'bash' : 'powershell',
    risk: step.risk,
    readOnly: !step.changes,
    approvalLevel,
    wouldRun: sections.join('\n\n'),
    ...(targets.length > 0 ? { target: targets.join(', ') } : {}),
  }
}

const RISK_ORDER = ['low', 'medium', 'high', 'critical'] as const

function highestRisk(steps: readonly WorkflowStep[]): (typeof RISK_ORDER)[number] {
  let highest = 0
  for (const step of steps) highest = Math.max(highest, RISK_ORDER.indexOf(step.risk))
  return RISK_ORDER[highest] ?? 'low'
}
