/**
 * Copies a built-in ticket to the configured connector: a few attempts with a growing pause, each
 * recorded on the ticket (`external`), so a technician sees whether the copy exists, and where.
 * It never throws and never touches anything of the ticket but `external`.
 * @module
 */
import type { AuditLog } from '../../audit/audit-log.ts'
import type { ExternalCopy, Ticket, TicketStore } from '../ticket.ts'
import type { TicketConnector } from './ticket-connector.ts'

export interface DeliveryOptions {
  /** Attempts in all (default 3). */
  attempts?: number
  /** Pause before the second attempt; each next pause doubles (default 2000 ms). */
  firstPauseMs?: number
  audit?: AuditLog
  log?: (line: string) => void
  /** Checked before each pause: true ends the attempts (the server is stopping; the next start copies it again). */
  stopping?: () => boolean
}

/** @returns the ticket as last recorded */
export async function deliverTicket(
  store: TicketStore,
  connector: TicketConnector,
  ticket: Ticket,
  options: DeliveryOptions = {},
): Promise<Ticket> {
  const attempts = options.attempts ?? 3
  let pause = options.firstPauseMs ?? 2000
  let latest = ticket
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    let copy: ExternalCopy
    try {
      const receipt = await connector.create(latest)
      copy = {
        connector: connector.name,
        status: 'delivered',
        attempts: attempt,
        externalId: receipt.externalId,
        ...(receipt.link ? { link: receipt.link } : {}),
        updatedAt: new Date().toISOString(),
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      copy = {
        connector: connector.name,
        status: attempt === attempts ? 'failed' : 'pending',
        attempts: attempt,
        lastError: reason.slice(0, 500),
        updatedAt: new Date().toISOString(),
      }
      options.log?.(
        `ticket ${ticket.number}: ${connector.name} attempt ${attempt} of ${attempts} failed: ${reason}`,
      )
    }
    latest = await record(store, latest, copy)
    if (copy.status !== 'pending') {
      await options.audit
        ?.append({
          actor: 'system',
          action: copy.status === 'delivered' ? 'ticket-export' : 'ticket-export-fail',
          target: `ticket ${ticket.number}`,
          requestId: ticket.id,
          detail: {
            connector: connector.name,
            attempts: attempt,
            ...(copy.externalId ? { externalId: copy.externalId } : {}),
            ...(copy.link ? { link: copy.link } : {}),
            ...(copy.lastError ? { error: copy.lastError } : {}),
          },
        })
        .catch((error: unknown) =>
          options.log?.(`ticket ${ticket.number}: audit of the copy failed: ${String(error)}`),
        )
      return latest
    }
    if (options.stopping?.()) return latest
    await new Promise((resolve) => setTimeout(resolve, pause))
    pause *= 2
    if (options.stopping?.()) return latest
  }
  return latest
}

/** Writes `external` whatever else changed meanwhile (a technician picking it up, say). */
async function record(store: TicketStore, ticket: Ticket, external: ExternalCopy): Promise<Ticket> {
  let current: Ticket | undefined = ticket
  for (let tries = 0; tries < 5 && current; tries += 1) {
    const updated = await store.update(current.id, current.version, { external })
    if (updated) return updated
    current = await store.get(ticket.id)
  }
  return current ?? ticket
}
