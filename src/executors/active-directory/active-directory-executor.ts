import { Client } from 'ldapts'
import { isHelpdeskError } from '../../errors/index.ts'
import type { PlanStep } from '../../planning/plan.ts'
import type { SecretDelivery } from '../delivery/secret-delivery.ts'
import { describeInvocation } from '../describe-invocation.ts'
import type { ExecutionContext, Executor, StepResult } from '../executor.ts'
import { ACTIVE_DIRECTORY_OPERATIONS, type ActiveDirectoryOperation } from '../operation-catalog.ts'
import { failedStep } from '../step-results.ts'
import {
  disableAccount,
  enableAccount,
  findUser,
  getUserStatus,
  type OperationOutcome,
  type OperationRequest,
  resetPassword,
  unlockAccount,
} from './account-operations.ts'
import type { ActiveDirectoryConfig } from './active-directory-config.ts'
import { DirectoryOperationFailure, describeDirectoryError } from './active-directory-errors.ts'
import { DirectoryConnection, type LdapClientFactory } from './directory-connection.ts'
import { groupNameProblem, samAccountNameProblem } from './directory-names.ts'
import { addGroupMember, listGroupMembers, removeGroupMember } from './group-operations.ts'

export interface ActiveDirectoryExecutorOptions {
  config: ActiveDirectoryConfig
  /** Where a reset password goes; it never appears in a result. */
  delivery: SecretDelivery
  /** Makes the LDAP client; the default is ldapts over LDAPS. */
  createClient?: LdapClientFactory
  /** Resolves `env:` credential references; the process environment by default. */
  environment?: NodeJS.ProcessEnv
}

const PERFORM: Readonly<
  Record<ActiveDirectoryOperation, (request: OperationRequest) => Promise<OperationOutcome>>
> = {
  find_user: findUser,
  get_user_status: getUserStatus,
  reset_password: resetPassword,
  unlock_account: unlockAccount,
  enable_account: enableAccount,
  disable_account: disableAccount,
  add_group_member: addGroupMember,
  remove_group_member: removeGroupMember,
  list_group_members: listGroupMembers,
}

/**
 * Performs the Active Directory operations of the catalogue against a domain controller over
 * LDAPS, bound as the service account: one connection per step, closed when the step ends.
 */
export class ActiveDirectoryExecutor implements Executor {
  readonly specificationVersion = 'executor-v1'
  readonly id = 'active_directory'
  readonly handles: readonly PlanStep['executor'][] = ['active_directory']
  private readonly options: ActiveDirectoryExecutorOptions
  private readonly createClient: LdapClientFactory

  constructor(options: ActiveDirectoryExecutorOptions) {
    this.options = options
    this.createClient = options.createClient ?? ((clientOptions) => new Client(clientOptions))
  }

  /**
   * The account's sAMAccountName as the directory spells it, or undefined when there is none:
   * whether a person a technician acts for exists. Connection failures throw.
   */
  async findAccount(username: string): Promise<string | undefined> {
    if (samAccountNameProblem(username) !== undefined) return undefined
    const connection = await DirectoryConnection.open(
      this.options.config,
      this.createClient,
      this.options.environment ?? process.env,
    )
    try {
      return (await connection.findUser(username))?.username
    } finally {
      await connection.close()
    }
  }

  async doExecute(step: PlanStep, context: ExecutionContext): Promise<StepResult> {
    const started = performance.now()
    const wouldRun = describeInvocation(step.invocation)
    const invocation = step.invocation
    if (invocation.type !== 'operation' || invocation.executor !== 'active_directory') {
      return failedStep(
        step,
        wouldRun,
        'UNSUPPORTED_STEP',
        'the Active Directory executor runs Active Directory operations only',
      )
    }
    if (!Object.hasOwn(ACTIVE_DIRECTORY_OPERATIONS, invocation.operation)) {
      return failedStep(
        step,
        wouldRun,
        'UNSUPPORTED_OPERATION',
        `"${invocation.operation}" is not an Active Directory operation`,
      )
    }
    const operation = invocation.operation as ActiveDirectoryOperation
    const problem = argumentProblem(operation, invocation.arguments)
    if (problem)
      return failedStep(
        step,
        wouldRun,
        'INVALID_INPUT',
        `${problem}; nothing was sent to the directory`,
      )
    const {
      username = '',
      group = '',
      mustChangeAtNextLogon = true,
    } = invocation.arguments as {
      username?: string
      group?: string
      mustChangeAtNextLogon?: boolean
    }

    let connection: DirectoryConnection
    try {
      connection = await DirectoryConnection.open(
        this.options.config,
        this.createClient,
        this.options.environment ?? process.env,
      )
    } catch (error) {
      // A refusal carries an LDAP result code and is about the service account; a connection or
      // TLS failure is about the server; a credential reference that cannot be resolved says so.
      const { bindDn, url } = this.options.config
      const refusedSignIn = typeof (error as { code?: unknown }).code === 'number'
      const about = refusedSignIn ? `service account ${bindDn}` : url
      const failure = describeDirectoryError(
        error,
        isHelpdeskError(error) ? {} : { account: about },
      )
      return failedStep(step, wouldRun, failure.errorCode, failure.message, elapsed(started))
    }
    try {
      const outcome = await PERFORM[operation]({
        connection,
        username,
        group,
        mustChangeAtNextLogon,
        context,
        delivery: this.options.delivery,
      })
      return {
        stepId: step.id,
        status: 'succeeded',
        wouldRun,
        ...(step.target ? { target: step.target } : {}),
        stdout: outcome.stdout,
        stderr: '',
        exitCode: null,
        durationMs: elapsed(started),
        changed: outcome.changed && !ACTIVE_DIRECTORY_OPERATIONS[operation].readOnly,
        data: outcome.data,
      }
    } catch (error) {
      const failure = describeDirectoryError(error)
      return {
        ...failedStep(step, wouldRun, failure.errorCode, failure.message, elapsed(started)),
        changed: error instanceof DirectoryOperationFailure && error.changed,
      }
    } finally {
      await connection.close()
    }
  }
}

/** Re-checks every name before it reaches a filter, even though the planner validated it. */
function argumentProblem(
  operation: ActiveDirectoryOperation,
  values: Readonly<Record<string, string | number | boolean>>,
): string | undefined {
  const needed: readonly string[] = ACTIVE_DIRECTORY_OPERATIONS[operation].parameters
  if (needed.includes('username') || 'username' in values) {
    const problem = samAccountNameProblem(values.username)
    if (problem) return problem
  }
  if (needed.includes('group') || 'group' in values) {
    const problem = groupNameProblem(values.group)
    if (problem) return problem
  }
  const mustChange = values.mustChangeAtNextLogon
  if (mustChange !== undefined && typeof mustChange !== 'boolean') {
    return 'mustChangeAtNextLogon must be true or false'
  }
  return undefined
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000
}
