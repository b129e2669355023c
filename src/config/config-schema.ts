import { z } from 'zod'
import { CREDENTIAL_REFERENCE } from '../inventory/credential-reference.ts'
import { parseRoleMap } from '../server/oidc/role-mapping.ts'

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
    /**
     * Browser sign-in with OpenID Connect (authorization code + PKCE) at this provider; the page
     * then offers "Sign in with your company account". Bearer tokens keep working for the API.
     */
    OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    /** A credential reference (env:NAME, file:/path, encrypted:…); unset for a public client. */
    OIDC_CLIENT_SECRET: z
      .string()
      .regex(CREDENTIAL_REFERENCE, 'expected a reference: env:NAME, file:/path or encrypted:BASE64')
      .optional(),
    /** This server's callback as the provider knows it: https://helpdesk.example.com/auth/callback. */
    OIDC_REDIRECT_URL: z
      .url({ protocol: /^https?$/ })
      .refine((value) => new URL(value).pathname === '/auth/callback', 'must end in /auth/callback')
      .optional(),
    /** Where the provider sends the browser after sign-out; default: the page (/) of OIDC_REDIRECT_URL. */
    OIDC_POST_LOGOUT_URL: z.url({ protocol: /^https?$/ }).optional(),
    OIDC_SCOPES: z
      .string()
      .regex(/(^| )openid( |$)/, 'must include openid')
      .default('openid profile email'),
    /** The claim holding groups or app roles; a dotted name reaches inside (realm_access.roles). */
    OIDC_ROLE_CLAIM: z.string().min(1).default('groups'),
    /** VALUE=ROLE,… from the role claim's values to helpdesk roles; unmapped people are requesters. */
    OIDC_ROLE_MAP: z
      .string()
      .superRefine((value, context) => {
        try {
          parseRoleMap(value)
        } catch (error) {
          context.addIssue({
            code: 'custom',
            message: error instanceof Error ? error.message : String(error),
          })
        }
      })
      .optional(),
    OIDC_USERNAME_CLAIM: z.string().min(1).default('preferred_username'),
    /** With it, a username claim of NAME@THIS-DOMAIN becomes NAME (an Entra ID UPN, an e-mail). */
    OIDC_USERNAME_DOMAIN: z
      .string()
      .regex(/^[A-Za-z0-9.-]+$/, 'a domain such as contoso.com')
      .optional(),
    /** How long a browser sign-in lasts before the provider is asked again. */
    OIDC_SESSION_HOURS: z.coerce.number().int().min(1).max(720).default(8),
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
    if (config.OIDC_ISSUER) {
      for (const name of ['OIDC_CLIENT_ID', 'OIDC_REDIRECT_URL'] as const) {
        if (!config[name]) {
          context.addIssue({
            code: 'custom',
            path: [name],
            message: 'is required with OIDC_ISSUER',
          })
        }
      }
      if (config.HELPDESK_AUTH === 'none') {
        context.addIssue({
          code: 'custom',
          path: ['HELPDESK_AUTH'],
          message: 'must be token when OIDC_ISSUER is set (sign-in cannot be both on and off)',
        })
      }
    }
  })

export type HelpdeskConfig = z.infer<typeof configSchema>

/** Variables whose values are secrets: never logged, never shown. */
export const SECRET_VARIABLES: readonly (keyof HelpdeskConfig)[] = [
  'EMBEDDING_API_KEY',
  // A reference, not the secret itself; kept out of logs all the same.
  'OIDC_CLIENT_SECRET',
]
