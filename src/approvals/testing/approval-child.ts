/**
 * One "server process" of the restart test (`approval-restart.int.test.ts`):
 * `node approval-child.ts COMMAND STORE_FILE RUN_LOG [APPROVAL_ID]`. Prints one JSON line.
 * - `create`: asks for approval of the unlock plan, prints the id, then kills itself (-9) with
 *   the request pending and nothing closed.
 * - `approve-execute`: a technician approves, the plan runs; prints the step statuses.
 * - `approve-execute-crash`: the same, but the process is killed (-9) while the unlock runs.
 * - `execute`: runs the approved plan again; prints the step statuses.
 * The recording executor appends each step it runs to RUN_LOG, which outlives every process.
 * @module
 */
import { appendFileSync } from 'node:fs'
import {
  loadTestInstructions,
  openApprovalStack,
  RecordingExecutor,
  unlockPlan,
} from './approval-fixture.ts'

const [command, file, runLog, id] = process.argv.slice(2)
if (!command || !file || !runLog) throw new Error('usage: approval-child.ts COMMAND FILE LOG [ID]')

const instructions = await loadTestInstructions()
const executor = new RecordingExecutor({ logFile: runLog })
const stack = openApprovalStack({ file, instructions, executor })
const technician = { username: 'tech.anna', role: 'technician' as const }

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`)
}

async function execute(approvalId: string): Promise<void> {
  const run = await stack.service.executeApproved(approvalId)
  print({
    status: run.approval.status,
    outcome: run.approval.execution?.outcome,
    steps: run.results.map((result) => [result.stepId, result.status, result.replayed]),
  })
}

switch (command) {
  case 'create': {
    const request = await stack.service.requestApproval({
      plan: unlockPlan(instructions),
      requester: 'jdoe',
    })
    print({ id: request.id })
    process.kill(process.pid, 'SIGKILL')
    break
  }
  case 'approve-execute':
  case 'approve-execute-crash': {
    if (!id) throw new Error('an approval id is needed')
    if (command === 'approve-execute-crash') {
      executor.beforeRun = (step) => {
        if (step.id !== 'account_locked.unlock_ad_account') return
        // The change happens, then the process dies before anyone records its result.
        appendFileSync(runLog, `${step.id}\n`)
        process.kill(process.pid, 'SIGKILL')
      }
    }
    await stack.service.approve(id, technician)
    await execute(id)
    break
  }
  case 'execute':
    if (!id) throw new Error('an approval id is needed')
    await execute(id)
    break
  default:
    throw new Error(`unknown command ${command}`)
}
await stack.close()
