import type { DatabaseSync } from 'node:sqlite'
import { PostgresSessionStore } from '../agent/core/postgres-session-store.ts'
import type { ConversationArchive, SessionStore } from '../agent/core/session.ts'
import { SqliteSessionStore } from '../agent/core/sqlite-session-store.ts'
import type { PausedRunFramework, PausedRunStore } from '../agent/paused/paused-run-store.ts'
import { PostgresPausedRunStore } from '../agent/paused/postgres-paused-run-store.ts'
import { SqlitePausedRunStore } from '../agent/paused/sqlite-paused-run-store.ts'
import { PostgresReplyFeedbackStore } from '../analytics/feedback/postgres-reply-feedback-store.ts'
import type { ReplyFeedbackStore } from '../analytics/feedback/reply-feedback.ts'
import { SqliteReplyFeedbackStore } from '../analytics/feedback/sqlite-reply-feedback-store.ts'
import type { ApprovalStore } from '../approvals/approval-store.ts'
import { PostgresApprovalStore } from '../approvals/postgres-approval-store.ts'
import { PostgresStepExecutionLedger } from '../approvals/postgres-step-execution-ledger.ts'
import { SqliteApprovalStore } from '../approvals/sqlite-approval-store.ts'
import { SqliteStepExecutionLedger } from '../approvals/sqlite-step-execution-ledger.ts'
import type { StepExecutionLedger } from '../approvals/step-execution-ledger.ts'
import { loggerForwarder } from '../audit/audit-checkpoints.ts'
import type { AuditLog } from '../audit/audit-log.ts'
import {
  auditSettings,
  checkpointOptions,
  openConfiguredAuditLog,
} from '../audit/audit-settings.ts'
import { PostgresAuditLog } from '../audit/postgres-audit-log.ts'
import type { HelpdeskConfig } from '../config/config-schema.ts'
import { PostgresUserStore } from '../identity/postgres-user-store.ts'
import { SqliteUserStore } from '../identity/sqlite-user-store.ts'
import type { UserStore } from '../identity/user-store.ts'
import type { JobStore } from '../jobs/job-store.ts'
import { PostgresJobStore } from '../jobs/postgres-job-store.ts'
import { SqliteJobStore } from '../jobs/sqlite-job-store.ts'
import { PostgresRunbookStore } from '../knowledge/library/postgres-runbook-store.ts'
import type { RunbookStore } from '../knowledge/library/runbook-store.ts'
import { SqliteRunbookStore } from '../knowledge/library/sqlite-runbook-store.ts'
import type { BrowserSessionStore } from '../server/oidc/browser-session-store.ts'
import { PostgresBrowserSessionStore } from '../server/oidc/postgres-browser-session-store.ts'
import { SqliteBrowserSessionStore } from '../server/oidc/sqlite-browser-session-store.ts'
import { PostgresTicketStore } from '../tickets/postgres-ticket-store.ts'
import { SqliteTicketStore } from '../tickets/sqlite-ticket-store.ts'
import type { TicketStore } from '../tickets/ticket.ts'
import { openProjectDatabase } from './open-project-database.ts'
import { openPostgresDatabase, type PostgresDatabase } from './postgres/postgres-database.ts'
import { migrateProjectDatabase } from './sqlite/migrate-sqlite-database.ts'

/**
 * The one place that chooses where the stores live: `DATABASE_URL` set, PostgreSQL (one pool,
 * migrated at open under node-pg-migrate's lock); unset, the embedded SQLite file, migrated at
 * open by umzug from `src/store/sqlite/migrations/` inside one exclusive transaction.
 * Everything that opens a store asks this object, so the choice is made once.
 *
 * Adding a store (the job store, say): write the interface and its contract suite,
 * the SQLite implementation, then the PostgreSQL one taking `{ database: PostgresDatabase }` and
 * using `database.pool` with `$1` parameters (tables found through the pool's search_path, never
 * a schema spliced into SQL); add its tables as the next numbered file in
 * `src/store/postgres/migrations/` (`NNNN_name.sql`, starting `-- Up Migration`; never edit an
 * applied file, add another) and in `src/store/sqlite/migrations/` (the SQLite DDL); add a method here choosing between the two; register the contract
 * for PostgreSQL in a `*.int.test.ts` with `startPostgresTestServer()` (one schema per case).
 * @module
 */

export type AuditConfig = Pick<
  HelpdeskConfig,
  | 'HELPDESK_AUDIT_KEY'
  | 'HELPDESK_AUDIT_KEY_FILE'
  | 'HELPDESK_AUDIT_CHECKPOINT_FILE'
  | 'HELPDESK_AUDIT_CHECKPOINT_DIR'
  | 'HELPDESK_AUDIT_CHECKPOINT_SYSLOG'
>

