import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { HelpdeskError } from '../../errors/index.ts'
import { CREDENTIAL_REFERENCE } from '../../inventory/credential-reference.ts'

/**
 * How the Active Directory executor reaches the directory, from environment variables. Unset
 * `AD_URL` means the executor is not configured. Only LDAPS: a simple bind over plain LDAP would
 * send the service account's password in clear, and AD refuses it anyway.
 * @module
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: a DN or name with control characters is refused
const NO_CONTROLS = /^[^\u0000-\u001f\u007f]+$/

/** `type=value` pairs joined by commas; a value may hold escaped characters, e.g. `OU=Sales\, EMEA`. */
const DN_SHAPE =
  /^[A-Za-z][A-Za-z0-9-]*=(?:[^,\\]|\\.)+(?:,[A-Za-z][A-Za-z0-9-]*=(?:[^,\\]|\\.)+)*$/

const environmentSchema = z.object({
  AD_URL: z
    .string()
    .regex(
      /^ldaps:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/,
      'must be ldaps://host or ldaps://host:port (plain ldap:// is not allowed)',
    ),
  AD_BASE_DN: z
    .string()
    .regex(NO_CONTROLS, 'must be a DN such as DC=corp,DC=example,DC=com')
    .regex(DN_SHAPE, 'must be a DN such as DC=corp,DC=example,DC=com'),
  AD_BIND_DN: z
    .string()
    .min(1)
    .regex(NO_CONTROLS, 'must be the service account: a DN, user@domain or DOMAIN\\user'),
  AD_BIND_CREDENTIAL: z
    .string()
    .regex(
      CREDENTIAL_REFERENCE,
      'must be a credential reference (env:NAME, file:/path or encrypted:BASE64), never the password itself',
    ),
  AD_CA_FILE: z.string().min(1).optional(),
  AD_TLS_SERVERNAME: z
    .string()
    .regex(
      /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9-]{1,63})*$/,
      'must be the DNS name the certificate was issued to, e.g. dc01.corp.example.com',
    )
    .optional(),
  AD_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
})

export interface ActiveDirectoryConfig {
  /** `ldaps://dc01.corp.example.com:636` */
  url: string
  /** Where users and groups are searched, e.g. `DC=corp,DC=example,DC=com`. */
  baseDn: string
  /** The service account the executor binds as. */
  bindDn: string
  /** A credential reference (`env:`, `file:`, `encrypted:`), resolved at each connection. */
  bindCredential: string
  /** PEM certificates the directory's certificate must chain to; unset: the system's trust store. */
  caCertificates?: string
  /** The name the certificate must carry when it differs from the host in `url`. */
  tlsServerName?: string
  timeoutMs: number
}

/**
 * @returns undefined when AD_URL is unset.
 * @throws {HelpdeskError} INVALID_CONFIGURATION naming the variable (never a credential's value).
 */
export function activeDirectoryConfigFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): ActiveDirectoryConfig | undefined {
  if (!environment.AD_URL) return undefined
  const names = Object.keys(environmentSchema.shape) as (keyof typeof environmentSchema.shape)[]
  const values = Object.fromEntries(
    names.filter((name) => environment[name] !== '').map((name) => [name, environment[name]]),
  )
  const parsed = environmentSchema.safeParse(values)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const variable = String(issue?.path[0] ?? 'AD_URL')
    const reason =
      environment[variable] === undefined ? 'is required when AD_URL is set' : issue?.message
    throw invalid(variable, `${variable}: ${reason}`)
  }
  const settings = parsed.data
  return {
    url: settings.AD_URL,
    baseDn: settings.AD_BASE_DN,
    bindDn: settings.AD_BIND_DN,
    bindCredential: settings.AD_BIND_CREDENTIAL,
    ...(settings.AD_CA_FILE ? { caCertificates: readCertificates(settings.AD_CA_FILE) } : {}),
    ...(settings.AD_TLS_SERVERNAME ? { tlsServerName: settings.AD_TLS_SERVERNAME } : {}),
    timeoutMs: settings.AD_TIMEOUT_MS,
  }
}

function readCertificates(file: string): string {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw invalid('AD_CA_FILE', `AD_CA_FILE: cannot read ${file} (${code})`)
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw invalid('AD_CA_FILE', `AD_CA_FILE: ${file} holds no PEM certificate (BEGIN CERTIFICATE)`)
  }
  return text
}

function invalid(variable: string, message: string): HelpdeskError {
  return new HelpdeskError({
    code: 'INVALID_CONFIGURATION',
    category: 'SYSTEM',
    message,
    details: { variable },
  })
}
