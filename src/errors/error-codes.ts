/**
 * The closed set of error codes the helpdesk raises, and the one table that maps each code to an
 * HTTP status. Adding a code means adding its status here; the compiler enforces the pairing.
 * @module
 */

export const ERROR_HTTP_STATUS = {
  /** A request body, query or CLI argument failed validation. */
  INVALID_INPUT: 400,
  /** An API call without a valid `Authorization: Bearer` token (missing, malformed or unknown). */
  UNAUTHENTICATED: 401,
  /** The caller is signed in but their role does not allow this. */
  FORBIDDEN: 403,
  /** A user of that name already exists. */
  USER_EXISTS: 409,
  /** No user of that name (compared without case). */
  USER_NOT_FOUND: 404,
  /** A token id that is not one of the named user's tokens. */
  TOKEN_NOT_FOUND: 404,
  /** Too many failed sign-ins from one client address; the answer says when to retry. */
  TOO_MANY_ATTEMPTS: 429,
  /** The request body is not valid JSON. */
  MALFORMED_JSON: 400,
  /** A chat message is longer than the allowed maximum. */
  MESSAGE_TOO_LONG: 413,
  /** A session id that this server does not know. */
  SESSION_NOT_FOUND: 404,
  /** An instruction (runbook) id that does not exist. */
  INSTRUCTION_NOT_FOUND: 404,
  /** A runbook (or out-of-scope) text sent to the API failed validation; every problem is listed. */
  INVALID_RUNBOOK: 400,
  /** `POST /api/instructions` for an id that already exists (use PUT to change it). */
  INSTRUCTION_EXISTS: 409,
  /** A runbook changed since the version the editor started from; reload and apply again. */
  RUNBOOK_CONFLICT: 409,
  /** A registry lookup named an id that is not registered. */
  NO_SUCH_IMPLEMENTATION: 400,
  /** A runbook file on disk is invalid; start-up refuses to continue. */
  INVALID_INSTRUCTION: 500,
  /** Configuration (environment variables) is invalid. */
  INVALID_CONFIGURATION: 500,
  /** The SQLite project file records a schema migration this version does not have. */
  DATABASE_NEWER: 500,
  /** The vector store (Chroma) cannot be reached or answered with an error. */
  KNOWLEDGE_STORE_UNAVAILABLE: 503,
  /** The embedded Chroma runtime could not be prepared or started. */
  CHROMA_RUNTIME_FAILED: 503,
  /** An embeddings endpoint failed. */
  EMBEDDING_FAILED: 502,
  /** A plan step could not be rendered from its template and parameters. */
  RENDER_FAILED: 500,
  /** An audit record could not be written; the action it records must not go ahead. */
  AUDIT_FAILED: 500,
  /** A step needs an approval record it does not have. */
  AWAITING_APPROVAL: 409,
  /** A backend (directory, cloud API, remote machine) could not be reached or refused us. */
  BACKEND_UNAVAILABLE: 502,
  /** An executor is not configured (no inventory, no directory connection...). */
  NOT_CONFIGURED: 503,
  /** The LLM could not be reached, timed out, or answered with an unusable tool call. */
  MODEL_FAILED: 502,
  /** Anything that was not raised as a HelpdeskError. */
  INTERNAL: 500,
  /** An approval request id that the store does not know. */
  APPROVAL_NOT_FOUND: 404,
  /** An approval request was already decided (or executed) by someone else; reload it. */
  APPROVAL_CONFLICT: 409,
  /**
   * An approved request whose run a restart found unfinished: it waits for a technician to check
   * the steps of unknown outcome and resume it (or stop it).
   */
  APPROVAL_INTERRUPTED: 409,
  /** An approval request passed its expiry time and can no longer be decided. */
  APPROVAL_EXPIRED: 410,
  /** A job id with no run this caller may see. */
  JOB_NOT_FOUND: 404,
  /** A browser sign-in's answer from the provider was refused (forged or expired state, error). */
  SIGN_IN_REFUSED: 400,
  /** A ticket id with no ticket this caller may see. */
  TICKET_NOT_FOUND: 404,
  /** A ticket change that its state does not allow (closed, picked up by someone else). */
  TICKET_CONFLICT: 409,
} as const satisfies Record<string, number>

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS

/** Whose fault an error is: the caller's, ours, or a third-party system's. */
export type ErrorCategory = 'USER' | 'SYSTEM' | 'THIRD_PARTY'

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_HTTP_STATUS[code]
}
