import type { AddressInfo } from 'node:net'
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SqliteTicketStore } from '../sqlite-ticket-store.ts'
import { sampleTicket } from '../ticket-store-contract.case.test.ts'
import { deliverTicket } from './connector-delivery.ts'
import { connectorFrom, connectorSettingsSchema } from './connector-settings.ts'

/**
 * The e-mail connector against a real SMTP server (the `smtp-server` library) on loopback: it
 * checks the sign-in, the envelope, and the message as `mailparser` reads it. Not run against a
 * real mail service.
 */

interface Delivered {
  envelopeFrom: string
  envelopeTo: string[]
  user: string | undefined
  raw: Buffer
}

let server: SMTPServer
let port: number
let delivered: Delivered[]

beforeEach(async () => {
  delivered = []
  server = new SMTPServer({
    // Plain SMTP on loopback: no certificate to make, so STARTTLS is not offered.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === 'helpdesk' && auth.password === 'mail-pass-789') {
        callback(null, { user: auth.username })
      } else {
        callback(new Error('Invalid username or password'))
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        delivered.push({
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((each) => each.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          raw: Buffer.concat(chunks),
        })
        callback()
      })
    },
    logger: false,
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  port = (server.server.address() as AddressInfo).port
})

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

function settings(password: string) {
  return connectorSettingsSchema.parse({
    kind: 'email',
    host: '127.0.0.1',
    port,
    auth: { username: 'helpdesk', password },
    from: 'helpdesk@example.com',
    to: ['servicedesk@example.com'],
  })
}

describe('e-mail connector over SMTP', () => {
  it('signs in and sends the ticket with the conversation to the service desk mailbox', async () => {
    const connector = connectorFrom(settings('env:MAIL_PASSWORD'), {
      environment: { MAIL_PASSWORD: 'mail-pass-789' },
    })
    const store = new SqliteTicketStore({ file: ':memory:' })
    const { ticket } = await store.open(sampleTicket({ subject: 'Monitor flickers' }))
    const receipt = await connector.create(ticket)

    expect(delivered).toHaveLength(1)
    const [mail] = delivered
    expect(mail?.user).toBe('helpdesk')
    expect(mail?.envelopeFrom).toBe('helpdesk@example.com')
    expect(mail?.envelopeTo).toEqual(['servicedesk@example.com'])
    const parsed = await simpleParser(mail?.raw ?? Buffer.alloc(0))
    expect(parsed.subject).toBe(`[Helpdesk ticket ${ticket.number}] Monitor flickers`)
    expect(parsed.from?.text).toBe('helpdesk@example.com')
    expect(parsed.headers.get('x-helpdesk-ticket')).toBe(ticket.id)
    expect(parsed.text).toContain('Requester: jdoe')
    expect(parsed.text).toContain('Employee: my vpn drops every hour')
    expect(receipt.externalId).toBe(parsed.messageId)
  })

  it('a refused sign-in is a failure recorded on the ticket, which stays', async () => {
    const connector = connectorFrom(settings('env:MAIL_PASSWORD'), {
      environment: { MAIL_PASSWORD: 'wrong' },
    })
    const store = new SqliteTicketStore({ file: ':memory:' })
    const { ticket } = await store.open(sampleTicket())
    const result = await deliverTicket(store, connector, ticket, { attempts: 2, firstPauseMs: 5 })
    expect(delivered).toHaveLength(0)
    expect(result.external).toMatchObject({ connector: 'email', status: 'failed', attempts: 2 })
    expect(result.external?.lastError).toContain('did not take the message')
    expect(result.external?.lastError).not.toContain('wrong')
    expect((await store.get(ticket.id))?.status).toBe('open')
  })
})
