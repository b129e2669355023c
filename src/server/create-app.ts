import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { secureHeaders } from 'hono/secure-headers'
import type { Logger } from 'pino'
import type { SwitchableAgent } from '../agent/agent-registry.ts'
import type { HelpdeskCore } from '../agent/core/helpdesk-core.ts'
import type { SessionStore } from '../agent/core/session.ts'
import { scriptProposer } from '../agent/propose-script.ts'
import type { AnalyticsService } from '../analytics/analytics-service.ts'
import type { ReplyFeedbackStore } from '../analytics/feedback/reply-feedback.ts'
import type { ApprovalService } from '../approvals/approval-service.ts'
import { reportToConversation } from '../approvals/conversation-report.ts'
import type { AuditLog } from '../audit/audit-log.ts'
import { HelpdeskError } from '../errors/index.ts'
import type { JobEngine } from '../jobs/job-engine.ts'
import type { JobHistory } from '../jobs/job-history.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { Readiness } from '../knowledge/knowledge-base.ts'
import type { RunbookLibrary } from '../knowledge/library/runbook-library.ts'
import { metricsHandler, observeRequests } from '../observability/http-observability.ts'
import type { HelpdeskMetrics } from '../observability/metrics.ts'
import { OperationJobs } from '../operations/operation-jobs.ts'
import type { OperationsDesk } from '../operations/operations-desk.ts'
import { knownPeople, type PersonLookup } from '../policy/known-people.ts'
import type { TicketService } from '../tickets/ticket-service.ts'
import {
  type AuthenticatedEnvironment,
  type Authentication,
  authenticate,
} from './authentication.ts'
import { chatTurns } from './chat-turns.ts'
import { errorResponse } from './error-response.ts'
import type { FailedSignInLimiter } from './failed-sign-in-limiter.ts'
import { gradioRoutes } from './gradio/gradio-routes.ts'
import { cookieAuthentication, oidcRoutes } from './oidc/oidc-routes.ts'
import type { OidcSignIn } from './oidc/oidc-sign-in.ts'
import { adminRoutes } from './routes/admin-routes.ts'
import { analyticsRoutes } from './routes/analytics-routes.ts'
import { approvalRoutes } from './routes/approval-routes.ts'
import { auditRoutes } from './routes/audit-routes.ts'
import { chatRoutes } from './routes/chat-routes.ts'
import { feedbackRoutes } from './routes/feedback-routes.ts'
import { instructionChangeRoutes } from './routes/instruction-change-routes.ts'
import { instructionRoutes } from './routes/instruction-routes.ts'
import { jobRoutes } from './routes/job-routes.ts'
import { outOfScopeRoutes } from './routes/out-of-scope-routes.ts'
import { sessionRoutes } from './routes/session-routes.ts'
import { ticketRoutes } from './routes/ticket-routes.ts'
import { workspacePages } from './workspace-pages.ts'

/** `/readyz` answers within this, whatever the store does (a frozen Chroma included). */
export const READINESS_LIMIT_MS = 1500

/** The check, or not ready when it has not answered in time (it may go on in the background). */
async function withinReadinessLimit(check: () => Promise<Readiness>): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<Readiness>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          ready: false,
          checks: {
            store: `no answer within ${READINESS_LIMIT_MS} ms (the store is slow or frozen, or re-ingesting)`,
            ingested: 'unknown',
          },
        }),
      READINESS_LIMIT_MS,
    )
  })
  try {
    return await Promise.race([
      check().catch(
        (error: unknown): Readiness => ({
          ready: false,
          checks: {
            store: error instanceof Error ? error.message : String(error),
            ingested: 'unknown',
          },
        }),
      ),
      late,
    ])
  } finally {
    clearTimeout(timer)
  }
}

