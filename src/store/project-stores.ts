import { PostgresSessionStore } from '../agent/core/postgres-session-store.ts'
import type { ConversationArchive, SessionStore } from '../agent/core/session.ts'
import { SqliteSessionStore } from '../agent/core/sqlite-session-store.ts'
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
import { auditSettings, openConfiguredAuditLog } from '../audit/audit-settings.ts'
import { PostgresAuditLog } from '../audit/postgres-audit-log.ts'
import type { HelpdeskConfig } from '../config/config-schema.ts'
import { PostgresUserStore } from '../identity/postgres-user-store.ts'
import { SqliteUserStore } from '../identity/sqlite-user-store.ts'
import type { UserStore } from '../identity/user-store.ts'
import { PostgresTicketStore } from '../tickets/postgres-ticket-store.ts'
import { SqliteTicketStore } from '../tickets/sqlite-ticket-store.ts'
import type { TicketStore } from '../tickets/ticket.ts'
import { openPostgresDatabase, type PostgresDatabase } from './postgres/postgres-database.ts'

/**
 * The one place that chooses where the stores live: `DATABASE_URL` set, PostgreSQL (one pool,
 * migrated at open under node-pg-migrate's lock); unset, the embedded SQLite file as before.
 * Everything that opens a store asks this object, so the choice is made once.
 *
 * Adding a store (the job store, the runbook store): write the interface and its contract suite,
 * the SQLite implementation, then the PostgreSQL one taking `{ database: PostgresDatabase }` and
 * using `database.pool` with `$1` parameters (tables found through the pool's search_path, never
 * a schema spliced into SQL); add its tables as the next numbered file in
 * `src/store/postgres/migrations/` (`NNNN_name.sql`, starting `-- Up Migration`; never edit an
 * applied file, add another); add a method here choosing between the two; register the contract
 * for PostgreSQL in a `*.int.test.ts` with `startPostgresTestServer()` (one schema per case).
 * @module
 */

export type AuditConfig = Pick<
  HelpdeskConfig,
  | 'HELPDESK_AUDIT_KEY'
  | 'HELPDESK_AUDIT_KEY_FILE'
  | 'HELPDESK_AUDIT_CHECKPOINT_FILE'
  | 'HELPDESK_AUDIT_CHECKPOINT_SYSLOG'
>

export interface ProjectStores {
  kind: 'sqlite' | 'postgres'
  /** Where the stores are, safe to log (never a password). */
  description: string
  approvals(): ApprovalStore
  ledger(): StepExecutionLedger
  users(options: { tokenLifetimeDays: number }): UserStore
  sessions(): SessionStore & ConversationArchive & { close(): Promise<void> }
  /** Employees' ratings of the agent's replies. */
  feedback(): ReplyFeedbackStore
  tickets(): TicketStore
  /** The audit chain; its key and checkpoint file stay outside the database (beside `file`). */
  auditLog(config: AuditConfig, log: (line: string) => void): Promise<AuditLog>
  /** Ends the shared PostgreSQL pool, after every store opened here has closed. */
  close(): Promise<void>
}

/** Stores in the SQLite file `file`: the embedded default. */
export function sqliteStores(file: string): ProjectStores {
  return {
    kind: 'sqlite',
    description: `SQLite file ${file}`,
    approvals: () => new SqliteApprovalStore({ file }),
    ledger: () => new SqliteStepExecutionLedger({ file }),
    users: (options) => new SqliteUserStore({ file, ...options }),
    sessions: () => new SqliteSessionStore({ file }),
    tickets: () => new SqliteTicketStore({ file }),
    feedback: () => new SqliteReplyFeedbackStore({ file }),
    auditLog: async (config, log) => openConfiguredAuditLog(config, file, log),
    close: async () => {},
  }
}

/** Stores in one PostgreSQL database; `file` still locates the audit key and checkpoint file. */
export function postgresStores(database: PostgresDatabase, file: string): ProjectStores {
  return {
    kind: 'postgres',
    description: database.description,
    approvals: () => new PostgresApprovalStore({ database }),
    ledger: () => new PostgresStepExecutionLedger({ database }),
    users: (options) => new PostgresUserStore({ database, ...options }),
    sessions: () => new PostgresSessionStore({ database }),
    tickets: () => new PostgresTicketStore({ database }),
    feedback: () => new PostgresReplyFeedbackStore({ database }),
    auditLog: async (config, log) => {
      const settings = auditSettings(config, file)
      return PostgresAuditLog.open({
        database,
        keyLocation: settings.keyLocation,
        checkpointFile: settings.checkpointFile,
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
  if (!config.DATABASE_URL) return sqliteStores(file)
  const database = await openPostgresDatabase({ url: config.DATABASE_URL, log })
  log(
    `stores: audit chain, approvals, the step execution ledger, users, conversations, tickets and reply ratings in ${database.description}`,
  )
  return postgresStores(database, file)
}
