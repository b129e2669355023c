import type { SwitchableAgent } from '../agent/agent-registry.ts'
import type { HelpdeskCore } from '../agent/core/helpdesk-core.ts'
import type { ConversationArchive, SessionStore } from '../agent/core/session.ts'
import type { AnalyticsService } from '../analytics/analytics-service.ts'
import type { ReplyFeedbackStore } from '../analytics/feedback/reply-feedback.ts'
import { ApprovalService } from '../approvals/approval-service.ts'
import type { ApprovalStore } from '../approvals/approval-store.ts'
import { reportToConversation } from '../approvals/conversation-report.ts'
import { machineFactsFrom } from '../approvals/machine-facts.ts'
import { approvalRequester } from '../approvals/pending-approval.ts'
import type { StepExecutionLedger } from '../approvals/step-execution-ledger.ts'
import type { AuditLog } from '../audit/audit-log.ts'
import type { HelpdeskConfig } from '../config/config-schema.ts'
import type { UserStore } from '../identity/user-store.ts'
import type { JobEngine } from '../jobs/job-engine.ts'
import { JobHistory } from '../jobs/job-history.ts'
import { ModelAnswerWriter } from '../knowledge/answers/model-answer-writer.ts'
import type { IngestReport } from '../knowledge/ingest/ingest-knowledge.ts'
import {
  KnowledgeBase,
  type KnowledgeSources,
  loadKnowledgeSources,
} from '../knowledge/knowledge-base.ts'
import { RunbookLibrary } from '../knowledge/library/runbook-library.ts'
import { loadStoredSources } from '../knowledge/library/stored-sources.ts'
import type { VectorStore } from '../knowledge/vector-store.ts'
import { modelEndpointFromEnvironment } from '../models/model-endpoint.ts'
import { countApprovalStates, meteredStore } from '../observability/metrics.ts'
import { OperationCatalog } from '../operations/operation-catalog.ts'
import { OperationsDesk } from '../operations/operations-desk.ts'
import { AccessPolicy } from '../policy/access-policy.ts'
import { AccountMap } from '../policy/account-map.ts'
import { knownPeople, type PersonLookup } from '../policy/known-people.ts'
import { openProjectStores, type ProjectStores } from '../store/project-stores.ts'
import { loadConnector } from '../tickets/connectors/connector-settings.ts'
import type { TicketStore } from '../tickets/ticket.ts'
import { TicketService } from '../tickets/ticket-service.ts'
import { assembleHelpdesk } from './assemble-helpdesk.ts'
import { buildAgents } from './build-agents.ts'
import { buildAnalytics } from './build-analytics.ts'
import { buildEmbedding } from './build-embedding.ts'
import { buildExecution, databaseFile, type ExecutionRuntime } from './build-execution.ts'
import { operationsReaderFromEnvironment } from './build-operations-reader.ts'
import { buildVectorStore, sharedIndexFor } from './build-vector-store.ts'
import { dryRunSteps, liveSteps } from './chat-step-runner.ts'
import type { LiveRouter } from './live-router.ts'

export interface HelpdeskRuntime {
  config: HelpdeskConfig
  knowledge: KnowledgeBase
  /** Rebuilt in place when the instruction manager changes a runbook. */
  router: LiveRouter
  core: HelpdeskCore
  /** The core's conversations: in the project store with `persistence`, else in memory. */
  sessions: SessionStore
  /** The users and their bearer tokens; only with `persistence`. */
  users: UserStore | undefined
  /** The agent adapter turns go through (AGENT_FRAMEWORK), switchable at run time. */
  agents: SwitchableAgent
  /** Approval requests for held steps: with executors and `persistence`. */
  approvals: ApprovalService | undefined
  /** What ran for whom, from the audit trail: with executors. */
  jobs: JobHistory | undefined
  /** The audit trail (with executors), for the admins' audit viewer. */
  audit: AuditLog | undefined
  /** The built-in ticket queue: with `persistence`. */
  tickets: TicketService | undefined
  /** Background workflow jobs (steps x targets) with live progress: with an inventory. */
  jobEngine: JobEngine | undefined
  /** Whose account and machine a signed-in person may act on. */
  access: AccessPolicy
  /** Operations on machines and inventory questions: with executors and an inventory. */
  operations: OperationsDesk | undefined
  /** Whether a person a technician names exists (a user, or a directory account). */
  findPerson: PersonLookup
  /** Where Chroma listens: CHROMA_URL, or the embedded server's address. */
  chromaUrl: string | undefined
  ingestReport: IngestReport | undefined
  /**
   * The instruction manager (the server: `persistence` and `execution`): runbooks come from the
   * project store, seeded from the files when it is empty, and changes take effect at once.
   */
  library: RunbookLibrary | undefined
  /** Where the stores are (DATABASE_URL or the SQLite file): with `persistence` or `execution`. */
  stores: ProjectStores | undefined
  /** The technicians' analytics and the replies' ratings: with `persistence`. */
  analytics: AnalyticsService | undefined
  feedback: ReplyFeedbackStore | undefined
  close(): Promise<void>
}