export interface AppDependencies {
  core: HelpdeskCore
  /** The core's session store: the API checks ownership and lists a user's sessions in it. */
  sessions: SessionStore
  /** Bearer tokens of the user store, or none at all (`HELPDESK_AUTH=none`, local demos only). */
  authentication: Authentication
  instructions: ReadonlyMap<string, Instruction>
  /**
   * The instruction manager's store and service: without it runbooks are read-only (from files)
   * and the change routes answer NOT_CONFIGURED.
   */
  library?: RunbookLibrary
  /**
   * Before each chat turn (replicas on one database): catch up with runbook changes another
   * replica made, so the turn routes with the current set. Its failure is logged, not the turn's.
   */
  refreshRunbooks?: () => Promise<unknown>
  /** The longest chat message (the "which runbook would this hit?" box takes the same). */
  maxMessageCharacters?: number
  readiness: () => Promise<Readiness>
  log?: (line: string) => void
  /** The agent adapter turns go through; without one the core runs them directly. */
  agents?: SwitchableAgent
  /** Frameworks an admin may switch to. */
  frameworks?: readonly string[]
  approvals?: ApprovalService
  /** What ran for whom, from the audit trail; without executors nothing runs. */
  jobs?: JobHistory
  /** The audit trail, for the admins' audit viewer; without executors there is none. */
  audit?: AuditLog
  /** Background workflow jobs: their view, progress stream and cancel. */
  jobEngine?: JobEngine
  /**
   * Whether a person a technician acts for exists (a user, or a directory account). Default:
   * the user store's users.
   */
  findPerson?: PersonLookup
  /** Take the client address from `X-Forwarded-For` (`HELPDESK_TRUST_PROXY`). */
  trustProxy?: boolean
  /** Failed sign-ins per client address (default: 10 a minute). */
  signInLimiter?: FailedSignInLimiter
  /** Browser sign-in with OpenID Connect (OIDC_ISSUER): /auth routes and a session cookie. */
  oidc?: OidcSignIn
  /** The built-in ticket queue: a hand-off opens a ticket; technicians answer it. */
  tickets?: TicketService
  /** Operations on machines and inventory questions from the chat (technicians and admins). */
  operations?: OperationsDesk
  /** The structured request log (one line a request, with its id); without one, none is written. */
  logger?: Logger
  /** Bearer token of Prometheus scrapes (`HELPDESK_METRICS_TOKEN_FILE`); without one /metrics is off. */
  metricsToken?: string
  /** Default: the process-wide metrics. */
  metrics?: HelpdeskMetrics
  /** The technicians' analytics (`/analytics`); without it the API answers NOT_CONFIGURED. */
  analytics?: AnalyticsService
  /** Employees' thumbs up or down on replies; without it rating answers NOT_CONFIGURED. */
  feedback?: ReplyFeedbackStore
}

/** A request body larger than this is refused before it is read (messages are 4,000 characters). */
const BODY_LIMIT_BYTES = 64 * 1024

