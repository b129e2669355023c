import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { RunnableConfig } from '@langchain/core/runnables'
import {
  BaseCheckpointSaver,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  copyCheckpoint,
  type PendingWrite,
  WRITES_IDX_MAP,
} from '@langchain/langgraph-checkpoint'

/**
 * LangGraph checkpoints in the project's SQLite file through `node:sqlite`. The published SQLite
 * saver needs better-sqlite3, a native addon built with node-gyp, which this project does not
 * allow; this is the same schema and queries (after @langchain/langgraph-checkpoint-sqlite 1.0.4,
 * MIT) on the built-in driver. Interrupted graphs (an approval waiting) survive a restart.
 */
export class NodeSqliteCheckpointSaver extends BaseCheckpointSaver {
  private readonly database: DatabaseSync
  private latest?: StatementSync
  private exact?: StatementSync

  /** @param database the project store, opened by `openProjectDatabase` (NORMAL sync suffices). */
  constructor(database: DatabaseSync) {
    super()
    this.database = database
  }

  private setup(): void {
    if (this.latest) return
    this.database.exec(`
      CREATE TABLE IF NOT EXISTS langgraph_checkpoints (
        thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '', checkpoint_id TEXT NOT NULL,
        parent_checkpoint_id TEXT, type TEXT, checkpoint BLOB, metadata BLOB,
        PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id));
      CREATE TABLE IF NOT EXISTS langgraph_writes (
        thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '', checkpoint_id TEXT NOT NULL,
        task_id TEXT NOT NULL, idx INTEGER NOT NULL, channel TEXT NOT NULL, type TEXT, value BLOB,
        PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx));`)
    this.latest = this.database.prepare(
      `${SELECT} WHERE thread_id = ? AND checkpoint_ns = ? ORDER BY checkpoint_id DESC LIMIT 1`,
    )
    this.exact = this.database.prepare(
      `${SELECT} WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?`,
    )
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    this.setup()
    const {
      thread_id: threadId,
      checkpoint_ns: namespace = '',
      checkpoint_id: checkpointId,
    } = config.configurable ?? {}
    const row = (
      checkpointId
        ? this.exact?.get(threadId, namespace, checkpointId)
        : this.latest?.get(threadId, namespace)
    ) as Row | undefined
    if (!row) return undefined
    return this.toTuple(row, namespace)
  }

