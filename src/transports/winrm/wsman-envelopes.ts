import { randomUUID } from 'node:crypto'

/**
 * SOAP envelopes of the WinRM remote shell protocol (MS-WSMV 3.1.4.x: Create, Command, Send,
 * Receive, Signal, Delete on the `cmd` shell), as Windows' own winrs client sends them. Every text
 * that goes into the XML passes through `escapeXml`; ids and the command line are the only
 * variable parts.
 * @module
 */

export const NAMESPACE = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  addressing: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsman: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  microsoftWsman: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  shell: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
} as const

export const CMD_SHELL_URI = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd'

export const ACTION = {
  create: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  delete: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete',
  command: `${NAMESPACE.shell}/Command`,
  send: `${NAMESPACE.shell}/Send`,
  receive: `${NAMESPACE.shell}/Receive`,
  signal: `${NAMESPACE.shell}/Signal`,
} as const

export const SIGNAL = {
  terminate: `${NAMESPACE.shell}/signal/terminate`,
  ctrlC: `${NAMESPACE.shell}/signal/ctrl_c`,
} as const

export const COMMAND_STATE_DONE = `${NAMESPACE.shell}/CommandState/Done`

/** Envelope size we accept in answers; winrs uses the same. */
const MAX_ENVELOPE_SIZE = 153_600

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
}

/** The five predefined XML entities: every XML parser knows them (not all decode `&#34;`). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => XML_ENTITIES[character] ?? character)
}

export interface EnvelopeOptions {
  /** The endpoint URL, e.g. https://ws-fin-12:5986/wsman, for the `To` header. */
  endpoint: string
  /** How long the service may hold the request (ISO 8601 duration seconds). */
  operationTimeoutSeconds?: number
  /** For tests: a fixed message id. */
  messageId?: string
}

function envelope(
  options: EnvelopeOptions,
  action: string,
  body: string,
  extraHeaders: { shellId?: string; options?: Record<string, string> } = {},
): string {
  const selector = extraHeaders.shellId
    ? `<w:SelectorSet><w:Selector Name="ShellId">${escapeXml(extraHeaders.shellId)}</w:Selector></w:SelectorSet>`
    : ''
  const optionSet = extraHeaders.options
    ? `<w:OptionSet>${Object.entries(extraHeaders.options)
        .map(
          ([name, value]) => `<w:Option Name="${escapeXml(name)}">${escapeXml(value)}</w:Option>`,
        )
        .join('')}</w:OptionSet>`
    : ''
  return [
    `<?xml version="1.0" encoding="utf-8"?>`,
    `<s:Envelope xmlns:s="${NAMESPACE.soap}" xmlns:a="${NAMESPACE.addressing}" xmlns:w="${NAMESPACE.wsman}" xmlns:p="${NAMESPACE.microsoftWsman}" xmlns:rsp="${NAMESPACE.shell}">`,
    '<s:Header>',
    `<a:To>${escapeXml(options.endpoint)}</a:To>`,
    `<w:ResourceURI s:mustUnderstand="true">${CMD_SHELL_URI}</w:ResourceURI>`,
    `<a:ReplyTo><a:Address s:mustUnderstand="true">${NAMESPACE.addressing}/role/anonymous</a:Address></a:ReplyTo>`,
    `<a:Action s:mustUnderstand="true">${action}</a:Action>`,
    `<w:MaxEnvelopeSize s:mustUnderstand="true">${MAX_ENVELOPE_SIZE}</w:MaxEnvelopeSize>`,
    `<a:MessageID>uuid:${escapeXml(options.messageId ?? randomUUID().toUpperCase())}</a:MessageID>`,
    '<w:Locale xml:lang="en-US" s:mustUnderstand="false"/>',
    '<p:DataLocale xml:lang="en-US" s:mustUnderstand="false"/>',
    `<w:OperationTimeout>PT${options.operationTimeoutSeconds ?? 60}.000S</w:OperationTimeout>`,
    selector,
    optionSet,
    '</s:Header>',
    `<s:Body>${body}</s:Body>`,
    '</s:Envelope>',
  ].join('')
}

/** A cmd shell with stdin, stdout and stderr; no user profile; output in UTF-8 (code page 65001). */
export function createShellEnvelope(options: EnvelopeOptions): string {
  return envelope(
    options,
    ACTION.create,
    '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>',
    { options: { WINRS_NOPROFILE: 'TRUE', WINRS_CODEPAGE: '65001' } },
  )
}

/**
 * The whole command line goes in `Command`, as winrs and pywinrm's run_ps send it; the shell
 * runs it through cmd.exe (WINRS_SKIP_CMD_SHELL=FALSE), so cmd's 8191-character limit applies.
 */
export function commandEnvelope(
  options: EnvelopeOptions,
  shellId: string,
  commandLine: string,
): string {
  return envelope(
    options,
    ACTION.command,
    `<rsp:CommandLine><rsp:Command>${escapeXml(commandLine)}</rsp:Command></rsp:CommandLine>`,
    { shellId, options: { WINRS_CONSOLEMODE_STDIN: 'TRUE', WINRS_SKIP_CMD_SHELL: 'FALSE' } },
  )
}

/** Writes `input` to the command's stdin and closes it (End="true"). */
export function sendEnvelope(
  options: EnvelopeOptions,
  shellId: string,
  commandId: string,
  input: Buffer,
): string {
  return envelope(
    options,
    ACTION.send,
    `<rsp:Send><rsp:Stream Name="stdin" CommandId="${escapeXml(commandId)}" End="true">${input.toString('base64')}</rsp:Stream></rsp:Send>`,
    { shellId },
  )
}

export function receiveEnvelope(
  options: EnvelopeOptions,
  shellId: string,
  commandId: string,
): string {
  return envelope(
    options,
    ACTION.receive,
    `<rsp:Receive><rsp:DesiredStream CommandId="${escapeXml(commandId)}">stdout stderr</rsp:DesiredStream></rsp:Receive>`,
    { shellId, options: { WSMAN_CMDSHELL_OPTION_KEEPALIVE: 'TRUE' } },
  )
}

export function signalEnvelope(
  options: EnvelopeOptions,
  shellId: string,
  commandId: string,
  code: string = SIGNAL.terminate,
): string {
  return envelope(
    options,
    ACTION.signal,
    `<rsp:Signal CommandId="${escapeXml(commandId)}"><rsp:Code>${escapeXml(code)}</rsp:Code></rsp:Signal>`,
    { shellId },
  )
}

/** Deleting the shell ends every process still running in it. */
export function deleteShellEnvelope(options: EnvelopeOptions, shellId: string): string {
  return envelope(options, ACTION.delete, '', { shellId })
}