const UI_FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/ui/app.js': 'app.js',
  '/ui/approvals.js': 'approvals.js',
  '/ui/chat/approval-card.js': 'chat/approval-card.js',
  '/ui/chat/approval-details.js': 'chat/approval-details.js',
  '/ui/chat/approval-note.js': 'chat/approval-note.js',
  '/ui/chat/approvals-panel.js': 'chat/approvals-panel.js',
  '/ui/chat/composer.js': 'chat/composer.js',
  '/ui/chat/events.js': 'chat/events.js',
  '/ui/chat/format.js': 'chat/format.js',
  '/ui/chat/feedback-slot.js': 'chat/feedback-slot.js',
  '/ui/chat/interrupted-card.js': 'chat/interrupted-card.js',
  '/ui/chat/message-list.js': 'chat/message-list.js',
  '/ui/chat/outcome-card.js': 'chat/outcome-card.js',
  '/ui/chat/outcome-watch.js': 'chat/outcome-watch.js',
  '/ui/chat/page-parts.js': 'chat/page-parts.js',
  '/ui/chat/plan-card.js': 'chat/plan-card.js',
  '/ui/chat/reply.js': 'chat/reply.js',
  '/ui/chat/rich-text.js': 'chat/rich-text.js',
  '/ui/chat/step-states.js': 'chat/step-states.js',
  '/ui/runbook-parts.js': 'runbook-parts.js',
  '/ui/instructions.css': 'instructions.css',
  '/ui/runbook-editor.js': 'runbook-editor.js',
  '/ui/runbook-history.js': 'runbook-history.js',
  '/ui/job-view.css': 'job-view.css',
  '/ui/job-view.js': 'job-view.js',
  '/ui/job-stream.js': 'job-stream.js',
  '/ui/my-requests.js': 'my-requests.js',
  '/ui/sign-in.js': 'sign-in.js',
  '/ui/status-line.js': 'status-line.js',
  '/ui/ticket-watch.js': 'ticket-watch.js',
  '/ui/styles.css': 'styles.css',
  '/ui/analytics.css': 'analytics.css',
  '/ui/analytics-view.js': 'analytics-view.js',
  '/ui/reply-feedback.js': 'reply-feedback.js',
  '/ui/reply-feedback.css': 'reply-feedback.css',
  '/ui/tickets.css': 'tickets.css',
}
const VENDOR_FILES: Readonly<Record<string, string>> = {
  '/ui/vendor/uPlot.esm.js': 'uplot/dist/uPlot.esm.js',
  '/ui/vendor/uPlot.min.css': 'uplot/dist/uPlot.min.css',
}
/** Finds a package's file wherever npm put node_modules. */
const vendorFile = createRequire(import.meta.url)
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
}

/**
 * The HTTP application: API, health checks and the chat page. No socket; `serve` adds one. Every
 * `/api` route needs a signed-in caller; the health checks and the page itself do not (the page
 * asks for a token and sends it on each API call, or, with OpenID Connect, signs in at the
 * provider through /auth and then has a session cookie).
 */
