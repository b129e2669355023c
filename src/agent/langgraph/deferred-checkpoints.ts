import type { RunnableConfig } from '@langchain/core/runnables'
import { MemorySaver } from '@langchain/langgraph'
import {
  BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  copyCheckpoint,
  type PendingWrite,
} from '@langchain/langgraph-checkpoint'

/**
 * A checkpointer in front of the durable one that keeps the threads it is told to `hold` in
 * memory until the caller knows whether anyone will read them again: `commit` writes what the run
 * wrote, in the same order, to the durable store (a turn that paused on an approval), `discard`
 * drops it without a statement (a turn that finished, which nobody reads again). Other threads go
 * straight to the durable store. On PostgreSQL this spares a finished chat turn its checkpoint
 * (a transaction of about ten inserts) and the three deletes that followed it.
 * @module
 */
export class DeferredCheckpoints extends BaseCheckpointSaver {
  readonly #durable: BaseCheckpointSaver
  /** Held thread -> the durable writes its run asked for, in order. */
  readonly #held = new Map<string, Array<() => Promise<unknown>>>()
  /** Answers a held thread's own reads during its run. */
  readonly #memory = new MemorySaver()

  constructor(durable: BaseCheckpointSaver) {
    super(durable.serde)
    this.#durable = durable
  }

  /** Keeps this (new) thread in memory until `commit` or `discard`. */
  hold(threadId: string): void {
    this.#held.set(threadId, [])
  }

  /** Writes what the held thread's run wrote to the durable store, and stops holding it. */
  async commit(threadId: string): Promise<void> {
    const writes = this.#held.get(threadId) ?? []
    this.#held.delete(threadId)
    await this.#memory.deleteThread(threadId)
    for (const write of writes) await write()
  }

  /** Forgets the held thread; nothing of it was or will be written durably. */
  async discard(threadId: string): Promise<void> {
    if (!this.#held.delete(threadId)) return
    await this.#memory.deleteThread(threadId)
  }

  #heldWrites(config: RunnableConfig): Array<() => Promise<unknown>> | undefined {
    const threadId = config.configurable?.thread_id
    return typeof threadId === 'string' ? this.#held.get(threadId) : undefined
  }

  getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    return this.#heldWrites(config) ? this.#memory.getTuple(config) : this.#durable.getTuple(config)
  }

  list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    return this.#heldWrites(config)
      ? this.#memory.list(config, options)
      : this.#durable.list(config, options)
  }

  put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    const writes = this.#heldWrites(config)
    if (!writes) return this.#durable.put(config, checkpoint, metadata, newVersions)
    // A copy: the run goes on with its own checkpoint object after this call.
    const kept = copyCheckpoint(checkpoint)
    writes.push(() => this.#durable.put(config, kept, metadata, newVersions))
    return this.#memory.put(config, checkpoint, metadata)
  }

  putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    const held = this.#heldWrites(config)
    if (!held) return this.#durable.putWrites(config, writes, taskId)
    const kept = [...writes]
    held.push(() => this.#durable.putWrites(config, kept, taskId))
    return this.#memory.putWrites(config, writes, taskId)
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.discard(threadId)
    await this.#durable.deleteThread(threadId)
  }

  override getNextVersion(current: number | undefined): number {
    return this.#durable.getNextVersion(current)
  }
}
