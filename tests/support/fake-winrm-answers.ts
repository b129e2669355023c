import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import path from 'node:path'
import { NAMESPACE } from '../../src/transports/winrm/wsman-envelopes.ts'

/**
 * What the fake WinRM endpoint (fake-winrm-endpoint.ts) answers, shaped like Windows' answers:
 * envelopes, output streams, SOAP faults; and the certificate it serves.
 * @module
 */

/** A self-signed P-256 certificate for 127.0.0.1 made with openssl; returns the PEM path (key beside it). */
export function selfSignedCertificate(directory: string, name: string): string {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      path.join(directory, `${name}.key`),
      '-out',
      path.join(directory, `${name}.pem`),
    ],
    { stdio: 'ignore' },
  )
  return path.join(directory, `${name}.pem`)
}

export function text(value: unknown): string {
  if (typeof value === 'string') return value
  if (value && typeof value === 'object' && '#text' in value) return String(value['#text'])
  return ''
}

/** Windows splits output into several Stream elements; small uneven chunks split UTF-8 characters too. */
export function chunks(output: string | undefined): Buffer[] {
  const bytes = Buffer.from(output ?? '', 'utf8')
  const size = bytes.length > 4096 ? 4096 : 7
  const parts: Buffer[] = []
  for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size))
  return parts
}

export function stream(
  name: string,
  commandId: string,
  chunk: Buffer | string,
  end = false,
): string {
  const data = typeof chunk === 'string' ? chunk : chunk.toString('base64')
  return `<rsp:Stream Name="${name}" CommandId="${commandId}"${end ? ' End="true"' : ''}>${data}</rsp:Stream>`
}

function envelope(action: string, body: string): string {
  return `<s:Envelope xml:lang="en-US" xmlns:s="${NAMESPACE.soap}" xmlns:a="${NAMESPACE.addressing}" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:w="${NAMESPACE.wsman}" xmlns:rsp="${NAMESPACE.shell}" xmlns:p="${NAMESPACE.microsoftWsman}"><s:Header><a:Action>${action}</a:Action><a:MessageID>uuid:${randomUUID().toUpperCase()}</a:MessageID><a:To>${NAMESPACE.addressing}/role/anonymous</a:To></s:Header><s:Body>${body}</s:Body></s:Envelope>`
}

export function answer(response: ServerResponse, name: string, body: string): void {
  const action =
    name === 'CreateResponse' || name === 'DeleteResponse'
      ? `http://schemas.xmlsoap.org/ws/2004/09/transfer/${name}`
      : `${NAMESPACE.shell}/${name}`
  response
    .writeHead(200, { 'Content-Type': 'application/soap+xml;charset=UTF-8' })
    .end(envelope(action, body))
}

export function fault(
  response: ServerResponse,
  subcode: string,
  message: string,
  code = '2150858778',
): void {
  const body = `<s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>${subcode}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">${message}</s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="${code}" Machine="127.0.0.1"><f:Message>${message}</f:Message></f:WSManFault></s:Detail></s:Fault>`
  response
    .writeHead(500, { 'Content-Type': 'application/soap+xml;charset=UTF-8' })
    .end(envelope('http://schemas.dmtf.org/wbem/wsman/1/wsman/fault', body))
}
