import { IAMClient } from '@aws-sdk/client-iam'
import type { PlanStep } from '../../planning/plan.ts'
import { IAM_USER_NAME } from '../account-name-rules.ts'
import type { SecretDelivery } from '../delivery/secret-delivery.ts'
import { describeInvocation, describeOperationCall } from '../describe-invocation.ts'
import { type ExecutionContext, type Executor, OUTPUT_LIMIT, type StepResult } from '../executor.ts'
import { AWS_IAM_OPERATIONS, type AwsIamOperation } from '../operation-catalog.ts'
import { failedStep } from '../step-results.ts'
import { formatIamCalls, type IamOperationArguments, iamCallsAsData } from './aws-iam-calls.ts'
import type { AwsIamConfig } from './aws-iam-config.ts'
import { iamFailure } from './aws-iam-errors.ts'
import { DeliveryFailed, IamOperations, IamSession } from './aws-iam-operations.ts'

/** IAM's own name rules, checked again here even though the planner validated the values. */
const USER_NAME = IAM_USER_NAME
const GROUP_NAME = /^[\w+=,.@-]{1,128}$/

export interface AwsIamExecutorOptions {
  client: IAMClient
  /** Where a generated console password goes; the result only shows its receipt. */
  delivery: SecretDelivery
}

/** The SDK client the way production builds it: region, endpoint, timeouts, attempts; credentials from the default chain. */
export function createIamClient(config: AwsIamConfig): IAMClient {
  return new IAMClient({
    region: config.region,
    maxAttempts: config.maxAttempts,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    requestHandler: {
      connectionTimeout: config.timeoutMs,
      requestTimeout: config.timeoutMs,
      // Without it the SDK only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
    },
  })
}

/** Performs the `aws_iam` operations of the catalog with the AWS SDK (IAM Query API, SigV4). */
export class AwsIamExecutor implements Executor {
  readonly specificationVersion = 'executor-v1'
  readonly id = 'aws_iam'
  readonly handles: readonly PlanStep['executor'][] = ['aws_iam']
  private readonly operations: IamOperations
  private readonly client: IAMClient

  constructor(options: AwsIamExecutorOptions) {
    this.client = options.client
    this.operations = new IamOperations(options.client, options.delivery)
  }

  /** Frees the SDK client's connections; call once at shut-down. */
  close(): void {
    this.client.destroy()
  }

  static fromConfig(config: AwsIamConfig, delivery: SecretDelivery): AwsIamExecutor {
    return new AwsIamExecutor({ client: createIamClient(config), delivery })
  }

  async doExecute(step: PlanStep, context: ExecutionContext): Promise<StepResult> {
    const started = performance.now()
    const invocation = step.invocation
    // The calls actually made are appended to the bare operation as they happen.
    const described =
      invocation.type === 'operation'
        ? describeOperationCall(invocation)
        : describeInvocation(invocation)
    if (invocation.type !== 'operation' || invocation.executor !== 'aws_iam')
      return failedStep(
        step,
        described,
        'UNSUPPORTED_STEP',
        'the AWS IAM executor runs aws_iam operations only',
      )
    if (!Object.hasOwn(AWS_IAM_OPERATIONS, invocation.operation))
      return failedStep(
        step,
        described,
        'UNKNOWN_OPERATION',
        `"${invocation.operation.slice(0, 60)}" is not an AWS IAM operation of the catalog`,
      )
    const operation = invocation.operation as AwsIamOperation
    const parsed = this.parseArguments(operation, invocation.arguments)
    if (typeof parsed === 'string')
      return failedStep(step, `${described}: no IAM call made`, 'INVALID_INPUT', parsed)

    const session = new IamSession(context.signal)
    const finish = (fields: Partial<StepResult>): StepResult => ({
      stepId: step.id,
      status: 'succeeded',
      wouldRun: `${described}: ${formatIamCalls(session.calls)}`,
      ...(step.target ? { target: step.target } : {}),
      stdout: '',
      stderr: '',
      exitCode: null,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      changed: session.changed,
      ...fields,
      data: { ...session.facts, ...fields.data, calls: iamCallsAsData(session.calls) },
    })
    try {
      const stdout = await this.operations.perform(operation, parsed, session, context.requestId)
      return finish({ stdout: stdout.slice(0, OUTPUT_LIMIT) })
    } catch (error) {
      if (error instanceof DeliveryFailed)
        return finish({
          status: 'failed',
          errorCode: 'SECRET_DELIVERY_FAILED',
          errorMessage: error.message,
        })
      if (error instanceof TypeError && !('$metadata' in error)) throw error // a bug of ours, not IAM's
      const failure = iamFailure(error, `iam:${session.lastAction ?? 'call'}`)
      return finish({
        status: 'failed',
        errorCode: failure.errorCode,
        errorMessage: failure.message,
        data: { transient: failure.transient },
      })
    }
  }

  /** The arguments as the operation needs them, or why they are refused. */
  private parseArguments(
    operation: AwsIamOperation,
    values: Readonly<Record<string, string | number | boolean>>,
  ): IamOperationArguments | string {
    const username = values.username
    if (typeof username !== 'string' || !USER_NAME.test(username))
      return 'the IAM user name must be 1-64 letters, digits or + = , . @ _ - ; nothing was called'
    const spec: { parameters: readonly string[] } = AWS_IAM_OPERATIONS[operation]
    const group = values.group
    if (spec.parameters.includes('group') && (typeof group !== 'string' || !GROUP_NAME.test(group)))
      return 'the IAM group name must be 1-128 letters, digits or + = , . @ _ - ; nothing was called'
    const reset = values.passwordResetRequired ?? true
    if (typeof reset !== 'boolean') return 'passwordResetRequired must be true or false'
    return {
      username,
      passwordResetRequired: reset,
      ...(typeof group === 'string' ? { group } : {}),
    }
  }
}
