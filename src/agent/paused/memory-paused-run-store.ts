import type { PausedRunStore } from './paused-run-store.ts'

/** Paused runs in this process only: what an adapter uses without a project store. */
export class MemoryPausedRunStore implements PausedRunStore {
  private readonly threads = new Map<string, string>()
  private readonly states = new Map<string, string>()

  async remember(threadId: string, approvalIds: readonly string[], state?: string): Promise<void> {
    for (const id of approvalIds) {
      // Re-inserted, so the order of `approvalsOf` is that of the latest record.
      this.threads.delete(id)
      this.threads.set(id, threadId)
    }
    if (state !== undefined) this.states.set(threadId, state)
  }

  async find(approvalId: string): Promise<string | undefined> {
    return this.threads.get(approvalId)
  }

  async stateOf(threadId: string): Promise<string | undefined> {
    return this.states.get(threadId)
  }

  async approvalsOf(threadId: string): Promise<string[]> {
    return [...this.threads].filter(([, thread]) => thread === threadId).map(([id]) => id)
  }

  async forget(approvalId: string): Promise<void> {
    const threadId = this.threads.get(approvalId)
    this.threads.delete(approvalId)
    if (threadId && (await this.approvalsOf(threadId)).length === 0) this.states.delete(threadId)
  }
}
