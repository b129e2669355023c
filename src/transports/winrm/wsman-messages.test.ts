import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import {
  ACTION,
  CMD_SHELL_URI,
  COMMAND_STATE_DONE,
  commandEnvelope,
  createShellEnvelope,
  deleteShellEnvelope,
  NAMESPACE,
  receiveEnvelope,
  SIGNAL,
  sendEnvelope,
  signalEnvelope,
} from './wsman-envelopes.ts'
import {
  checkResponse,
  parseCommandResponse,
  parseCreateResponse,
  parseReceiveResponse,
  WsManFault,
  WsManResponseError,
} from './wsman-responses.ts'

const OPTIONS = { endpoint: 'https://ws-fin-12.corp.example.com:5986/wsman', messageId: 'M-1' }
const SHELL = '0D3A9D7E-6A55-4F0B-8F5E-6C1C1A0E0001'
const COMMAND = 'A1B2C3D4-0000-4000-8000-000000000002'

// A parser that keeps prefixes and decodes entities, to read envelopes as a server would.
const read = (xml: string) => {
  expect(XMLValidator.validate(xml)).toBe(true)
  const parsed = new XMLParser({
    ignoreAttributes: false,
    parseTagValue: false,
    htmlEntities: true,
  }).parse(xml)
  return parsed['s:Envelope']
}

describe('WS-Management envelopes', () => {
  it('declares the SOAP 1.2, addressing, WS-Management and shell namespaces on every message', () => {
    const envelope = read(createShellEnvelope(OPTIONS))
    expect(envelope['@_xmlns:s']).toBe(NAMESPACE.soap)
    expect(envelope['@_xmlns:a']).toBe(NAMESPACE.addressing)
    expect(envelope['@_xmlns:w']).toBe(NAMESPACE.wsman)
    expect(envelope['@_xmlns:rsp']).toBe(NAMESPACE.shell)
    const header = envelope['s:Header']
    expect(header['a:To']).toBe(OPTIONS.endpoint)
    expect(header['a:MessageID']).toBe('uuid:M-1')
    expect(header['w:ResourceURI']['#text']).toBe(CMD_SHELL_URI)
    expect(header['a:Action']['#text']).toBe(ACTION.create)
  })

  it('creates a cmd shell with stdin, stdout and stderr, no profile, UTF-8 output', () => {
    const envelope = read(createShellEnvelope(OPTIONS))
    expect(envelope['s:Body']['rsp:Shell']).toEqual({
      'rsp:InputStreams': 'stdin',
      'rsp:OutputStreams': 'stdout stderr',
    })
    const options = envelope['s:Header']['w:OptionSet']['w:Option']
    expect(options).toEqual([
      { '#text': 'TRUE', '@_Name': 'WINRS_NOPROFILE' },
      { '#text': '65001', '@_Name': 'WINRS_CODEPAGE' },
    ])
  })

  it('sends the command line as one escaped Command in the shell named by the selector', () => {
    const line = `powershell -EncodedCommand AAAA & echo "<x>" 'y'`
    const envelope = read(commandEnvelope(OPTIONS, SHELL, line))
    expect(envelope['s:Header']['a:Action']['#text']).toBe(ACTION.command)
    expect(envelope['s:Header']['w:SelectorSet']['w:Selector']).toEqual({
      '#text': SHELL,
      '@_Name': 'ShellId',
    })
    expect(envelope['s:Body']['rsp:CommandLine']['rsp:Command']).toBe(line)
  })

  it('sends stdin base64-encoded and closed, and asks for both output streams of the command', () => {
    const send = read(sendEnvelope(OPTIONS, SHELL, COMMAND, Buffer.from('héllo\r\n')))
    const stream = send['s:Body']['rsp:Send']['rsp:Stream']
    expect(stream).toMatchObject({ '@_Name': 'stdin', '@_CommandId': COMMAND, '@_End': 'true' })
    expect(Buffer.from(stream['#text'], 'base64').toString('utf8')).toBe('héllo\r\n')
    const receive = read(
      receiveEnvelope({ ...OPTIONS, operationTimeoutSeconds: 20 }, SHELL, COMMAND),
    )
    expect(receive['s:Header']['w:OperationTimeout']).toBe('PT20.000S')
    expect(receive['s:Body']['rsp:Receive']['rsp:DesiredStream']).toEqual({
      '#text': 'stdout stderr',
      '@_CommandId': COMMAND,
    })
  })

  it('signals terminate to the command and deletes the shell with an empty body', () => {
    const signal = read(signalEnvelope(OPTIONS, SHELL, COMMAND))
    expect(signal['s:Header']['a:Action']['#text']).toBe(ACTION.signal)
    expect(signal['s:Body']['rsp:Signal']).toEqual({
      'rsp:Code': SIGNAL.terminate,
      '@_CommandId': COMMAND,
    })
    const remove = read(deleteShellEnvelope(OPTIONS, SHELL))
    expect(remove['s:Header']['a:Action']['#text']).toBe(ACTION.delete)
    expect(remove['s:Body']).toBe('')
  })
})

