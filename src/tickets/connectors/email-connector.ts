/**
 * E-mail: each new ticket is sent to a mailbox (a service desk's intake address) over SMTP with
 * nodemailer, STARTTLS when the server offers it (or TLS from the start, `secure`), with a user
 * and a password reference when the server wants one.
 * @module
 */
import nodemailer from 'nodemailer'
import { HelpdeskError } from '../../errors/index.ts'
import { resolveCredential } from '../../inventory/credential-reference.ts'
import type { Ticket } from '../ticket.ts'
import type { EmailSettings } from './connector-settings.ts'
import { describeTicket, type ExternalReceipt, type TicketConnector } from './ticket-connector.ts'

const TIMEOUT_MS = 15_000

export class EmailConnector implements TicketConnector {
  readonly name = 'email'
  private readonly settings: EmailSettings
  private readonly options: { helpdeskUrl?: string; environment?: NodeJS.ProcessEnv }

  constructor(
    settings: EmailSettings,
    options: { helpdeskUrl?: string; environment?: NodeJS.ProcessEnv } = {},
  ) {
    this.settings = settings
    this.options = options
  }

  async create(ticket: Ticket): Promise<ExternalReceipt> {
    const { auth } = this.settings
    let password: string | undefined
    if (auth) {
      try {
        password = (await resolveCredential(auth.password, this.options.environment)).reveal()
      } catch (error) {
        throw new HelpdeskError({
          code: 'NOT_CONFIGURED',
          message: error instanceof Error ? error.message : String(error),
        })
      }
    }
    const transport = nodemailer.createTransport({
      host: this.settings.host,
      port: this.settings.port,
      secure: this.settings.secure,
      connectionTimeout: TIMEOUT_MS,
      greetingTimeout: TIMEOUT_MS,
      socketTimeout: TIMEOUT_MS,
      ...(auth && password !== undefined ? { auth: { user: auth.username, pass: password } } : {}),
    })
    try {
      const sent = await transport.sendMail({
        from: this.settings.from,
        to: this.settings.to,
        subject: `[Helpdesk ticket ${ticket.number}] ${ticket.subject}`,
        text: describeTicket(ticket, this.options.helpdeskUrl),
        headers: { 'X-Helpdesk-Ticket': ticket.id },
      })
      return { externalId: sent.messageId }
    } catch (error) {
      throw new HelpdeskError({
        code: 'BACKEND_UNAVAILABLE',
        category: 'THIRD_PARTY',
        message: `the mail server ${this.settings.host}:${this.settings.port} did not take the message: ${error instanceof Error ? error.message : String(error)}`,
      })
    } finally {
      transport.close()
    }
  }
}