export function createApp(dependencies: AppDependencies): Hono<AuthenticatedEnvironment> {
  const log = dependencies.log ?? ((line: string) => console.error(line))
  const app = new Hono<AuthenticatedEnvironment>()

  // First: the request id and the counting cover everything below, refusals included.
  app.use(
    observeRequests({
      ...(dependencies.logger ? { logger: dependencies.logger } : {}),
      ...(dependencies.metrics ? { metrics: dependencies.metrics } : {}),
    }),
  )
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    }),
  )
  // API answers are per user and may carry conversations: no cache (browser or proxy) keeps them.
  // Set after the handlers ran, so error answers (401, 404, 429...) carry it too.
  app.use('/api/*', async (context, next) => {
    await next()
    context.header('Cache-Control', 'no-store')
  })
  // Before the body limit: a caller without a token learns that first, and sends nothing big.
  // With browser sign-in, the session cookie is a second way to be the caller of /api.
  const authentication: Authentication =
    dependencies.oidc && dependencies.authentication.mode === 'token'
      ? { ...dependencies.authentication, cookies: cookieAuthentication(dependencies.oidc) }
      : dependencies.authentication
  // One middleware (one failed sign-in limiter) for /api and the Gradio-compatible routes.
  const signIn = authenticate(authentication, {
    log,
    trustProxy: dependencies.trustProxy ?? false,
    ...(dependencies.signInLimiter ? { limiter: dependencies.signInLimiter } : {}),
  })
  app.use('/api/*', signIn)
  // The import takes many files at once and sets its own, larger limit.
  const importPath = '/api/instructions/import'
  app.use('/api/*', (context, next) =>
    context.req.path === importPath
      ? next()
      : bodyLimit({
          maxSize: BODY_LIMIT_BYTES,
          onError: () => {
            throw new HelpdeskError({
              code: 'MESSAGE_TOO_LONG',
              message: `the request body is larger than ${BODY_LIMIT_BYTES} bytes`,
            })
          },
        })(context, next),
  )

  app.get('/metrics', metricsHandler(dependencies.metricsToken, dependencies.metrics))
  app.get('/healthz', (context) => context.json({ status: 'ok' }))
  app.get('/readyz', async (context) => {
    const readiness = await withinReadinessLimit(dependencies.readiness)
    return context.json(
      { status: readiness.ready ? 'ready' : 'not ready', ...readiness },
      readiness.ready ? 200 : 503,
    )
  })

  const findPerson =
    dependencies.findPerson ??
    (dependencies.authentication.mode === 'token'
      ? knownPeople({ users: dependencies.authentication.users })
      : undefined)
  // A previewed operation goes on to the job engine: at once when it only reads, through an
  // approval request when it changes machines (see operation-jobs.ts).
  const operationJobs =
    dependencies.operations && dependencies.jobEngine
      ? new OperationJobs({
          engine: dependencies.jobEngine,
          ...(dependencies.approvals ? { approvals: dependencies.approvals } : {}),
        })
      : undefined
  const refresh = dependencies.refreshRunbooks
  const beforeTurn = refresh
    ? () =>
        refresh().catch((error: unknown) =>
          log(
            `runbook refresh before a turn failed (the turn uses the set it has): ${error instanceof Error ? error.message : String(error)}`,
          ),
        )
    : undefined
  // One set of chat turns for the JSON, streaming and Gradio endpoints.
  const turns = chatTurns({
    ...dependencies,
    findPerson,
    ...(operationJobs ? { operationJobs } : {}),
    proposeScript: scriptProposer(dependencies.approvals),
    ...(beforeTurn ? { beforeTurn } : {}),
  })
  app.route('/api', chatRoutes(turns, log))
  app.route(
    '/api',
    approvalRoutes(
      dependencies.approvals,
      dependencies.agents,
      log,
      (request, ending) => reportToConversation(dependencies.sessions, request, ending),
      operationJobs,
    ),
  )
  app.route('/api', jobRoutes(dependencies.jobs, dependencies.jobEngine))
  app.route('/api', auditRoutes(dependencies.audit))
  app.route(
    '/api',
    adminRoutes(dependencies.agents, dependencies.frameworks ?? [], dependencies.audit),
  )
  app.route(
    '/api',
    sessionRoutes(
      dependencies.sessions,
      dependencies.authentication.mode,
      dependencies.approvals,
      dependencies.tickets,
    ),
  )
  app.route('/api', ticketRoutes(dependencies.tickets))
  app.route('/api', feedbackRoutes(dependencies.sessions, dependencies.feedback))
  app.route('/api', analyticsRoutes(dependencies.analytics))
  app.route(
    '/api',
    instructionChangeRoutes(dependencies.library, dependencies.maxMessageCharacters ?? 4000),
  )
  app.route('/api', instructionRoutes(dependencies.instructions, dependencies.library))
  app.route('/api', outOfScopeRoutes(dependencies.library))
  app.route('/auth', oidcRoutes(dependencies.oidc, log))
  app.route(
    '/',
    gradioRoutes({
      turns,
      signIn,
      log,
    }),
  )

  // uPlot, served from node_modules as it is published (no build step): the analytics charts.
  for (const [route, file] of Object.entries(VENDOR_FILES)) {
    const body = readFileSync(vendorFile.resolve(file), 'utf8')
    const type = CONTENT_TYPES[file.split('.').pop() ?? ''] ?? 'text/plain'
    app.get(route, (context) =>
      context.body(body, 200, { 'content-type': type, 'cache-control': 'no-cache' }),
    )
  }

  for (const [route, file] of Object.entries(UI_FILES)) {
    const body = readFileSync(new URL(`../ui/${file}`, import.meta.url), 'utf8')
    const type = CONTENT_TYPES[file.split('.').pop() ?? ''] ?? 'text/plain'
    app.get(route, (context) =>
      context.body(body, 200, { 'content-type': type, 'cache-control': 'no-cache' }),
    )
  }
  // The vendored Preact + htm module, the workspace's files and screens (workspace-pages.ts).
  workspacePages(app)

  app.notFound((context) =>
    context.json(
      {
        error: { code: 'NOT_FOUND', message: `no route ${context.req.method} ${context.req.path}` },
      },
      404,
    ),
  )
  app.onError((error, context) => errorResponse(context, error, log))
  return app
}
