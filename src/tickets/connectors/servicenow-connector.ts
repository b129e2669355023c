/**
 * ServiceNow: a new incident through the Table API, `POST /api/now/table/incident`, with basic
 * authentication (an integration user) or an OAuth bearer token. ServiceNow answers 201 with
 * `{ "result": { "sys_id": ..., "number": "INC0010001", ... } }`.
 * @module
 */
import { HelpdeskError } from '../../errors/index.ts'
import type { Ticket } from '../ticket.ts'
import type { ServiceNowSettings } from './connector-settings.ts'
import { authorizationHeader, postJson } from './http-connection.ts'
import { describeTicket, type ExternalReceipt, type TicketConnector } from './ticket-connector.ts'

/** ServiceNow's short_description holds 160 characters. */
const SHORT_DESCRIPTION = 160

export class ServiceNowConnector implements TicketConnector {
  readonly name = 'servicenow'
  private readonly settings: ServiceNowSettings
  private readonly options: { helpdeskUrl?: string; environment?: NodeJS.ProcessEnv }

  constructor(
    settings: ServiceNowSettings,
    options: { helpdeskUrl?: string; environment?: NodeJS.ProcessEnv } = {},
  ) {
    this.settings = settings
    this.options = options
  }

  async create(ticket: Ticket): Promise<ExternalReceipt> {
    const base = this.settings.instanceUrl.replace(/\/+$/, '')
    const body = {
      ...this.settings.fields,
      short_description: `Helpdesk ticket ${ticket.number}: ${ticket.subject}`.slice(
        0,
        SHORT_DESCRIPTION,
      ),
      description: describeTicket(ticket, this.options.helpdeskUrl),
      // The caller's user name (sys_user.user_name); ServiceNow matches a reference field's
      // display value when it is not a sys_id.
      caller_id: ticket.requester,
      contact_type: 'self-service',
      // Ties the incident to the built-in ticket, for whoever reconciles the two.
      correlation_id: ticket.id,
      correlation_display: 'helpdesk',
    }
    const answer = await postJson('ServiceNow', new URL(`${base}/api/now/table/incident`), body, {
      authorization: await authorizationHeader(this.settings.auth, this.options.environment),
    })
    const result = (answer.body as { result?: { sys_id?: unknown; number?: unknown } }).result
    if (typeof result?.sys_id !== 'string' || typeof result.number !== 'string') {
      throw new HelpdeskError({
        code: 'BACKEND_UNAVAILABLE',
        category: 'THIRD_PARTY',
        message: 'ServiceNow answered without result.sys_id and result.number',
      })
    }
    return {
      externalId: result.number,
      link: `${base}/incident.do?sys_id=${encodeURIComponent(result.sys_id)}`,
    }
  }
}
