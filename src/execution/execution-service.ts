import type { AuditLog, AuditValue } from '../audit/audit-log.ts'
import { HelpdeskError, isHelpdeskError } from '../errors/index.ts'
import { describeInvocation } from '../executors/describe-invocation.ts'
import { DryRunExecutor } from '../executors/dry-run/dry-run-executor.ts'
import type { ExecutionContext, StepResult } from '../executors/executor.ts'
import type { ExecutorRegistry } from '../executors/executor-registry.ts'
import { failedStep } from '../executors/step-results.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import { metrics } from '../observability/metrics.ts'
import { inSpan } from '../observability/tracing.ts'
import type { Plan, PlanStep } from '../planning/plan.ts'
import { APPROVAL_LEVEL_NAMES } from '../policy/approval-policy.ts'
import { type ApprovalRecord, approvalCovers } from '../policy/approval-record.ts'
import { checkProposedScript, type ScriptLanguage } from '../policy/proposed-script-policy.ts'
import { proposedStep } from './proposed-step.ts'
import { replanForTarget } from './replan.ts'
import { verifyStep } from './verify-step.ts'

export interface StepRequest {
  plan: Plan
  step: PlanStep
  requester: string
  requestId: string
  /** Who is running it, when not the requester (a technician at the CLI, the approver). */
  actor?: string
  /**
   * Who caused the request when not the requester (a technician acting for them): like the
   * requester, they may not be the approver of a level 2 or 3 step.
   */
  causedBy?: string
  approval?: ApprovalRecord
  /** Run on this machine instead of the step's own target (a member of a group). */
  target?: string
  dryRun?: boolean
  signal?: AbortSignal
}

export interface ExecutionServiceOptions {
  instructions: ReadonlyMap<string, Instruction>
  registry: ExecutorRegistry
  audit: AuditLog
}

/**
 * The only caller of executors. For every step it: re-renders the step from the runbook and the
 * plan's parameters (so a caller can never hand it a script of its own), re-validates every
 * parameter, checks the approval, writes the audit record, executes, verifies, and records the
 * result. A step that cannot go ahead comes back as a result saying why, never as a half-run.
 */
export class ExecutionService {
  private readonly options: ExecutionServiceOptions
  private readonly dryRunExecutor = new DryRunExecutor()

  constructor(options: ExecutionServiceOptions) {
    this.options = options
  }

  executeStep(request: StepRequest): Promise<StepResult> {
    const executor = request.dryRun ? 'dry-run' : request.step.executor
    // The runbook's step id and the executor kind: never the target, the script or its output.
    return inSpan(
      `execute ${executor}`,
      { attributes: { 'helpdesk.executor': executor, 'helpdesk.step.id': request.step.id } },
      async (span) => {
        const result = await this.routeStep(request)
        metrics.executionSteps.inc({ executor, status: result.status })
        span?.setAttribute('helpdesk.step.status', result.status)
        return result
      },
    )
  }

  private async routeStep(request: StepRequest): Promise<StepResult> {
    const wouldRun = describeInvocation(request.step.invocation)
    let step: PlanStep
    try {
      step = replanForTarget(this.options.instructions, request.plan, request.step, request.target)
    } catch (error) {
      if (!isHelpdeskError(error)) throw error
      await this.record('step-refuse', request, request.step, {
        reason: error.message,
        wouldRun,
      })
      return failedStep(request.step, wouldRun, 'INVALID_INPUT', error.message)
    }
    const context: ExecutionContext = {
      requester: request.requester,
      requestId: request.requestId,
      ...(request.signal ? { signal: request.signal } : {}),
    }
    if (request.dryRun) return this.dryRunExecutor.doExecute(step, context)
    if (step.executor === 'guidance' || step.invocation.type === 'guidance') {
      return {
        ...(await this.dryRunExecutor.doExecute(step, context)),
        status: 'skipped',
        stdout: describeInvocation(step.invocation),
      }
    }

    return this.approveAuditRun({ ...request, step }, context, {})
  }

  /**
   * Runs a script a model proposed for a request no runbook covers. Never without a
   * technician's approval naming this very proposal (level 3, step scope, not the requester);
   * the policy (deny-list, syntax, size) is checked again here, and the audit record carries
   * the whole script.
   */
  async executeProposedScript(request: {
    proposal: {
      id: string
      language: ScriptLanguage
      script: string
      target: string
      reason: string
    }
    requester: string
    requestId: string
    approval?: ApprovalRecord
    actor?: string
  }): Promise<StepResult> {
    const { proposal } = request
    const step = proposedStep(proposal)
    const plan: Plan = {
      taskType: 'proposed_script',
      title: 'A proposed script',
      risk: 'critical',
      parameters: {},
      steps: [step],
    }
    const context: StepRequest = {
      plan,
      step,
      requester: request.requester,
      requestId: request.requestId,
      ...(request.actor ? { actor: request.actor } : {}),
    }
    const wouldRun = describeInvocation(step.invocation)
    const verdict = await checkProposedScript(proposal.language, proposal.script)
    if (!verdict.ok) {
      await this.record('step-refuse', context, step, {
        reason: verdict.problems.join('; '),
        wouldRun,
      })
      return failedStep(step, wouldRun, 'POLICY_REFUSED', verdict.problems.join('; '))
    }
    return this.approveAuditRun(
      { ...context, ...(request.approval ? { approval: request.approval } : {}) },
      { requester: request.requester, requestId: request.requestId },
      { proposed: true, reason: proposal.reason },
    )
  }

