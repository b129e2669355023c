/**
 * Jira Service Management: a new customer request through its REST API,
 * `POST /rest/servicedeskapi/request` with `serviceDeskId`, `requestTypeId` and
 * `requestFieldValues` (summary, description), raised on behalf of the employee when their
 * e-mail domain is configured. Basic authentication (an e-mail and an API token, Jira Cloud) or
 * a bearer token (a personal access token, Data Center). Jira answers 201 with `issueKey` and
 * `_links.web`.
 * @module
 */
import { HelpdeskError } from '../../errors/index.ts'
import type { Ticket } from '../ticket.ts'
import type { JiraSettings } from './connector-settings.ts'
import { authorizationHeader, postJson } from './http-connection.ts'
import { describeTicket, type ExternalReceipt, type TicketConnector } from './ticket-connector.ts'

/** Jira's summary holds 255 characters. */
const SUMMARY = 255

export class JiraServiceManagementConnector implements TicketConnector {
  readonly name = 'jira'
  private readonly settings: JiraSettings
  private readonly options: { helpdeskUrl?: string; environment?: NodeJS.ProcessEnv }

  constructor(
    settings: JiraSettings,
    options: { helpdeskUrl?: string; environment?: NodeJS.ProcessEnv } = {},
  ) {
    this.settings = settings
    this.options = options
  }

  async create(ticket: Ticket): Promise<ExternalReceipt> {
    const base = this.settings.baseUrl.replace(/\/+$/, '')
    const body = {
      serviceDeskId: this.settings.serviceDeskId,
      requestTypeId: this.settings.requestTypeId,
      requestFieldValues: {
        summary: `Helpdesk ticket ${ticket.number}: ${ticket.subject}`.slice(0, SUMMARY),
        description: describeTicket(ticket, this.options.helpdeskUrl),
      },
      ...(this.settings.customerEmailDomain
        ? { raiseOnBehalfOf: `${ticket.requester}@${this.settings.customerEmailDomain}` }
        : {}),
    }
    const answer = await postJson(
      'Jira Service Management',
      new URL(`${base}/rest/servicedeskapi/request`),
      body,
      { authorization: await authorizationHeader(this.settings.auth, this.options.environment) },
    )
    const created = answer.body as { issueKey?: unknown; _links?: { web?: unknown } }
    if (typeof created.issueKey !== 'string') {
      throw new HelpdeskError({
        code: 'BACKEND_UNAVAILABLE',
        category: 'THIRD_PARTY',
        message: 'Jira Service Management answered without issueKey',
      })
    }
    const web = created._links?.web
    return {
      externalId: created.issueKey,
      link:
        typeof web === 'string' ? web : `${base}/browse/${encodeURIComponent(created.issueKey)}`,
    }
  }
}
