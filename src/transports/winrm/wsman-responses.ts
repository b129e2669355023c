import { XMLParser } from 'fast-xml-parser'
import { COMMAND_STATE_DONE } from './wsman-envelopes.ts'

/**
 * Reads WinRM's SOAP answers: the new shell's id, the command's id, output chunks and the exit
 * code, and faults. Namespace prefixes are dropped (servers choose their own), attributes kept.
 * @module
 */

/** A parsed XML element: child elements by local name, attributes as `@_Name`, text as `#text`. */
type XmlElement = { [name: string]: XmlValue }
type XmlValue = string | XmlElement | XmlValue[]

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  // Keep every value as text: ids that look like numbers and base64 must not be converted.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  // Numeric character references (&#13;) too: Windows writes them in output and fault texts.
  htmlEntities: true,
  isArray: (name) => name === 'Stream' || name === 'Selector',
})

export class WsManResponseError extends Error {}

/** A SOAP fault: `subcode` such as `w:TimedOut` or `w:AccessDenied`, and WinRM's numeric code. */
export class WsManFault extends Error {
  readonly subcode: string
  readonly wsmanCode: string | undefined

  constructor(subcode: string, message: string, wsmanCode?: string) {
    super(message)
    this.subcode = subcode
    this.wsmanCode = wsmanCode
  }

  /** No output within OperationTimeout: the normal answer of a long Receive; ask again. */
  get isOperationTimeout(): boolean {
    return this.subcode.endsWith('TimedOut') || this.wsmanCode === '2150858793'
  }
}

function parse(xml: string): XmlElement {
  let document: unknown
  try {
    document = parser.parse(xml)
  } catch (error) {
    throw new WsManResponseError(`the answer is not XML (${(error as Error).message})`)
  }
  const body = child(child(asElement(document), 'Envelope'), 'Body')
  if (!body) throw new WsManResponseError('the answer is not a SOAP envelope')
  const fault = child(body, 'Fault')
  if (fault) throw faultOf(fault)
  return body
}

function faultOf(fault: XmlElement): WsManFault {
  const code = child(fault, 'Code')
  const subcode = text(child(child(code, 'Subcode'), 'Value')) || text(child(code, 'Value'))
  const wsmanFault = child(child(fault, 'Detail'), 'WSManFault')
  const detail = text(child(wsmanFault, 'Message'))
  const reason = text(child(child(fault, 'Reason'), 'Text'))
  const wsmanCode = wsmanFault ? attribute(wsmanFault, 'Code') : undefined
  return new WsManFault(subcode, (detail || reason || 'no reason given').slice(0, 500), wsmanCode)
}

/** Throws the fault an answer carries, if any; for answers whose body is not needed. */
export function checkResponse(xml: string): void {
  parse(xml)
}

/** The ShellId: in the created Shell element, or in the selector of ResourceCreated. */
export function parseCreateResponse(xml: string): string {
  const body = parse(xml)
  const fromShell = text(child(child(body, 'Shell'), 'ShellId'))
  if (fromShell) return fromShell
  const selectors = child(
    child(child(body, 'ResourceCreated'), 'ReferenceParameters'),
    'SelectorSet',
  )
  const selector = list(selectors?.Selector).find((each) => attribute(each, 'Name') === 'ShellId')
  const fromSelector = selector ? text(selector) : ''
  if (!fromSelector) throw new WsManResponseError('the Create answer names no ShellId')
  return fromSelector
}

export function parseCommandResponse(xml: string): string {
  const commandId = text(child(child(parse(xml), 'CommandResponse'), 'CommandId'))
  if (!commandId) throw new WsManResponseError('the Command answer names no CommandId')
  return commandId
}

export interface ReceivedOutput {
  stdout: Buffer[]
  stderr: Buffer[]
  done: boolean
  /** Set when `done`; WinRM reports the process exit code. */
  exitCode?: number
}

export function parseReceiveResponse(xml: string, commandId: string): ReceivedOutput {
  const response = child(parse(xml), 'ReceiveResponse')
  if (!response) throw new WsManResponseError('the Receive answer has no ReceiveResponse')
  const output: ReceivedOutput = { stdout: [], stderr: [], done: false }
  for (const stream of list(response.Stream)) {
    const owner = attribute(stream, 'CommandId')
    if (owner && owner.toUpperCase() !== commandId.toUpperCase()) continue
    const name = attribute(stream, 'Name')
    const data = text(stream)
    if (!data) continue
    if (name === 'stdout') output.stdout.push(Buffer.from(data, 'base64'))
    else if (name === 'stderr') output.stderr.push(Buffer.from(data, 'base64'))
  }
  const state = child(response, 'CommandState')
  if (state && attribute(state, 'State') === COMMAND_STATE_DONE) {
    output.done = true
    const exitCode = text(child(state, 'ExitCode'))
    // Windows exit codes are unsigned 32-bit (0xC000013A...); shown as the signed int cmd shows.
    if (exitCode && /^-?\d+$/.test(exitCode)) output.exitCode = Number(exitCode) | 0
  }
  return output
}

function asElement(value: unknown): XmlElement | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as XmlElement)
    : undefined
}

function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  const value = element?.[name]
  if (typeof value === 'string') return { '#text': value }
  return asElement(Array.isArray(value) ? value[0] : value)
}

function list(value: XmlValue | undefined): XmlElement[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value]
  return values.flatMap((each): XmlElement[] => {
    if (typeof each === 'string') return [{ '#text': each }]
    const element = asElement(each)
    return element ? [element] : []
  })
}

function text(element: XmlElement | undefined): string {
  const value = element?.['#text']
  return typeof value === 'string' ? value.trim() : ''
}

function attribute(element: XmlElement, name: string): string | undefined {
  const value = element[`@_${name}`]
  return typeof value === 'string' ? value : undefined
}