export interface ProjectStores {
  kind: 'sqlite' | 'postgres'
  /** The shared PostgreSQL pool, when DATABASE_URL chose it (the job queue and LISTEN use it). */
  database?: PostgresDatabase
  /** Where the stores are, safe to log (never a password). */
  description: string
  approvals(): ApprovalStore
  ledger(): StepExecutionLedger
  users(options: { tokenLifetimeDays: number }): UserStore
  sessions(): SessionStore & ConversationArchive & { close(): Promise<void> }
  /** Employees' ratings of the agent's replies. */
  feedback(): ReplyFeedbackStore
  tickets(): TicketStore
  /** Runbook versions: the instruction manager's store, shared by replicas. */
  runbooks(): RunbookStore
  /** Browser sign-in (OIDC) sessions and sign-ins under way. */
  browserSessions(): BrowserSessionStore
  /** Which paused agent run waits on which approval, for one framework; closed by `close`. */
  pausedRuns(framework: PausedRunFramework): PausedRunStore
  /** Background jobs: their records, cells and numbered events. */
  jobs(): JobStore
  /** The audit chain; its key and checkpoint file stay outside the database (beside `file`). */
  auditLog(config: AuditConfig, log: (line: string) => void): Promise<AuditLog>
  /**
   * Ends the shared PostgreSQL pool (or the SQLite connection of the paused runs), after every
   * store opened here has closed.
   */
  close(): Promise<void>
}

/** Stores in the SQLite file `file`: the embedded default. */
export function sqliteStores(file: string): ProjectStores {
  // One connection for every framework's paused runs, opened when first asked for.
  let pausedRunsDatabase: DatabaseSync | undefined
  return {
    kind: 'sqlite',
    description: `SQLite file ${file}`,
    approvals: () => new SqliteApprovalStore({ file }),
    ledger: () => new SqliteStepExecutionLedger({ file }),
    users: (options) => new SqliteUserStore({ file, ...options }),
    sessions: () => new SqliteSessionStore({ file }),
    tickets: () => new SqliteTicketStore({ file }),
    runbooks: () => new SqliteRunbookStore({ file }),
    browserSessions: () => new SqliteBrowserSessionStore({ file }),
    pausedRuns: (framework) => {
      // A checkpoint lost to a power cut replays a node: NORMAL sync is enough here.
      pausedRunsDatabase ??= openProjectDatabase(file, { synchronous: 'NORMAL' })
      return new SqlitePausedRunStore({ database: pausedRunsDatabase, framework })
    },
    jobs: () => new SqliteJobStore({ file }),
    feedback: () => new SqliteReplyFeedbackStore({ file }),
    auditLog: async (config, log) => openConfiguredAuditLog(config, file, log),
    close: async () => {
      if (pausedRunsDatabase?.isOpen) pausedRunsDatabase.close()
    },
  }
}

/** Stores in one PostgreSQL database; `file` still locates the audit key and checkpoint file. */
export function postgresStores(database: PostgresDatabase, file: string): ProjectStores {
  return {
    kind: 'postgres',
    database,
    description: database.description,
    approvals: () => new PostgresApprovalStore({ database }),
    ledger: () => new PostgresStepExecutionLedger({ database }),
    users: (options) => new PostgresUserStore({ database, ...options }),
    sessions: () => new PostgresSessionStore({ database }),
    tickets: () => new PostgresTicketStore({ database }),
    runbooks: () => new PostgresRunbookStore({ database }),
    browserSessions: () => new PostgresBrowserSessionStore({ database }),
    pausedRuns: (framework) => new PostgresPausedRunStore({ database, framework }),
    jobs: () => new PostgresJobStore({ database }),
    feedback: () => new PostgresReplyFeedbackStore({ database }),
    auditLog: async (config, log) => {
      const settings = auditSettings(config, file)
      return PostgresAuditLog.open({
        database,
        keyLocation: settings.keyLocation,
        ...checkpointOptions(settings),
        ...(settings.syslog ? { forward: loggerForwarder(log) } : {}),
        log,
      })
    },
    close: () => database.close(),
  }
}

/**
 * @param file the SQLite project file (HELPDESK_DATABASE): the store when DATABASE_URL is unset,
 *   and where the audit key and checkpoints are found either way.
 * @throws {HelpdeskError} INVALID_CONFIGURATION, BACKEND_UNAVAILABLE (never with the password).
 */
export async function openProjectStores(
  config: Pick<HelpdeskConfig, 'DATABASE_URL'>,
  file: string,
  log: (line: string) => void,
): Promise<ProjectStores> {
  if (!config.DATABASE_URL) {
    // The versioned schema first (umzug, one exclusive transaction, so replicas take turns).
    const applied = await migrateProjectDatabase(file)
    if (applied.length > 0)
      log(`stores: SQLite migrations applied to ${file}: ${applied.join(', ')}`)
    return sqliteStores(file)
  }
  const database = await openPostgresDatabase({ url: config.DATABASE_URL, log })
  log(
    `stores: audit chain, approvals, the step execution ledger, users, conversations, reply ratings, tickets, runbooks, browser sessions, paused agent runs and jobs in ${database.description}`,
  )
  return postgresStores(database, file)
}