  /**
   * What every step goes through once it is known to be the right text: the approval it needs,
   * an executor for its kind, the audit record (first: if it cannot be written, nothing runs),
   * the run, the verification, the recorded result.
   */
  private async approveAuditRun(
    request: StepRequest,
    context: ExecutionContext,
    detail: { [key: string]: AuditValue },
  ): Promise<StepResult> {
    const { step } = request
    const wouldRun = describeInvocation(step.invocation)
    const approval = approvalCovers(request.approval, step, request.requester, request.causedBy)
    if (!approval.ok) {
      const needs = APPROVAL_LEVEL_NAMES[step.approvalLevel]
      await this.record('step-hold', request, step, { reason: approval.reason, needs, wouldRun })
      return {
        ...failedStep(
          step,
          wouldRun,
          'AWAITING_APPROVAL',
          `awaiting approval: ${needs} (${approval.reason})`,
        ),
        status: 'awaiting_approval',
      }
    }
    let executor: ReturnType<ExecutorRegistry['get']>
    try {
      executor = this.options.registry.get(step.executor)
    } catch (error) {
      if (!isHelpdeskError(error)) throw error
      return failedStep(
        step,
        wouldRun,
        'NOT_CONFIGURED',
        `${step.executor} is not configured here: ${error.message}`,
      )
    }
    await this.record('step-execute', request, step, {
      executor: executor.id,
      operation: wouldRun,
      ...detail,
      risk: step.risk,
      approvalLevel: step.approvalLevel,
      approval: request.approval
        ? {
            id: request.approval.id,
            approver: request.approval.approver,
            via: request.approval.via,
          }
        : null,
    })
    let result = await executor.doExecute(step, context)
    if (result.status === 'succeeded' && step.verification?.invocation) {
      result = await verifyStep(step, result, executor, context)
    }
    await this.record('step-result', request, step, summarise(result))
    return result
  }

  /**
   * Runs a plan's steps in order and stops at the first that does not succeed: later steps
   * usually depend on earlier ones (find the user, then unlock). The rest come back `skipped`.
   */
  async executePlan(request: Omit<StepRequest, 'step'>): Promise<StepResult[]> {
    const results: StepResult[] = []
    let stopped: StepResult | undefined
    for (const step of request.plan.steps) {
      if (stopped) {
        results.push({
          ...failedStep(
            step,
            describeInvocation(step.invocation),
            'NOT_RUN',
            `not run: ${stopped.stepId} ended ${stopped.status}`,
          ),
          status: 'skipped',
        })
        continue
      }
      const result = await this.executeStep({ ...request, step })
      results.push(result)
      if (
        result.status !== 'succeeded' &&
        result.status !== 'skipped' &&
        result.status !== 'dry_run'
      )
        stopped = result
    }
    return results
  }

  private async record(
    action: string,
    request: StepRequest,
    step: PlanStep,
    detail: { [key: string]: AuditValue },
  ): Promise<void> {
    try {
      await this.options.audit.append({
        actor: request.actor ?? request.requester,
        action,
        ...(step.target ? { target: step.target } : {}),
        requestId: request.requestId,
        detail: {
          requester: request.requester,
          ...(request.causedBy !== undefined ? { causedBy: request.causedBy } : {}),
          taskType: request.plan.taskType,
          stepId: step.id,
          ...detail,
        },
      })
    } catch (error) {
      if (isHelpdeskError(error) && error.code === 'AUDIT_FAILED') throw error
      throw new HelpdeskError({
        code: 'AUDIT_FAILED',
        category: 'SYSTEM',
        message: `the audit record for ${step.id} could not be written, so the step did not run`,
        cause: error,
      })
    }
  }
}

const AUDITED_OUTPUT = 4096

function summarise(result: StepResult): { [key: string]: AuditValue } {
  return {
    status: result.status,
    exitCode: result.exitCode,
    changed: result.changed,
    durationMs: Math.round(result.durationMs),
    errorCode: result.errorCode ?? null,
    errorMessage: result.errorMessage ?? null,
    stdout: result.stdout.slice(0, AUDITED_OUTPUT),
    stderr: result.stderr.slice(0, AUDITED_OUTPUT),
    data: result.data ?? null,
  }
}
