import type { StepRunner } from '../../src/agent/core/helpdesk-core.ts'
import { assembleHelpdesk } from '../../src/app/assemble-helpdesk.ts'
import { dryRunSteps } from '../../src/app/chat-step-runner.ts'
import { HashingEmbeddingFunction } from '../../src/embeddings/hashing-embedding-function.ts'
import { describeInvocation } from '../../src/executors/describe-invocation.ts'
import { failedStep } from '../../src/executors/step-results.ts'
import type { AnswerWriter } from '../../src/knowledge/answers/answer-writer.ts'
import { KnowledgeBase, loadKnowledgeSources } from '../../src/knowledge/knowledge-base.ts'
import { MemoryVectorStore } from '../../src/knowledge/memory-vector-store.ts'
import type { AccessPolicy } from '../../src/policy/access-policy.ts'

/** A machine group for the conversations about many machines; LT-0499 never answers. */
export const MACHINE_GROUPS: Readonly<
  Record<string, ReadonlyArray<{ name: string; platform: string }>>
> = {
  finance: [
    { name: 'LT-0423', platform: 'windows' },
    { name: 'LT-0424', platform: 'linux' },
    { name: 'LT-0499', platform: 'linux' },
  ],
}
export const UNREACHABLE_MACHINE = 'LT-0499'

/**
 * Dry runs, except on LT-0499, which fails the way an unreachable machine does (the SSH
 * connection refused): a stand-in at the network boundary; chat-live-steps.int.test.ts has the
 * same case against a real sshd and a closed port.
 */
const UNREACHABLE_MACHINE_STEPS: StepRunner = (() => {
  const dryRun = dryRunSteps()
  return async (plan, step, context) => {
    if (step.target?.toUpperCase() !== UNREACHABLE_MACHINE) return dryRun(plan, step, context)
    return failedStep(
      step,
      describeInvocation(step.invocation),
      'CONNECT_FAILED',
      `${UNREACHABLE_MACHINE} did not answer (connection refused)`,
    )
  }
})()

/**
 * The real runbooks, router and core over the in-memory reference store: for unit tests that
 * need the whole conversation logic but not a Chroma server.
 */
export async function buildMemoryRuntime(
  options: { access?: AccessPolicy; answerWriter?: AnswerWriter } = {},
) {
  const sources = await loadKnowledgeSources({
    instructionsDirectory: 'data/instructions',
    outOfScopeFile: 'data/routing/out-of-scope.yaml',
  })
  const embedding = new HashingEmbeddingFunction()
  const store = new MemoryVectorStore()
  const knowledge = new KnowledgeBase({ ...sources, store, embedding })
  await knowledge.ingest()
  const { router, core, sessions } = assembleHelpdesk(knowledge, {
    maxMessageCharacters: 4000,
    machineGroups: (name) => MACHINE_GROUPS[name.toLowerCase()],
    runStep: UNREACHABLE_MACHINE_STEPS,
    ...(options.access ? { access: options.access } : {}),
    ...(options.answerWriter ? { answerWriter: options.answerWriter } : {}),
  })
  return { knowledge, router, core, sessions, store, embedding }
}