  async *list(
    config: RunnableConfig,
    options?: CheckpointListOptions,
  ): AsyncGenerator<CheckpointTuple> {
    this.setup()
    const threadId = config.configurable?.thread_id
    const namespace = config.configurable?.checkpoint_ns
    const before = options?.before?.configurable?.checkpoint_id
    const where: string[] = []
    const values: string[] = []
    if (threadId) where.push('thread_id = ?') && values.push(threadId)
    if (namespace !== undefined && namespace !== null)
      where.push('checkpoint_ns = ?') && values.push(namespace)
    if (before !== undefined) where.push('checkpoint_id < ?') && values.push(before)
    const limit = options?.limit ? ` LIMIT ${Number.parseInt(String(options.limit), 10)}` : ''
    const sql = `${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY checkpoint_id DESC${limit}`
    for (const row of this.database.prepare(sql).all(...values) as unknown as Row[]) {
      const tuple = await this.toTuple(row, row.checkpoint_ns)
      const filter = options?.filter ?? {}
      const metadata = tuple.metadata as Record<string, unknown> | undefined
      if (
        Object.entries(filter).every(
          ([key, value]) => value === undefined || metadata?.[key] === value,
        )
      )
        yield tuple
    }
  }

  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
  ): Promise<RunnableConfig> {
    this.setup()
    const threadId = config.configurable?.thread_id
    const namespace = config.configurable?.checkpoint_ns ?? ''
    if (!threadId) throw new Error('Missing "thread_id" in config.configurable')
    const [[type, serialised], [, serialisedMetadata]] = await Promise.all([
      this.serde.dumpsTyped(copyCheckpoint(checkpoint)),
      this.serde.dumpsTyped(metadata),
    ])
    this.database
      .prepare(
        'INSERT OR REPLACE INTO langgraph_checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        threadId,
        namespace,
        checkpoint.id,
        config.configurable?.checkpoint_id ?? null,
        type,
        serialised,
        serialisedMetadata,
      )
    return {
      configurable: { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: checkpoint.id },
    }
  }

  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    this.setup()
    const {
      thread_id: threadId,
      checkpoint_ns: namespace = '',
      checkpoint_id: checkpointId,
    } = config.configurable ?? {}
    if (!threadId || !checkpointId)
      throw new Error('Missing thread_id or checkpoint_id in config.configurable')
    const special = writes.every(([channel]) => channel in WRITES_IDX_MAP)
    const rows = await Promise.all(
      writes.map(async ([channel, value], index) => {
        const [type, serialised] = await this.serde.dumpsTyped(value)
        return [
          threadId,
          namespace,
          checkpointId,
          taskId,
          WRITES_IDX_MAP[channel] ?? index,
          channel,
          type,
          serialised,
        ] as const
      }),
    )
    const insert = this.database.prepare(
      `INSERT ${special ? 'OR REPLACE' : 'OR IGNORE'} INTO langgraph_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.database.exec('BEGIN IMMEDIATE')
    try {
      for (const row of rows) insert.run(...row)
      this.database.exec('COMMIT')
    } catch (error) {
      this.database.exec('ROLLBACK')
      throw error
    }
  }

  async deleteThread(threadId: string): Promise<void> {
    this.setup()
    // One transaction: one sync of the file instead of two.
    this.database.exec('BEGIN')
    try {
      this.database.prepare('DELETE FROM langgraph_checkpoints WHERE thread_id = ?').run(threadId)
      this.database.prepare('DELETE FROM langgraph_writes WHERE thread_id = ?').run(threadId)
      this.database.exec('COMMIT')
    } catch (error) {
      this.database.exec('ROLLBACK')
      throw error
    }
  }

  private async toTuple(row: Row, namespace: string): Promise<CheckpointTuple> {
    const writes = JSON.parse(row.pending_writes) as Array<{
      task_id: string
      channel: string
      type: string | null
      value: string | null
    }>
    const pendingWrites = await Promise.all(
      writes.map(
        async (write) =>
          [
            write.task_id,
            write.channel,
            await this.serde.loadsTyped(write.type ?? 'json', write.value ?? ''),
          ] as [string, string, unknown],
      ),
    )
    const configurable = { thread_id: row.thread_id, checkpoint_ns: namespace }
    return {
      checkpoint: (await this.serde.loadsTyped(row.type ?? 'json', row.checkpoint)) as Checkpoint,
      config: { configurable: { ...configurable, checkpoint_id: row.checkpoint_id } },
      metadata: (await this.serde.loadsTyped(
        row.type ?? 'json',
        row.metadata,
      )) as CheckpointMetadata,
      ...(row.parent_checkpoint_id
        ? {
            parentConfig: {
              configurable: { ...configurable, checkpoint_id: row.parent_checkpoint_id },
            },
          }
        : {}),
      pendingWrites,
    }
  }
}

interface Row {
  thread_id: string
  checkpoint_ns: string
  checkpoint_id: string
  parent_checkpoint_id: string | null
  type: string | null
  checkpoint: Uint8Array
  metadata: Uint8Array
  pending_writes: string
}

const SELECT = `SELECT thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata,
  (SELECT json_group_array(json_object('task_id', w.task_id, 'channel', w.channel, 'type', w.type, 'value', CAST(w.value AS TEXT)))
     FROM langgraph_writes AS w
    WHERE w.thread_id = langgraph_checkpoints.thread_id AND w.checkpoint_ns = langgraph_checkpoints.checkpoint_ns
      AND w.checkpoint_id = langgraph_checkpoints.checkpoint_id) AS pending_writes
  FROM langgraph_checkpoints`
