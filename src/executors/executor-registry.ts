import { HelpdeskError } from '../errors/index.ts'
import type { ExecutorKind } from '../knowledge/instructions/instruction-schema.ts'
import type { Executor } from './executor.ts'

/**
 * Which executor performs which kind of step. Filled in one place (the composition root); a
 * lookup miss names the kinds that are registered.
 */
export class ExecutorRegistry {
  private readonly byKind = new Map<ExecutorKind, Executor>()

  /** @throws {HelpdeskError} NO_SUCH_IMPLEMENTATION when a kind already has an executor. */
  register(executor: Executor, kinds: readonly ExecutorKind[] = executor.handles): this {
    for (const kind of kinds) {
      const existing = this.byKind.get(kind)
      if (existing) {
        throw new HelpdeskError({
          code: 'NO_SUCH_IMPLEMENTATION',
          category: 'SYSTEM',
          message: `executor kind "${kind}" is already served by "${existing.id}"; cannot register "${executor.id}" for it`,
        })
      }
      if (!executor.handles.includes(kind)) {
        throw new HelpdeskError({
          code: 'NO_SUCH_IMPLEMENTATION',
          category: 'SYSTEM',
          message: `executor "${executor.id}" does not handle "${kind}" (it handles: ${executor.handles.join(', ')})`,
        })
      }
      this.byKind.set(kind, executor)
    }
    return this
  }

  /** @throws {HelpdeskError} NO_SUCH_IMPLEMENTATION listing the registered kinds. */
  get(kind: string): Executor {
    const executor = this.byKind.get(kind as ExecutorKind)
    if (!executor) {
      throw new HelpdeskError({
        code: 'NO_SUCH_IMPLEMENTATION',
        message: `no executor for "${kind.slice(0, 60)}"; registered kinds: ${[...this.byKind.keys()].join(', ') || 'none'}`,
        details: { kind: kind.slice(0, 60), registered: [...this.byKind.keys()] },
      })
    }
    return executor
  }

  get kinds(): ExecutorKind[] {
    return [...this.byKind.keys()]
  }
}
