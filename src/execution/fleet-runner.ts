import { describeInvocation } from '../executors/describe-invocation.ts'
import type { StepResult } from '../executors/executor.ts'
import { failedStep } from '../executors/step-results.ts'
import type { ExecutionService, StepRequest } from './execution-service.ts'

/** Progress of a fleet run, in the order things happen. */
export type FleetEvent =
  | { type: 'target-start'; target: string; attempt: number }
  | { type: 'target-retry'; target: string; attempt: number; delayMs: number; errorCode: string }
  | { type: 'target-end'; target: string; result: StepResult }
  | {
      type: 'fleet-progress'
      done: number
      total: number
      succeeded: number
      failed: number
      /** Estimated time to finish, from the mean time per target so far and the concurrency. */
      etaMs: number
    }

export interface FleetRequest extends Omit<StepRequest, 'target' | 'signal'> {
  targets: readonly string[]
  /** How many targets run at once. */
  concurrency?: number
  /** Extra attempts for a transient failure (unreachable, connection dropped). */
  retries?: number
  /** First retry delay; doubles each attempt, with jitter. */
  backoffMs?: number
  onEvent?: (event: FleetEvent) => void
  signal?: AbortSignal
}

export interface FleetResult {
  results: Array<{ target: string; result: StepResult }>
  succeeded: number
  failed: number
  cancelled: number
  durationMs: number
}

/**
 * Failures worth another attempt: the command never started, so running it again cannot do
 * anything twice. A timeout or a non-zero exit may have changed something and is not retried.
 */
const TRANSIENT = new Set(['CONNECT_FAILED', 'PROTOCOL_ERROR', 'BACKEND_BUSY'])

/**
 * Runs one step on many machines with bounded concurrency: each target goes through the
 * execution service (so each is validated, approved, audited and verified on its own), one
 * failure does not stop the others, transient failures are retried with backoff, and an abort
 * stops what runs and skips what has not started.
 */
export async function runFleet(
  service: ExecutionService,
  request: FleetRequest,
): Promise<FleetResult> {
  const started = performance.now()
  const concurrency = Math.max(1, Math.min(request.concurrency ?? 20, request.targets.length || 1))
  const retries = request.retries ?? 2
  const backoffMs = request.backoffMs ?? 250
  const emit = request.onEvent ?? (() => undefined)
  const results: FleetResult['results'] = new Array(request.targets.length)
  let next = 0
  let done = 0
  let succeeded = 0
  let failed = 0
  let cancelled = 0

  const runTarget = async (target: string): Promise<StepResult> => {
    for (let attempt = 1; ; attempt++) {
      emit({ type: 'target-start', target, attempt })
      const result = await service.executeStep({
        ...request,
        target,
        ...(request.signal ? { signal: request.signal } : {}),
      })
      const transient = result.status === 'failed' && TRANSIENT.has(result.errorCode ?? '')
      if (!transient || attempt > retries || request.signal?.aborted) return result
      const delayMs = Math.round(backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5))
      emit({ type: 'target-retry', target, attempt, delayMs, errorCode: result.errorCode ?? '' })
      await sleep(delayMs, request.signal)
    }
  }

  const worker = async () => {
    while (next < request.targets.length) {
      const index = next++
      const target = request.targets[index] ?? ''
      let result: StepResult
      if (request.signal?.aborted) {
        result = {
          ...failedStep(
            request.step,
            describeInvocation(request.step.invocation),
            'CANCELLED',
            'cancelled before it started',
          ),
          target,
          status: 'skipped',
        }
        cancelled++
      } else {
        result = await runTarget(target)
        if (result.status === 'succeeded') succeeded++
        else failed++
      }
      results[index] = { target, result }
      done++
      emit({ type: 'target-end', target, result })
      const elapsed = performance.now() - started
      const remaining = request.targets.length - done
      emit({
        type: 'fleet-progress',
        done,
        total: request.targets.length,
        succeeded,
        failed,
        etaMs: Math.round((elapsed / done) * remaining),
      })
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { results, succeeded, failed, cancelled, durationMs: performance.now() - started }
}

function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, milliseconds)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        resolve()
      },
      { once: true },
    )
  })
}
