/**
 * Which connector copies new tickets to another system, read from the YAML file named by
 * HELPDESK_TICKET_CONNECTOR. Credentials are references (env:NAME, file:/path, encrypted:…),
 * resolved when a ticket is sent, never stored in the file or logged.
 *
 * ```yaml
 * kind: servicenow            # or jira, or email
 * instanceUrl: https://example.service-now.com
 * auth: { type: basic, username: helpdesk.integration, password: env:SERVICENOW_PASSWORD }
 * ```
 * @module
 */
import { z } from 'zod'
import { loadYamlSettings } from '../../config/yaml-settings-file.ts'
import { CREDENTIAL_REFERENCE } from '../../inventory/credential-reference.ts'
import { EmailConnector } from './email-connector.ts'
import { JiraServiceManagementConnector } from './jira-service-management-connector.ts'
import { ServiceNowConnector } from './servicenow-connector.ts'
import type { TicketConnector } from './ticket-connector.ts'

const reference = z
  .string()
  .regex(CREDENTIAL_REFERENCE, 'expected a reference: env:NAME, file:/path or encrypted:BASE64')
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })

/** Basic (user and password or API token) or a bearer token (OAuth access token, Jira PAT). */
const httpAuth = z.discriminatedUnion('type', [
  z.object({ type: z.literal('basic'), username: z.string().min(1), password: reference }).strict(),
  z.object({ type: z.literal('bearer'), token: reference }).strict(),
])
export type HttpAuth = z.infer<typeof httpAuth>

const serviceNow = z
  .object({
    kind: z.literal('servicenow'),
    /** https://INSTANCE.service-now.com */
    instanceUrl: httpUrl,
    auth: httpAuth,
    /** Extra incident fields (assignment_group, category...), sent as given. */
    fields: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.string()).default({}),
  })
  .strict()

const jira = z
  .object({
    kind: z.literal('jira'),
    /** https://SITE.atlassian.net, or a Data Center base URL */
    baseUrl: httpUrl,
    auth: httpAuth,
    serviceDeskId: z.string().regex(/^\d+$/, 'expected the service desk id, digits'),
    requestTypeId: z.string().regex(/^\d+$/, 'expected the request type id, digits'),
    /** Raise the request on behalf of REQUESTER@THIS-DOMAIN (the customer's e-mail). */
    customerEmailDomain: z
      .string()
      .regex(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'a domain such as example.com')
      .optional(),
  })
  .strict()

const email = z
  .object({
    kind: z.literal('email'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** true: TLS from the start (port 465); false: STARTTLS when the server offers it. */
    secure: z.boolean().default(false),
    auth: z
      .object({ username: z.string().min(1), password: reference })
      .strict()
      .optional(),
    from: z.email({ error: 'expected an e-mail address' }),
    to: z.array(z.email({ error: 'expected an e-mail address' })).min(1),
  })
  .strict()

export const connectorSettingsSchema = z.discriminatedUnion('kind', [serviceNow, jira, email], {
  error: 'kind: expected servicenow, jira or email',
})
export type ConnectorSettings = z.infer<typeof connectorSettingsSchema>
export type ServiceNowSettings = z.infer<typeof serviceNow>
export type JiraSettings = z.infer<typeof jira>
export type EmailSettings = z.infer<typeof email>

/** The connector a settings file describes. */
export function connectorFrom(
  settings: ConnectorSettings,
  options: { helpdeskUrl?: string; environment?: NodeJS.ProcessEnv } = {},
): TicketConnector {
  switch (settings.kind) {
    case 'servicenow':
      return new ServiceNowConnector(settings, options)
    case 'jira':
      return new JiraServiceManagementConnector(settings, options)
    case 'email':
      return new EmailConnector(settings, options)
  }
}

/**
 * @throws {HelpdeskError} INVALID_CONFIGURATION naming the file and each field.
 */
export async function loadConnector(
  file: string,
  options: { helpdeskUrl?: string; environment?: NodeJS.ProcessEnv } = {},
): Promise<TicketConnector> {
  return connectorFrom(await loadYamlSettings(file, connectorSettingsSchema), options)
}
