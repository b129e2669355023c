import type { PlanStep } from '../../planning/plan.ts'

/**
 * A plan step for one API operation, for the executor tests that call an operation directly
 * rather than through a runbook. Test support only.
 */
export function operationStep(
  executor: 'active_directory' | 'aws_iam',
  operation: string,
  values: Record<string, string | boolean>,
  options: { idPrefix?: string; readOnly?: boolean } = {},
): PlanStep {
  return {
    id: `${options.idPrefix ?? 'test'}.${operation}`,
    actionId: operation,
    title: operation,
    executor,
    risk: 'low',
    readOnly: options.readOnly ?? false,
    approvalLevel: 0,
    invocation: {
      type: 'operation',
      executor,
      operation,
      description: operation,
      arguments: values,
    },
  }
}
