/**
 * What must hold before anyone is asked to approve a plan. A person approving a change to a
 * machine the helpdesk cannot reach approves something that cannot run: the read-only checks of
 * the same turn already tried that machine, so their failure is the precondition's answer.
 * @module
 */
import type { StepResult } from '../executors/executor.ts'
import type { Plan } from '../planning/plan.ts'

/**
 * The transport failures (`details.reason` of the remote shells, see transports/remote-shell.ts)
 * that mean the helpdesk could not get onto the machine at all: a change would fail the same way.
 * A script that ran and failed (EXIT_CODE, TIMEOUT) is a finding, not an unreachable machine.
 */
const NOT_CONNECTED = {
  CONNECT_FAILED: 'unreachable',
  HOST_KEY_MISMATCH: 'refused',
  AUTHENTICATION_FAILED: 'refused',
} as const

/** A read-only check that could not connect to a machine a held step would change. */
export interface FailedPrecondition {
  target: string
  /** `unreachable`: the machine did not answer; `refused`: it answered but the login or host key failed. */
  kind: 'unreachable' | 'refused'
  errorCode: string
  errorMessage: string
}

/**
 * The first machine that a step waiting for approval would change and that a read-only check of
 * the same turn could not connect to; undefined when nothing stands in the way.
 */
export function failedPrecondition(
  plan: Plan,
  results: readonly StepResult[],
): FailedPrecondition | undefined {
  const held = new Set(
    results
      .filter((result) => result.status === 'awaiting_approval')
      .map((result) => result.stepId),
  )
  const changed = new Set(
    plan.steps.flatMap((step) => (held.has(step.id) && step.target ? [step.target] : [])),
  )
  for (const result of results) {
    if (result.status !== 'failed' || !result.target || !changed.has(result.target)) continue
    const code = result.errorCode ?? ''
    if (!Object.hasOwn(NOT_CONNECTED, code)) continue
    return {
      target: result.target,
      kind: NOT_CONNECTED[code as keyof typeof NOT_CONNECTED],
      errorCode: code,
      errorMessage: result.errorMessage ?? code,
    }
  }
  return undefined
}

/** What the reply says instead of "awaiting approval": what happened and what to do. */
export function describeFailedPrecondition(failure: FailedPrecondition): string {
  if (failure.kind === 'unreachable') {
    return `I could not reach ${failure.target} (${failure.errorMessage}), so I have not asked anyone to approve the changes: they could not run either. Check that ${failure.target} is switched on and connected to the network (or the VPN), then ask me again. If it stays unreachable, contact the service desk.`
  }
  return `${failure.target} refused the helpdesk's connection (${failure.errorMessage}), so I have not asked anyone to approve the changes: they could not run either. A technician needs to check this machine's entry in the inventory; please contact the service desk.`
}
