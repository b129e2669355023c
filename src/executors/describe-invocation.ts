import type { Invocation } from '../planning/plan.ts'
import { describePlannedIamCalls } from './aws-iam/aws-iam-calls.ts'

/**
 * One text for "what runs": the script with its command line, or the call with its arguments;
 * for AWS IAM, whose operations are several API calls each, the calls that would be made.
 */
export function describeInvocation(invocation: Invocation): string {
  switch (invocation.type) {
    case 'operation': {
      const call = describeOperationCall(invocation)
      const calls =
        invocation.executor === 'aws_iam'
          ? describePlannedIamCalls(invocation.operation, invocation.arguments)
          : undefined
      return calls ? `${call}: ${calls}` : call
    }
    case 'script':
      return `${invocation.commandLine}\n${invocation.script}`
    case 'guidance':
      return invocation.text
  }
}

/** `executor.operation(name="value", ...)`: the operation alone, without its API calls. */
export function describeOperationCall(
  invocation: Extract<Invocation, { type: 'operation' }>,
): string {
  const argumentsText = Object.entries(invocation.arguments)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(', ')
  return `${invocation.executor}.${invocation.operation}(${argumentsText})`
}
