import { z } from 'zod'

/**
 * Every setting of the helpdesk, read from environment variables. The README's configuration table
 * is this schema in prose: keep them in step.
 * @module
 */

const booleanText = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes')

const port = z.coerce.number().int().min(0).max(65535)

export const configSchema = z
  .object({
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: port.default(8080),
    HELPDESK_DATA_DIR: z.string().min(1).default('.helpdesk'),
    /** The project store (SQLite): audit records, users, conversations. Default: $HELPDESK_DATA_DIR/helpdesk.sqlite. */
    HELPDESK_DATABASE: z.string().min(1).optional(),
    /**
     * `token`: every API call needs `Authorization: Bearer <token>` of a user. `none`: anyone who
     * can reach the server chats as one anonymous user (the old behaviour; local demos only).
     */
    HELPDESK_AUTH: z.enum(['token', 'none']).default('token'),
    /** YAML inventory of the machines and groups steps may run on; without it scripts only dry-run. */
    HELPDESK_INVENTORY: z.string().min(1).optional(),
    /** Where generated temporary passwords are left for a technician (mode 0700). */
    SECRET_DELIVERY_DIR: z.string().min(1).optional(),
    /** Longest a script step may run on a machine before it is stopped there. */
    EXECUTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
    SSH_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    /** Machines a fleet step runs on at once. */
    FLEET_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(20),
    /** Which agent framework orchestrates a turn; an admin may switch it at run time. */
    AGENT_FRAMEWORK: z
      .enum(['langgraph', 'langchain', 'openai-agents', 'mastra', 'core'])
      .default('langgraph'),
    /** A pending approval request expires after this long. */
    APPROVAL_TTL_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
    INSTRUCTIONS_DIR: z.string().min(1).default('data/instructions'),
    OUT_OF_SCOPE_FILE: z.string().min(1).default('data/routing/out-of-scope.yaml'),
    CHROMA_URL: z.url({ protocol: /^https?$/ }).optional(),
    CHROMA_COLLECTION: z
      .string()
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{1,61}[a-zA-Z0-9]$/, 'must be 3-63 letters, digits, . _ -')
      .default('helpdesk_instructions'),
    CHROMA_PORT: port.default(0),
    /**
     * The longest a read of Chroma (a query, a count, a heartbeat) may take before it counts as
     * failed; writes get six times as long. A frozen Chroma then fails a turn fast.
     */
    CHROMA_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
    /** Where the private glibc for Chroma is cached on systems older than glibc 2.39. */
    CHROMA_RUNTIME_DIR: z.string().min(1).optional(),
    EMBEDDING_PROVIDER: z.enum(['local', 'openai']).default('local'),
    EMBEDDING_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    EMBEDDING_MODEL: z.string().min(1).optional(),
    EMBEDDING_API_KEY: z.string().min(1).optional(),
    ROUTE_THRESHOLD: z.coerce.number().min(0).max(1).optional(),
    AUTO_INGEST: booleanText.default(true),
    MAX_MESSAGE_CHARS: z.coerce.number().int().min(1).max(100_000).default(4000),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  })
  .superRefine((config, context) => {
    if (config.EMBEDDING_PROVIDER === 'openai') {
      for (const name of ['EMBEDDING_BASE_URL', 'EMBEDDING_MODEL', 'EMBEDDING_API_KEY'] as const) {
        if (!config[name]) {
          context.addIssue({
            code: 'custom',
            path: [name],
            message: `is required when EMBEDDING_PROVIDER=openai`,
          })
        }
      }
    }
  })

export type HelpdeskConfig = z.infer<typeof configSchema>

/** Variables whose values are secrets: never logged, never shown. */
export const SECRET_VARIABLES: readonly (keyof HelpdeskConfig)[] = ['EMBEDDING_API_KEY']
