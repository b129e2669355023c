import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { memoryToolbox } from '../../../tests/support/agent-toolbox.ts'
import { runAgentConformance } from '../agent-conformance.case.test.ts'
import { SCENARIOS } from '../agent-scenarios.ts'
import { lastReply } from '../event-stream.ts'
import { NodeSqliteCheckpointSaver } from '../langgraph/node-sqlite-checkpoint-saver.ts'
import { CoreAgent } from './core-agent.ts'
import { LangGraphAgent } from './langgraph-agent.ts'

const toolbox = memoryToolbox

function database(): DatabaseSync {
  return new DatabaseSync(path.join(mkdtempSync(path.join(tmpdir(), 'langgraph-')), 'store.sqlite'))
}

runAgentConformance(
  {
    name: 'langgraph (SQLite checkpointer)',
    create: async () =>
      new LangGraphAgent(await toolbox(), new NodeSqliteCheckpointSaver(database())),
    reference: async () => new CoreAgent(await toolbox()),
  },
  SCENARIOS,
)

/** Counts the checkpoints written, which the finished thread's deletion leaves no trace of. */
class CountingSaver extends NodeSqliteCheckpointSaver {
  written = 0
  override put(...args: Parameters<NodeSqliteCheckpointSaver['put']>) {
    this.written += 1
    return super.put(...args)
  }
}

describe('LangGraphAgent', () => {
  it('writes nothing durable for a turn that finished (nobody reads it again)', async () => {
    const store = database()
    const saver = new CountingSaver(store)
    const agent = new LangGraphAgent(await toolbox(), saver)
    const result = await lastReply(
      agent.handleTurn({ message: 'my AD account jdoe is locked out' }),
    )
    expect(result.tasks).toEqual(['account_locked'])
    // Not after the input and each of route_request, plan_tasks, execute_steps and write_reply
    // (nothing reads a thread between two nodes), and not at the end either: the turn finished.
    expect(saver.written).toBe(0)
    // Nothing waits on an approval (no approvals here): nothing of the thread is in the file.
    const checkpointRows = () =>
      (
        store.prepare('SELECT COUNT(*) AS count FROM langgraph_checkpoints').get() as {
          count: number
        }
      ).count
    expect(() => checkpointRows()).toThrow(/no such table/)
    // A turn that pauses is written for its decision to resume it, in another process too:
    // paused-runs.test.ts.
  })
})
