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
  it('checkpoints every node of a turn in the SQLite file, and drops a finished thread', async () => {
    const store = database()
    const saver = new CountingSaver(store)
    const agent = new LangGraphAgent(await toolbox(), saver)
    const result = await lastReply(
      agent.handleTurn({ message: 'my AD account jdoe is locked out' }),
    )
    expect(result.tasks).toEqual(['account_locked'])
    // input, route_request, plan_tasks, execute_steps, write_reply
    expect(saver.written).toBeGreaterThanOrEqual(5)
    // Nothing waits on an approval (no approvals here): nothing will read the thread again.
    const rows = store.prepare('SELECT COUNT(*) AS count FROM langgraph_checkpoints').get() as {
      count: number
    }
    expect(rows.count).toBe(0)
  })
})
