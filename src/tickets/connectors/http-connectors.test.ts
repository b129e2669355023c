import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SqliteTicketStore } from '../sqlite-ticket-store.ts'
import type { Ticket } from '../ticket.ts'
import { sampleTicket } from '../ticket-store-contract.case.test.ts'
import { deliverTicket } from './connector-delivery.ts'
import { connectorFrom, connectorSettingsSchema } from './connector-settings.ts'

/**
 * The ServiceNow and Jira Service Management connectors against a loopback HTTP server that
 * records each request whole (method, path, headers, JSON body) and answers as the vendor's
 * documentation shows. Not run against the real services.
 */

interface Received {
  method: string
  path: string
  headers: IncomingMessage['headers']
  body: unknown
}

let server: Server
let received: Received[]
let answers: Array<{ status: number; body: unknown }>
let url: string

beforeEach(async () => {
  received = []
  answers = []
  server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      received.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: text ? JSON.parse(text) : undefined,
      })
      const answer = answers.shift() ?? { status: 500, body: { error: 'no answer queued' } }
      response.writeHead(answer.status, { 'content-type': 'application/json' })
      response.end(JSON.stringify(answer.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const environment = {
  SN_PASSWORD: 's3cret-pass',
  SN_TOKEN: 'oauth-access-token-123',
  JIRA_TOKEN: 'jira-api-token-456',
}

async function storedTicket(): Promise<{ store: SqliteTicketStore; ticket: Ticket }> {
  const store = new SqliteTicketStore({ file: ':memory:' })
  const { ticket } = await store.open(
    sampleTicket({ requester: 'jdoe', subject: 'Printer on floor 3 jams' }),
  )
  return { store, ticket }
}

describe('ServiceNow Table API connector', () => {
  it('POSTs an incident to /api/now/table/incident with basic auth and the documented fields', async () => {
    const settings = connectorSettingsSchema.parse({
      kind: 'servicenow',
      instanceUrl: url,
      auth: { type: 'basic', username: 'helpdesk.integration', password: 'env:SN_PASSWORD' },
      fields: { assignment_group: 'Service Desk' },
    })
    const connector = connectorFrom(settings, {
      environment,
      helpdeskUrl: 'https://help.example.com',
    })
    answers.push({
      status: 201,
      body: { result: { sys_id: '9d385017c611228701d22104cc95c371', number: 'INC0010001' } },
    })
    const { ticket } = await storedTicket()
    const receipt = await connector.create(ticket)

    expect(receipt).toEqual({
      externalId: 'INC0010001',
      link: `${url}/incident.do?sys_id=9d385017c611228701d22104cc95c371`,
    })
    expect(received).toHaveLength(1)
    const [request] = received
    expect(request?.method).toBe('POST')
    expect(request?.path).toBe('/api/now/table/incident')
    expect(request?.headers['content-type']).toBe('application/json')
    expect(request?.headers.accept).toBe('application/json')
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from('helpdesk.integration:s3cret-pass').toString('base64')}`,
    )
    expect(request?.body).toMatchObject({
      short_description: `Helpdesk ticket ${ticket.number}: Printer on floor 3 jams`,
      caller_id: 'jdoe',
      assignment_group: 'Service Desk',
      correlation_id: ticket.id,
    })
    const description = (request?.body as { description: string } | undefined)?.description
    expect(description).toContain('Employee: my vpn drops every hour')
    expect(description).toContain(`https://help.example.com/tickets#${ticket.id}`)
  })

  it('sends an OAuth bearer token, and refuses an answer without result.number', async () => {
    const connector = connectorFrom(
      connectorSettingsSchema.parse({
        kind: 'servicenow',
        instanceUrl: `${url}/`,
        auth: { type: 'bearer', token: 'env:SN_TOKEN' },
      }),
      { environment },
    )
    answers.push({ status: 201, body: { result: { sys_id: 'abc' } } })
    const { ticket } = await storedTicket()
    await expect(connector.create(ticket)).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' })
    expect(received[0]?.headers.authorization).toBe('Bearer oauth-access-token-123')
    expect(received[0]?.path).toBe('/api/now/table/incident')
  })

  it('an unset credential reference fails with its name, never a value, and sends nothing', async () => {
    const connector = connectorFrom(
      connectorSettingsSchema.parse({
        kind: 'servicenow',
        instanceUrl: url,
        auth: { type: 'basic', username: 'x', password: 'env:NOT_SET_ANYWHERE' },
      }),
      { environment },
    )
    const { ticket } = await storedTicket()
    await expect(connector.create(ticket)).rejects.toMatchObject({
      code: 'NOT_CONFIGURED',
      message: expect.stringContaining('env:NOT_SET_ANYWHERE'),
    })
    expect(received).toHaveLength(0)
  })
})

describe('Jira Service Management connector', () => {
  it('POSTs a customer request to /rest/servicedeskapi/request with the documented body', async () => {
    const connector = connectorFrom(
      connectorSettingsSchema.parse({
        kind: 'jira',
        baseUrl: url,
        auth: { type: 'basic', username: 'bot@example.com', password: 'env:JIRA_TOKEN' },
        serviceDeskId: '10',
        requestTypeId: '25',
        customerEmailDomain: 'example.com',
      }),
      { environment },
    )
    answers.push({
      status: 201,
      body: {
        issueId: '107001',
        issueKey: 'HELPDESK-42',
        _links: { web: `${url}/servicedesk/customer/portal/10/HELPDESK-42` },
      },
    })
    const { ticket } = await storedTicket()
    const receipt = await connector.create(ticket)
    expect(receipt).toEqual({
      externalId: 'HELPDESK-42',
      link: `${url}/servicedesk/customer/portal/10/HELPDESK-42`,
    })
    const [request] = received
    expect(request?.method).toBe('POST')
    expect(request?.path).toBe('/rest/servicedeskapi/request')
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from('bot@example.com:jira-api-token-456').toString('base64')}`,
    )
    expect(request?.headers['content-type']).toBe('application/json')
    expect(request?.body).toEqual({
      serviceDeskId: '10',
      requestTypeId: '25',
      requestFieldValues: {
        summary: `Helpdesk ticket ${ticket.number}: Printer on floor 3 jams`,
        description: expect.stringContaining('Helpdesk: Which computer?'),
      },
      raiseOnBehalfOf: 'jdoe@example.com',
    })
  })

  it('settings name the field that is wrong', () => {
    const parsed = connectorSettingsSchema.safeParse({
      kind: 'jira',
      baseUrl: 'ftp://jira',
      auth: { type: 'basic', username: 'bot', password: 'hunter2' },
      serviceDeskId: 'desk',
      requestTypeId: '1',
    })
    expect(parsed.success).toBe(false)
    const paths = parsed.error?.issues.map((issue) => issue.path.join('.'))
    expect(paths).toEqual(expect.arrayContaining(['baseUrl', 'auth.password', 'serviceDeskId']))
  })
})

describe('delivery to a connector', () => {
  it('retries a failed attempt and records the external id and link on the ticket', async () => {
    const connector = connectorFrom(
      connectorSettingsSchema.parse({
        kind: 'jira',
        baseUrl: url,
        auth: { type: 'bearer', token: 'env:JIRA_TOKEN' },
        serviceDeskId: '1',
        requestTypeId: '2',
      }),
      { environment },
    )
    answers.push({ status: 503, body: { errorMessage: 'down for maintenance' } })
    answers.push({ status: 201, body: { issueKey: 'IT-7' } })
    const { store, ticket } = await storedTicket()
    const delivered = await deliverTicket(store, connector, ticket, {
      attempts: 3,
      firstPauseMs: 5,
    })
    expect(received).toHaveLength(2)
    expect(delivered.external).toMatchObject({
      connector: 'jira',
      status: 'delivered',
      attempts: 2,
      externalId: 'IT-7',
      link: `${url}/browse/IT-7`,
    })
    expect((await store.get(ticket.id))?.external?.externalId).toBe('IT-7')
  })

  it('when every attempt fails the built-in ticket stays, with the failure recorded', async () => {
    const connector = connectorFrom(
      connectorSettingsSchema.parse({
        kind: 'servicenow',
        instanceUrl: url,
        auth: { type: 'bearer', token: 'env:SN_TOKEN' },
      }),
      { environment },
    )
    const { store, ticket } = await storedTicket()
    const lines: string[] = []
    const result = await deliverTicket(store, connector, ticket, {
      attempts: 2,
      firstPauseMs: 5,
      log: (line) => lines.push(line),
    })
    expect(received).toHaveLength(2)
    const stored = await store.get(ticket.id)
    expect(stored).toMatchObject({ status: 'open', subject: ticket.subject })
    expect(stored?.external).toMatchObject({ status: 'failed', attempts: 2 })
    expect(stored?.external?.lastError).toContain('ServiceNow answered 500')
    expect(result.external?.status).toBe('failed')
    expect(lines.join('\n')).not.toContain('oauth-access-token-123')
  })
})
