/**
 * The people and the objects the authorization matrix (tests/authorization-matrix.test.ts) asks
 * about: the whole HTTP application over the real approval service, SQLite stores in memory, a
 * recording executor and the in-memory knowledge base, with requesters alice and bob (and carol,
 * whom a technician acts for), technicians tom and tina, and the admin ada. Each of them owns a
 * conversation and a job; approval requests are made per cell, since deciding one uses it up.
 * @module
 */
import { CoreAgent } from '../../src/agent/adapters/core-agent.ts'
import { AgentRegistry, SwitchableAgent } from '../../src/agent/agent-registry.ts'
import { AgentToolbox } from '../../src/agent/agent-toolbox.ts'
import { MemorySessionStore } from '../../src/agent/core/memory-session-store.ts'
import { AnalyticsService } from '../../src/analytics/analytics-service.ts'
import { SqliteReplyFeedbackStore } from '../../src/analytics/feedback/sqlite-reply-feedback-store.ts'
import { assembleHelpdesk } from '../../src/app/assemble-helpdesk.ts'
import { liveSteps } from '../../src/app/chat-step-runner.ts'
import type { ApprovalRequest } from '../../src/approvals/approval-store.ts'
import { approvalRequester } from '../../src/approvals/pending-approval.ts'
import {
  type ApprovalStack,
  cleanCachesPlan,
  criticalPrinterPlan,
  loadTestInstructions,
  openApprovalStack,
  RecordingExecutor,
  unlockPlan,
} from '../../src/approvals/testing/approval-fixture.ts'
import { HashingEmbeddingFunction } from '../../src/embeddings/hashing-embedding-function.ts'
import { ExecutorRegistry } from '../../src/executors/executor-registry.ts'
import { SqliteUserStore } from '../../src/identity/sqlite-user-store.ts'
import type { Role } from '../../src/identity/user.ts'
import { JobHistory } from '../../src/jobs/job-history.ts'
import { KnowledgeBase, loadKnowledgeSources } from '../../src/knowledge/knowledge-base.ts'
import { RunbookLibrary } from '../../src/knowledge/library/runbook-library.ts'
import { SqliteRunbookStore } from '../../src/knowledge/library/sqlite-runbook-store.ts'
import { MemoryVectorStore } from '../../src/knowledge/memory-vector-store.ts'
import { AccessPolicy } from '../../src/policy/access-policy.ts'
import { AccountMap } from '../../src/policy/account-map.ts'
import { type AppDependencies, createApp } from '../../src/server/create-app.ts'
import { FailedSignInLimiter } from '../../src/server/failed-sign-in-limiter.ts'
import { SqliteTicketStore } from '../../src/tickets/sqlite-ticket-store.ts'
import type { Ticket } from '../../src/tickets/ticket.ts'
import { TicketService } from '../../src/tickets/ticket-service.ts'
import { openWorkflowJobs, type WorkflowJobs } from './authorization-jobs.ts'

export const PEOPLE = {
  alice: 'requester',
  bob: 'requester',
  carol: 'requester',
  tom: 'technician',
  tina: 'technician',
  ada: 'admin',
} as const satisfies Record<string, Role>
export type Person = keyof typeof PEOPLE

/** A token of the right shape that no user holds. */
export const BAD_TOKEN = `hd_${'x'.repeat(43)}`

export interface AuthorizationWorld {
  app: ReturnType<typeof createApp>
  /** The same application's parts, to build a second one (say, with a tighter sign-in limit). */
  dependencies: AppDependencies
  stack: ApprovalStack
  /** The instruction manager over a runbook store in memory, seeded from data/instructions. */
  library: RunbookLibrary
  tokens: Readonly<Record<Person, string>>
  /** Each person's conversation, started through the API (so it is theirs). */
  sessions: Readonly<Record<Person, string>>
  /** Each person's job: a level-1 plan of theirs, confirmed by them and run. */
  jobs: Readonly<Record<Person, string>>
  /** Each person's finished background workflow job (started by the technician tom). */
  workflowJobs: Readonly<Record<Person, string>>
  workflowJobsEngine: WorkflowJobs
  /** A new pending request for `requester`, caused by `actor` when given. */
  approvalFor(requester: Person, level: 1 | 2 | 3, actor?: Person): Promise<ApprovalRequest>
  /** A new level-1 request of `requester`'s, approved, whose run a server stop interrupted. */
  interruptedFor(requester: Person): Promise<ApprovalRequest>
  /** A new open ticket of `requester`'s: they asked for a person in a new conversation. */
  ticketFor(requester: Person): Promise<Ticket>
  close(): Promise<void>
}

