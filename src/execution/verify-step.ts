import type { AuditValue } from '../audit/audit-log.ts'
import type { ExecutionContext, Executor, StepResult } from '../executors/executor.ts'
import type { PlanStep } from '../planning/plan.ts'

/**
 * Facts a verification read must show after an operation, where the operation's effect is
 * machine-checkable; other verifications pass when the check itself succeeds.
 */
const EXPECTED_FACTS: Readonly<Record<string, Readonly<Record<string, AuditValue>>>> = {
  unlock_account: { locked: false },
  enable_account: { disabled: false },
  disable_account: { disabled: true },
}

/** Runs the step's verification with the same executor and folds the outcome into the result. */
export async function verifyStep(
  step: PlanStep,
  result: StepResult,
  executor: Executor,
  context: ExecutionContext,
): Promise<StepResult> {
  const invocation = step.verification?.invocation
  if (!invocation) return result
  const probe: PlanStep = {
    ...step,
    id: `${step.id}.verify`,
    title: step.verification?.description ?? 'verification',
    readOnly: true,
    approvalLevel: 0,
    invocation,
  }
  const checked = await executor.doExecute(probe, context)
  const expected =
    step.invocation.type === 'operation' ? EXPECTED_FACTS[step.invocation.operation] : undefined
  const mismatches = Object.entries(expected ?? {}).filter(
    ([key, value]) => checked.data?.[key] !== value,
  )
  const passed = checked.status === 'succeeded' && mismatches.length === 0
  const verification: { [key: string]: AuditValue } = {
    status: passed ? 'passed' : 'failed',
    description: step.verification?.description ?? '',
    stdout: checked.stdout.slice(0, 2000),
    ...(checked.data ? { data: checked.data } : {}),
  }
  if (passed) return { ...result, data: { ...(result.data ?? {}), verification } }
  const why = mismatches.length
    ? `expected ${mismatches.map(([key]) => `${key}=${JSON.stringify(expected?.[key])}`).join(', ')}`
    : (checked.errorMessage ?? `the check ended ${checked.status}`)
  return {
    ...result,
    status: 'failed',
    errorCode: 'VERIFICATION_FAILED',
    errorMessage: `the step ran but its verification failed: ${why}`,
    data: { ...(result.data ?? {}), verification },
  }
}
