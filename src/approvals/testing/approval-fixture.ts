/**
 * What the approval tests (and the child processes of the restart test) share: a recording
 * executor, plans of each approval level from the real runbooks, and the whole approval stack
 * opened on one SQLite file. Test support only; nothing in the application imports it.
 * @module
 */
import { appendFileSync } from 'node:fs'
import { SqliteAuditLog } from '../../audit/sqlite-audit-log.ts'
import { ExecutionService } from '../../execution/execution-service.ts'
import type { ExecutionContext, Executor, StepResult } from '../../executors/executor.ts'
import { ExecutorRegistry } from '../../executors/executor-registry.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import { loadInstructions } from '../../knowledge/instructions/instruction-loader.ts'
import type { Plan, PlanStep } from '../../planning/plan.ts'
import { buildPlan } from '../../planning/planner.ts'
import type { MachineLookup } from '../approval-request-builder.ts'
import { ApprovalService } from '../approval-service.ts'
import { SqliteApprovalStore } from '../sqlite-approval-store.ts'
import { SqliteStepExecutionLedger } from '../sqlite-step-execution-ledger.ts'

/** Records every step it is asked to run (and appends its id to `logFile` when given). */
export class RecordingExecutor implements Executor {
  readonly specificationVersion = 'executor-v1'
  readonly id = 'recording'
  readonly handles: readonly PlanStep['executor'][] = ['active_directory', 'bash']
  readonly ran: string[] = []
  /** A step id that fails. */
  failStepId?: string
  /** Runs before the step "happens": a delay, or a crash. */
  beforeRun?: (step: PlanStep) => Promise<void> | void
  private readonly logFile: string | undefined

  constructor(options: { logFile?: string } = {}) {
    this.logFile = options.logFile
  }

  async doExecute(step: PlanStep, _context: ExecutionContext): Promise<StepResult> {
    await this.beforeRun?.(step)
    this.ran.push(step.id)
    if (this.logFile) appendFileSync(this.logFile, `${step.id}\n`)
    const failed = step.id === this.failStepId
    return {
      stepId: step.id,
      status: failed ? 'failed' : 'succeeded',
      wouldRun: step.invocation.type === 'script' ? step.invocation.script : step.actionId,
      ...(step.target ? { target: step.target } : {}),
      stdout: 'ok',
      stderr: '',
      exitCode: failed ? 1 : 0,
      durationMs: 1,
      changed: !step.readOnly && !failed,
      ...(failed ? { errorCode: 'TEST_FAILURE', errorMessage: 'failed on purpose' } : {}),
      // What an account read shows after an unlock, so the unlock's verification passes.
      data: { locked: false, disabled: false },
    }
  }

  count(stepId: string): number {
    return this.ran.filter((each) => each === stepId).length
  }
}

/**
 * The runbooks, plus a copy of `printer_not_working` whose queue steps are critical, so that a
 * plan needs a technician's approval of each step (level 3): no shipped runbook has one yet.
 */
export async function loadTestInstructions(): Promise<Map<string, Instruction>> {
  const instructions = new Map(
    (await loadInstructions('data/instructions')).map((each) => [each.id, each]),
  )
  const printer = required(instructions, 'printer_not_working')
  instructions.set('printer_not_working_critical', {
    ...printer,
    id: 'printer_not_working_critical',
    actions: printer.actions.map((action) =>
      CRITICAL_PRINTER_STEPS.includes(action.id) ? { ...action, risk: 'critical' } : action,
    ),
  })
  return instructions
}

export const CRITICAL_PRINTER_STEPS = ['enable_cups_queue_linux', 'clear_cups_jobs_linux']

/** Level 2: check the account (level 0), unlock it (level 2), guidance. */
export function unlockPlan(instructions: ReadonlyMap<string, Instruction>): Plan {
  return buildPlan(required(instructions, 'account_locked'), {
    username: 'jdoe',
    system: 'active_directory',
  })
}

/** Level 1: read resource use (level 0), clean caches (level 1), guidance. */
export function cleanCachesPlan(instructions: ReadonlyMap<string, Instruction>): Plan {
  return buildPlan(required(instructions, 'laptop_running_slow'), {
    device: 'LT-0423',
    platform: 'linux',
  })
}

/** Level 3: two critical queue steps, one level-1 test page, read checks and guidance. */
export function criticalPrinterPlan(instructions: ReadonlyMap<string, Instruction>): Plan {
  return buildPlan(required(instructions, 'printer_not_working_critical'), {
    printer: 'PRN-3F-EAST',
    device: 'LT-0423',
    platform: 'linux',
  })
}

export interface ApprovalStack {
  service: ApprovalService
  store: SqliteApprovalStore
  ledger: SqliteStepExecutionLedger
  audit: SqliteAuditLog
  execution: ExecutionService
  close(): Promise<void>
}

/** Everything a server process would open for approvals, on one project store file. */
export function openApprovalStack(options: {
  file: string
  instructions: ReadonlyMap<string, Instruction>
  executor: Executor
  ttlMinutes?: number
  now?: () => Date
  machineOf?: MachineLookup
}): ApprovalStack {
  const audit = new SqliteAuditLog({
    file: options.file,
    ...(options.now ? { now: options.now } : {}),
  })
  const store = new SqliteApprovalStore({ file: options.file })
  const ledger = new SqliteStepExecutionLedger({ file: options.file })
  const execution = new ExecutionService({
    instructions: options.instructions,
    registry: new ExecutorRegistry().register(options.executor),
    audit,
  })
  const service = new ApprovalService({
    store,
    ledger,
    execution,
    audit,
    instructions: options.instructions,
    ...(options.ttlMinutes !== undefined ? { ttlMinutes: options.ttlMinutes } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.machineOf ? { machineOf: options.machineOf } : {}),
  })
  return {
    service,
    store,
    ledger,
    audit,
    execution,
    close: async () => {
      await ledger.close()
      await store.close()
      await audit.close()
    },
  }
}

function required(instructions: ReadonlyMap<string, Instruction>, id: string): Instruction {
  const instruction = instructions.get(id)
  if (!instruction) throw new Error(`runbook ${id} is missing`)
  return instruction
}