export interface RuntimeOptions {
  log: (line: string) => void
  /** Ingest at start (the server does; `route` and `eval` do too when the store is empty). */
  ingest: boolean
  /** Tests and benchmarks may supply a store; otherwise Chroma is used. */
  store?: VectorStore
  /** Build the executors (the server does): read-only steps then run for real from the chat. */
  execution?: boolean
  /**
   * Keep conversations and users in the project store (the server does), so sessions survive a
   * restart; otherwise conversations live in memory and there is no user store.
   */
  persistence?: boolean
  /**
   * When a running helpdesk already runs the embedded Chroma on this data directory: `use` it
   * (CLI commands such as `ingest`; it is never stopped) or `refuse` to start (the server).
   * Default `use`.
   */
  sharedChroma?: 'use' | 'refuse'
}

/**
 * The composition root: configuration in, a running helpdesk out. Runbooks are validated before
 * anything is started, so an invalid file stops start-up without leaving Chroma behind.
 */
export async function buildRuntime(
  config: HelpdeskConfig,
  options: RuntimeOptions,
): Promise<HelpdeskRuntime> {
  const embedding = buildEmbedding(config)
  const seedFiles = {
    instructionsDirectory: config.INSTRUCTIONS_DIR,
    outOfScopeFile: config.OUT_OF_SCOPE_FILE,
  }
  // The server (persistence and execution) reads its runbooks from the project store, seeded from
  // the files when it is empty; after that the files are not read (a read-only root file system,
  // several replicas). CLI commands read the files, except where replicas share one Chroma
  // (CHROMA_URL and DATABASE_URL): a command that ingests (`ingest`, `route`, `eval`) then writes
  // the replicas' collection, so it indexes the store's runbooks under the same lock and against
  // the same revision mark as the servers, and never puts the files' older set back over theirs.
  const sharedChroma = config.CHROMA_URL !== undefined && config.DATABASE_URL !== undefined
  const useLibrary =
    (options.persistence === true && options.execution === true) ||
    (sharedChroma && options.ingest === true)
  // DATABASE_URL or the SQLite file: chosen once, here, for every store that has both.
  const projectStores =
    options.persistence || options.execution || useLibrary
      ? await openProjectStores(config, databaseFile(config), options.log)
      : undefined
  const runbookStore = useLibrary ? projectStores?.runbooks() : undefined
  let sources: KnowledgeSources
  try {
    sources = runbookStore
      ? await loadStoredSources(runbookStore, seedFiles, options.log)
      : await loadKnowledgeSources(seedFiles)
  } catch (error) {
    await runbookStore?.close()
    await projectStores?.close()
    throw error
  }

  let vectors: Awaited<ReturnType<typeof buildVectorStore>>
  try {
    vectors = await buildVectorStore(config, options)
  } catch (error) {
    // The PostgreSQL pool would otherwise keep a failed start-up's process alive.
    await runbookStore?.close()
    await projectStores?.close()
    throw error
  }
  const { store, chroma, chromaUrl } = vectors
  const shared = runbookStore
    ? sharedIndexFor(config, projectStores?.database, options.log)
    : undefined
  const knowledge = new KnowledgeBase({
    ...sources,
    store,
    embedding,
    ...(shared ? { shared } : {}),
  })

  let execution: ExecutionRuntime | undefined
  let approvals: ApprovalService | undefined
  let approvalStores: { store: ApprovalStore; ledger: StepExecutionLedger } | undefined
  let agentRuntime: Awaited<ReturnType<typeof buildAgents>> | undefined
  let sessionStore: (SessionStore & ConversationArchive & { close(): Promise<void> }) | undefined
  let insight: Awaited<ReturnType<typeof buildAnalytics>> | undefined
  let users: UserStore | undefined
  let ticketStore: TicketStore | undefined
  let tickets: TicketService | undefined
  const close = async () => {
    await tickets?.shutdown()
    await ticketStore?.close()
    await insight?.feedback.close()
    await runbookStore?.close()
    await agentRuntime?.close()
    await approvalStores?.store.close()
    await approvalStores?.ledger.close()
    await execution?.close()
    await sessionStore?.close()
    await users?.close()
    await projectStores?.close()
    await chroma?.stop()
  }
  try {
    if (options.persistence) {
      const openedSessions = projectStores?.sessions()
      sessionStore = openedSessions ? meteredStore(openedSessions, 'sessions') : undefined
      const openedUsers = projectStores?.users({
        tokenLifetimeDays: config.HELPDESK_TOKEN_TTL_DAYS,
      })
      users = openedUsers ? meteredStore(openedUsers, 'users') : undefined
    }
    let ingestReport: IngestReport | undefined
    if (options.ingest) {
      ingestReport = await knowledge.ingest()
      options.log(
        `knowledge ingested${ingestReport.skipped ? ` (${ingestReport.skipped === 'current' ? 'the shared collection already holds revision' : 'the shared collection holds a newer revision,'} ${ingestReport.markedRevision}; nothing embedded)` : ''}: ${ingestReport.added} added, ${ingestReport.updated} updated, ` +
          `${ingestReport.unchanged} unchanged, ${ingestReport.deleted} deleted` +
          `${ingestReport.reset ? ' (rebuilt: the embedding function changed)' : ''} in ${ingestReport.durationMs} ms`,
      )
    }
    if (options.execution) {
      execution = await buildExecution(
        config,
        knowledge.instructions,
        options.log,
        process.env,
        projectStores,
      )
    }
    const live = execution && execution.registry.kinds.length > 0 ? execution : undefined
    if (live && options.persistence && projectStores) {
      approvalStores = {
        store: meteredStore(projectStores.approvals(), 'approvals', countApprovalStates()),
        ledger: meteredStore(projectStores.ledger(), 'step-ledger'),
      }
      approvals = new ApprovalService({
        ...approvalStores,
        execution: live.service,
        audit: live.audit,
        instructions: knowledge.instructions,
        ttlMinutes: config.APPROVAL_TTL_MINUTES,
        ...(live.inventory ? { machineOf: machineFactsFrom(live.inventory) } : {}),
      })
    }
    const runStep = live ? liveSteps(live.service, live.registry) : dryRunSteps()
    const access = new AccessPolicy({
      accounts: config.HELPDESK_ACCOUNT_MAP
        ? await AccountMap.load(config.HELPDESK_ACCOUNT_MAP)
        : new AccountMap(),
      ...(execution?.inventory ? { machines: execution.inventory } : {}),
    })
    // With LLM_BASE_URL set, a model writes answers to how-to questions from the runbook passages.
    const answerModel = modelEndpointFromEnvironment()
    const { router, core, sessions } = assembleHelpdesk(knowledge, {
      runStep,
      log: options.log,
      ...(answerModel.offline
        ? {}
        : { answerWriter: new ModelAnswerWriter(answerModel, { log: options.log }) }),
      access,
      ...(approvals ? { requestApproval: approvalRequester(approvals) } : {}),
      ...(sessionStore ? { sessions: sessionStore } : {}),
      maxMessageCharacters: config.MAX_MESSAGE_CHARS,
      ...(execution?.inventory
        ? { machineGroups: (name: string) => execution?.inventory?.members(name) }
        : {}),
      ...(config.ROUTE_THRESHOLD !== undefined
        ? { tuning: { threshold: config.ROUTE_THRESHOLD } }
        : {}),
    })
    let library: RunbookLibrary | undefined
    if (runbookStore && execution) {
      library = new RunbookLibrary({
        store: runbookStore,
        knowledge,
        router,
        audit: execution.audit,
        seed: seedFiles,
        log: options.log,
      })
      // The same set the knowledge base was built from: nothing to re-index or retrain.
      await library.start({ ingest: false })
      options.log(`runbooks: ${knowledge.instructions.size} from the project store`)
    }
    agentRuntime = await buildAgents({
      framework: config.AGENT_FRAMEWORK,
      core,
      router,
      sessions,
      instructions: knowledge.instructions,
      runStep,
      ...(approvals ? { approvals } : {}),
      ...(options.persistence && projectStores
        ? {
            databaseFile: databaseFile(config),
            stores: projectStores,
            databaseUrl: config.DATABASE_URL,
          }
        : {}),
      log: options.log,
    })
    const agents = agentRuntime.agents
    if (options.persistence && projectStores) {
      ticketStore = projectStores.tickets()
      const connector = config.HELPDESK_TICKET_CONNECTOR
        ? await loadConnector(config.HELPDESK_TICKET_CONNECTOR)
        : undefined
      if (connector) options.log(`tickets: new tickets are copied to ${connector.name}`)
      tickets = new TicketService({
        store: ticketStore,
        sessions,
        ...(execution ? { audit: execution.audit } : {}),
        ...(connector ? { connector } : {}),
        log: options.log,
      })
      // Tickets a connector did not take before the last stop are copied again, in the background.
      const redelivered = await tickets.redeliver()
      if (redelivered > 0)
        options.log(`tickets: copying ${redelivered} again to ${connector?.name}`)
    }
    if (options.persistence && projectStores && sessionStore)
      insight = await buildAnalytics(config, projectStores, sessionStore, execution?.audit)
    // Runs a killed process left unfinished wait for a technician; their conversations are told.
    for (const request of (await approvals?.recoverInterrupted()) ?? []) {
      const unknown = request.interruption?.unknownSteps ?? []
      options.log(
        `approval ${request.id}: its run was interrupted by a server stop; ` +
          `${unknown.length > 0 ? `outcome unknown for ${unknown.join(', ')}; ` : ''}` +
          'it waits for a technician to resume or stop it',
      )
      await reportToConversation(sessions, request, { kind: 'interrupted' }).catch(
        (error: unknown) =>
          options.log(
            `approval ${request.id}: could not tell its conversation: ${error instanceof Error ? error.message : String(error)}`,
          ),
      )
    }
    // Jobs a stopped server left running: what was running is unknown, the rest carries on.
    for (const id of (await execution?.jobEngine?.recover()) ?? [])
      options.log(`job ${id}: resumed after a restart`)
    // A run paused on a request that expires ends there (nothing of it runs).
    approvals?.whenExpired(async (request) => {
      await reportToConversation(sessions, request, { kind: 'expired' })
      await agents.agent.resumeApproval?.(request.id, { outcome: 'expired', actor: 'system' })
    })
    return {
      config,
      knowledge,
      router,
      core,
      sessions,
      users,
      agents,
      approvals,
      jobs: live ? new JobHistory(live.audit) : undefined,
      audit: execution?.audit,
      tickets,
      jobEngine: execution?.jobEngine,
      access,
      operations: execution?.inventory
        ? operationsDesk({
            catalog: await OperationCatalog.load(config.OPERATIONS_DIR),
            inventory: execution.inventory,
            access,
            runbooks: router,
            ...(execution.files ? { files: execution.files } : {}),
            log: options.log,
          })
        : undefined,
      findPerson: knownPeople({
        ...(users ? { users } : {}),
        ...(execution?.directory ? { directory: execution.directory } : {}),
      }),
      chromaUrl,
      ingestReport,
      library,
      stores: projectStores,
      analytics: insight?.analytics,
      feedback: insight?.feedback,
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

/** The operations desk, reading messages as the configuration asks (build-operations-reader.ts). */
function operationsDesk(
  options: ConstructorParameters<typeof OperationsDesk>[0] & {
    catalog: OperationCatalog
    log: (line: string) => void
  },
): OperationsDesk {
  const { log, ...desk } = options
  const reader = operationsReaderFromEnvironment(options.catalog, log)
  log(`operations: requests read by ${reader.description}`)
  return new OperationsDesk({ ...desk, reader })
}
