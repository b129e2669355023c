/**
 * A connector copies a built-in ticket to another ticket system (ServiceNow, Jira Service
 * Management, a mailbox by e-mail). One implementation per file in this folder; which one runs
 * is chosen by configuration (`connector-settings.ts`). The built-in ticket is always kept first:
 * a connector that fails never loses it (`connector-delivery.ts` retries and records the failure).
 * @module
 */
import type { Ticket } from '../ticket.ts'

/** Where the other system put it. */
export interface ExternalReceipt {
  /** Its id there: INC0010001, IT-42, the e-mail's Message-ID. */
  externalId: string
  /** A link a technician can open, when the system has one. */
  link?: string
}

export interface TicketConnector {
  /** `servicenow`, `jira`, `email`: recorded on the ticket. */
  readonly name: string
  /**
   * Creates the ticket in the other system.
   * @throws {HelpdeskError} BACKEND_UNAVAILABLE (unreachable, refused, an unexpected answer) or
   *   NOT_CONFIGURED (a credential reference that cannot be resolved); never with a credential
   *   in the message.
   */
  create(ticket: Ticket): Promise<ExternalReceipt>
  close?(): Promise<void>
}

/** The text every connector sends: subject line, who, and the conversation, plain text. */
export function describeTicket(ticket: Ticket, helpdeskUrl?: string): string {
  const lines = [
    `Helpdesk ticket ${ticket.number}: ${ticket.subject}`,
    `Requester: ${ticket.requester}${ticket.owner && ticket.owner !== ticket.requester ? ` (asked by ${ticket.owner})` : ''}`,
    `Why a person: ${ticket.reason === 'requested' ? 'the employee asked for a person' : 'the helpdesk needs a value only a person can find'}`,
    ...(helpdeskUrl
      ? [`In the helpdesk: ${new URL(`/tickets#${ticket.id}`, helpdeskUrl).href}`]
      : []),
    '',
    'Conversation:',
    ...ticket.transcript.map(
      (entry) =>
        `[${entry.at}] ${entry.role === 'employee' ? 'Employee' : 'Helpdesk'}: ${entry.text}`,
    ),
  ]
  return lines.join('\n')
}