export async function buildAuthorizationWorld(): Promise<AuthorizationWorld> {
  const users = new SqliteUserStore({ file: ':memory:' })
  const tokens = {} as Record<Person, string>
  for (const [name, role] of Object.entries(PEOPLE) as [Person, Role][]) {
    tokens[name] = (await users.add(name, role)).token
  }
  const sources = await loadKnowledgeSources({
    instructionsDirectory: 'data/instructions',
    outOfScopeFile: 'data/routing/out-of-scope.yaml',
  })
  const knowledge = new KnowledgeBase({
    ...sources,
    store: new MemoryVectorStore(),
    embedding: new HashingEmbeddingFunction(),
  })
  await knowledge.ingest()
  const executor = new RecordingExecutor()
  const instructions = await loadTestInstructions()
  const stack = openApprovalStack({ file: ':memory:', instructions, executor })
  const runStep = liveSteps(stack.execution, new ExecutorRegistry().register(executor))
  const conversations = new MemorySessionStore()
  const { core, sessions, router } = assembleHelpdesk(knowledge, {
    sessions: conversations,
    maxMessageCharacters: 4000,
    runStep,
    requestApproval: approvalRequester(stack.service),
    access: new AccessPolicy({ accounts: new AccountMap() }),
  })
  const runbooks = new SqliteRunbookStore({ file: ':memory:' })
  const library = new RunbookLibrary({
    store: runbooks,
    knowledge,
    router,
    audit: stack.audit,
    seed: {
      instructionsDirectory: 'data/instructions',
      outOfScopeFile: 'data/routing/out-of-scope.yaml',
    },
  })
  await library.start()
  const toolbox = new AgentToolbox({
    core,
    router,
    instructions: knowledge.instructions,
    runStep,
    approvals: stack.service,
  })
  const registry = new AgentRegistry().register('core', (tools) => new CoreAgent(tools))
  const agents = new SwitchableAgent(registry, toolbox, new CoreAgent(toolbox))
  const ticketStore = new SqliteTicketStore({ file: ':memory:' })
  const tickets = new TicketService({ store: ticketStore, sessions, audit: stack.audit })
  const workflow = openWorkflowJobs(stack.audit)
  const feedback = new SqliteReplyFeedbackStore({ file: ':memory:' })
  const dependencies: AppDependencies = {
    core,
    sessions,
    authentication: { mode: 'token', users },
    instructions: knowledge.instructions,
    library,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: () => {},
    agents,
    frameworks: registry.names,
    approvals: stack.service,
    jobs: new JobHistory(stack.audit),
    audit: stack.audit,
    jobEngine: workflow.engine,
    // Every bad-token cell fails a sign-in from the same (socketless) address: the limit is
    // checked by one cell of its own, with its own limiter.
    signInLimiter: new FailedSignInLimiter({ limit: 100_000 }),
    tickets,
    feedback,
    analytics: new AnalyticsService({ conversations, audit: stack.audit, feedback }),
  }
  const app = createApp(dependencies)

  const plans = { 1: cleanCachesPlan, 2: unlockPlan, 3: criticalPrinterPlan } as const
  const approvalFor = (requester: Person, level: 1 | 2 | 3, actor?: Person) =>
    stack.service.requestApproval({
      plan: plans[level](instructions),
      requester,
      ...(actor ? { actor } : {}),
    })

  const sessionIds = {} as Record<Person, string>
  const jobIds = {} as Record<Person, string>
  const workflowJobIds = {} as Record<Person, string>
  for (const person of Object.keys(PEOPLE) as Person[]) {
    const response = await app.request('/api/chat', {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[person]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: `hello, this is ${person}` }),
    })
    if (response.status !== 200) throw new Error(`${person}'s first turn: ${response.status}`)
    sessionIds[person] = ((await response.json()) as { sessionId: string }).sessionId
    const request = await approvalFor(person, 1)
    await stack.service.approve(request.id, { username: person, role: PEOPLE[person] })
    await stack.service.executeApproved(request.id, { actor: person })
    jobIds[person] = request.id
    workflowJobIds[person] = await workflow.jobFor(person)
  }

  return {
    app,
    dependencies,
    stack,
    library,
    tokens,
    sessions: sessionIds,
    jobs: jobIds,
    workflowJobs: workflowJobIds,
    workflowJobsEngine: workflow,
    approvalFor,
    interruptedFor: async (requester) => {
      const request = await approvalFor(requester, 1)
      await stack.service.approve(request.id, { username: requester, role: PEOPLE[requester] })
      // What a restart finds: approved, its run never finished. Every request approved through
      // the API has run by then, so this one is the only one marked.
      const marked = await stack.service.recoverInterrupted()
      if (!marked.some((each) => each.id === request.id)) {
        throw new Error(`request ${request.id} was not marked interrupted`)
      }
      return stack.service.get(request.id)
    },
    ticketFor: async (requester) => {
      const response = await app.request('/api/chat', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${tokens[requester]}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ message: 'I want to talk to a person' }),
      })
      const body = (await response.json()) as { ticket?: { id: string } }
      if (!body.ticket) throw new Error(`${requester}'s hand-off opened no ticket`)
      return ticketStore.get(body.ticket.id) as Promise<Ticket>
    },
    close: async () => {
      await tickets.shutdown()
      await ticketStore.close()
      await agents.agent.close()
      await workflow.close()
      await stack.close()
      await runbooks.close()
      await users.close()
    },
  }
}