const answer = (body: string) =>
  `<s:Envelope xmlns:s="${NAMESPACE.soap}" xmlns:rsp="${NAMESPACE.shell}" xmlns:w="${NAMESPACE.wsman}" xmlns:a="${NAMESPACE.addressing}" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer"><s:Header/><s:Body>${body}</s:Body></s:Envelope>`

describe('WS-Management answers', () => {
  it('finds the ShellId in the Shell element or, from older Windows, in ResourceCreated', () => {
    expect(
      parseCreateResponse(answer(`<rsp:Shell><rsp:ShellId>${SHELL}</rsp:ShellId></rsp:Shell>`)),
    ).toBe(SHELL)
    const older = `<x:ResourceCreated><a:ReferenceParameters><w:SelectorSet><w:Selector Name="ShellId">${SHELL}</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>`
    expect(parseCreateResponse(answer(older))).toBe(SHELL)
    expect(() => parseCreateResponse(answer('<rsp:Shell/>'))).toThrow(WsManResponseError)
    expect(
      parseCommandResponse(
        answer(
          `<rsp:CommandResponse><rsp:CommandId>${COMMAND}</rsp:CommandId></rsp:CommandResponse>`,
        ),
      ),
    ).toBe(COMMAND)
  })

  it('collects base64 chunks per stream, skips other commands, and reads Done with the exit code', () => {
    const chunk = (name: string, text: string, id = COMMAND) =>
      `<rsp:Stream Name="${name}" CommandId="${id}">${Buffer.from(text).toString('base64')}</rsp:Stream>`
    const running = parseReceiveResponse(
      answer(
        `<rsp:ReceiveResponse>${chunk('stdout', 'one ')}${chunk('stderr', 'warn')}${chunk('stdout', 'two')}${chunk('stdout', 'other', 'FFFF')}<rsp:CommandState CommandId="${COMMAND}" State="${NAMESPACE.shell}/CommandState/Running"/></rsp:ReceiveResponse>`,
      ),
      COMMAND,
    )
    expect(Buffer.concat(running.stdout).toString()).toBe('one two')
    expect(Buffer.concat(running.stderr).toString()).toBe('warn')
    expect(running.done).toBe(false)
    const done = parseReceiveResponse(
      answer(
        `<rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="${COMMAND}" End="true"></rsp:Stream><rsp:CommandState CommandId="${COMMAND}" State="${COMMAND_STATE_DONE}"><rsp:ExitCode>3221225786</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse>`,
      ),
      COMMAND,
    )
    // 0xC000013A (terminated by Ctrl+C) as cmd shows it: a negative 32-bit number.
    expect(done).toMatchObject({ done: true, exitCode: -1073741510, stdout: [], stderr: [] })
  })

  it('turns a SOAP fault into a WsManFault with its subcode, WinRM code and message', () => {
    const fault = (subcode: string, code: string, message: string) =>
      answer(
        `<s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>${subcode}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">reason text</s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="${code}" Machine="ws-fin-12"><f:Message>${message}</f:Message></f:WSManFault></s:Detail></s:Fault>`,
      )
    const timedOut = (() => {
      try {
        checkResponse(
          fault(
            'w:TimedOut',
            '2150858793',
            'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.',
          ),
        )
      } catch (error) {
        return error
      }
    })()
    expect(timedOut).toBeInstanceOf(WsManFault)
    expect(timedOut).toMatchObject({
      subcode: 'w:TimedOut',
      wsmanCode: '2150858793',
      isOperationTimeout: true,
    })
    expect(() => checkResponse(fault('w:AccessDenied', '5', 'Access is denied.&#13;'))).toThrow(
      /^Access is denied\.$/,
    )
    expect(() =>
      parseReceiveResponse(fault('w:InvalidSelectors', '2150858843', 'bad shell'), COMMAND),
    ).toThrow(WsManFault)
  })

  it('refuses an answer that is not a SOAP envelope', () => {
    expect(() => checkResponse('<html><body>Bad gateway</body></html>')).toThrow(
      /not a SOAP envelope/,
    )
    expect(() => checkResponse('not xml <<<')).toThrow(WsManResponseError)
  })
})
