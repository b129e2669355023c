import { AgentToolbox } from '../../src/agent/agent-toolbox.ts'
import { dryRunSteps } from '../../src/app/chat-step-runner.ts'
import { buildMemoryRuntime } from './memory-runtime.ts'

let runtime: ReturnType<typeof buildMemoryRuntime> | undefined

/** The adapters' tools over the real runbooks and router, the in-memory store and dry-run steps. */
export async function memoryToolbox(): Promise<AgentToolbox> {
  runtime ??= buildMemoryRuntime()
  const { core, router, knowledge } = await runtime
  return new AgentToolbox({
    core,
    router,
    instructions: knowledge.instructions,
    runStep: dryRunSteps(),
  })
}
