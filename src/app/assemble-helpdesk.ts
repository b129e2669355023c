import {
  type ApprovalRequester,
  HelpdeskCore,
  type StepRunner,
} from '../agent/core/helpdesk-core.ts'
import type { MachineGroups } from '../agent/core/machine-groups.ts'
import { MemorySessionStore } from '../agent/core/memory-session-store.ts'
import type { SessionStore } from '../agent/core/session.ts'
import type { AnswerWriter } from '../knowledge/answers/answer-writer.ts'
import { RunbookAnswers } from '../knowledge/answers/runbook-answers.ts'
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts'
import type { AccessPolicy } from '../policy/access-policy.ts'
import type { RoutingTuning } from '../retrieval/retrieval-router.ts'
import { loadWordVectors } from '../retrieval/word-vectors.ts'
import { dryRunSteps } from './chat-step-runner.ts'
import { LiveRouter } from './live-router.ts'

/**
 * The router and the conversation core over a knowledge base: the same assembly for the server,
 * the CLI, the benchmarks and the tests, whatever store the knowledge base uses.
 */
export function assembleHelpdesk(
  knowledge: KnowledgeBase,
  options: {
    maxMessageCharacters: number
    tuning?: Partial<RoutingTuning>
    runStep?: StepRunner
    /** Where conversations live; in process memory unless the caller persists them. */
    sessions?: SessionStore
    requestApproval?: ApprovalRequester
    /** The inventory's machine groups, for requests about a whole group. */
    machineGroups?: MachineGroups
    /** Whose account and machine a signed-in person may act on. */
    access?: AccessPolicy
    /**
     * Who writes answers to how-to and why questions: a model (ModelAnswerWriter) when one is
     * configured; the runbook passages themselves (extractive) by default.
     */
    answerWriter?: AnswerWriter
    /** Where a missing word-vector file is said (once); the console by default. */
    log?: (line: string) => void
  },
): { router: LiveRouter; core: HelpdeskCore; sessions: SessionStore } {
  const router = new LiveRouter({
    store: knowledge.store,
    embedding: knowledge.embedding,
    instructions: [...knowledge.instructions.values()],
    outOfScope: knowledge.outOfScope,
    wordVectors: loadWordVectors(undefined, options.log) ?? null,
    ...(options.tuning ? { tuning: options.tuning } : {}),
  })
  const sessions = options.sessions ?? new MemorySessionStore()
  const core = new HelpdeskCore({
    instructions: knowledge.instructions,
    router,
    sessions,
    runStep: options.runStep ?? dryRunSteps(),
    ...(options.requestApproval ? { requestApproval: options.requestApproval } : {}),
    ...(options.machineGroups ? { machineGroups: options.machineGroups } : {}),
    ...(options.access ? { access: options.access } : {}),
    answers: new RunbookAnswers({
      instructions: knowledge.instructions,
      ...(options.answerWriter ? { writer: options.answerWriter } : {}),
    }),
    handoffs: knowledge.handoffs,
    maxMessageCharacters: options.maxMessageCharacters,
  })
  return { router, core, sessions }
}
