import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import type { Target } from '../../src/inventory/inventory-schema.ts'
import {
  APPEND_CHUNK_SCRIPT,
  MEASURE_SCRIPT,
  REMOVE_SCRIPT,
} from '../../src/transports/powershell-chunk-uploader.ts'
import type { FakeCommand, FakeWinRmEndpoint } from './fake-winrm-endpoint.ts'
import { startFakeWinRmEndpoint } from './fake-winrm-endpoint.ts'

/**
 * NOT REAL WINDOWS. A Windows machine's files as the WS-Management test endpoint pretends them:
 * the endpoint decodes each `-EncodedCommand`, and this recognises the exact scripts the chunk
 * uploader and the catalog's file.copy send, reads their single-quoted arguments, and does what
 * each script is written to do on a map of paths to bytes (append the base64 lines on stdin,
 * measure size and SHA-256, remove; back up, refuse an overwrite not asked for, move into place,
 * print the hash). It does NOT run PowerShell: it proves what reaches the machine (scripts,
 * arguments, chunks byte for byte) and how the answers are read, not that the scripts behave
 * like this on Windows. Anything else it is sent fails with exit 1 and is recorded.
 */
export interface FakeWindowsFiles {
  endpoint: FakeWinRmEndpoint
  target: Target
  files: Map<string, Buffer>
  /** Directories that exist (lower-case, no trailing backslash). */
  directories: Set<string>
  /** Every script received, decoded, with its stdin's length. */
  received: Array<{ script: string; stdinLength: number; commandLineLength: number }>
  unexpected: string[]
  /** When set, the move into place writes these bytes instead (a file altered after its upload). */
  tamper?: Buffer
}

const ENCODED = /^powershell -NoProfile -NonInteractive -EncodedCommand ([A-Za-z0-9+/]+=*)$/

/** The `-name 'value'` arguments after the script block, '' doubled inside a value. */
function argumentsOf(script: string): Record<string, string> {
  const tail = script.slice(script.lastIndexOf('\n}') + 2)
  const values: Record<string, string> = {}
  for (const match of tail.matchAll(/ -(\w+) '((?:[^']|'')*)'/g))
    values[match[1] ?? ''] = (match[2] ?? '').replaceAll("''", "'")
  return values
}

const parentOf = (file: string) => file.slice(0, file.lastIndexOf('\\')).toLowerCase()
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
const done = (stdout: string, exitCode = 0, stderr = ''): FakeCommand => ({
  rounds: [{ stdout, stderr }],
  exitCode,
})

export async function startFakeWindowsFiles(
  name: string,
  login: { username: string; password: string; credential: string },
): Promise<FakeWindowsFiles> {
  const files = new Map<string, Buffer>()
  const directories = new Set<string>(['c:', 'c:\\inetpub', 'c:\\inetpub\\wwwroot'])
  const received: FakeWindowsFiles['received'] = []
  const unexpected: string[] = []
  const key = (file: string) => file.toLowerCase()
  function answer(script: string, stdin: string): FakeCommand {
    const values = argumentsOf(script)
    const body = (text: string) => script.includes(text)
    if (body(APPEND_CHUNK_SCRIPT)) {
      const file = values.path ?? ''
      if (!directories.has(parentOf(file)))
        return done('', 1, `Could not find a part of the path '${file}'.\r\n`)
      const lines = stdin.split('\n').map((line) => line.trim())
      const bytes = Buffer.concat(
        lines.filter(Boolean).map((line) => {
          if (!/^[A-Za-z0-9+/]+=*$/.test(line)) throw new Error('not base64')
          return Buffer.from(line, 'base64')
        }),
      )
      const before =
        values.first === '1' ? Buffer.alloc(0) : (files.get(key(file)) ?? Buffer.alloc(0))
      files.set(key(file), Buffer.concat([before, bytes]))
      return done(`length ${files.get(key(file))?.length}\r\n`)
    }
    if (body(MEASURE_SCRIPT)) {
      const bytes = files.get(key(values.path ?? ''))
      if (!bytes) return done('', 1, 'Cannot find path\r\n')
      return done(`${bytes.length} ${sha256(bytes)}\r\n`)
    }
    if (body(REMOVE_SCRIPT)) {
      files.delete(key(values.path ?? ''))
      return done('')
    }
    const destination = values.destination ?? ''
    const backup = key(`${destination}.helpdesk-backup`)
    const upload = key(`${destination}.helpdesk-upload`)
    // The catalog's file.copy: backup, run, verify (what each template is written to do).
    if (
      body("Copy-Item -LiteralPath $destination -Destination ($destination + '.helpdesk-backup')")
    ) {
      const existing = files.get(key(destination))
      if (!existing) {
        files.delete(backup)
        return done(`no existing ${destination}, nothing to back up\r\n`)
      }
      if (values.overwrite !== 'yes')
        return done('', 3, `${destination} already exists here; not overwritten\r\n`)
      files.set(backup, existing)
      return done(`backed up ${destination}\r\n`)
    }
    if (body('Move-Item -LiteralPath $upload -Destination $destination -Force')) {
      const bytes = files.get(upload)
      if (!bytes)
        return done('', 1, `the uploaded file ${destination}.helpdesk-upload is missing\r\n`)
      files.delete(upload)
      const placed = machine.tamper ?? bytes
      files.set(key(destination), placed)
      return done(`${sha256(placed)}\r\n`)
    }
    if (body('if (-not (Test-Path -LiteralPath $destination)) { exit 1 }')) {
      const bytes = files.get(key(destination))
      return bytes ? done(`${sha256(bytes)}\r\n`) : done('', 1)
    }
    unexpected.push(script)
    return done('', 1, 'the fake machine was sent a script it does not know\r\n')
  }
  const machine: Partial<FakeWindowsFiles> = {}
  const endpoint = await startFakeWinRmEndpoint({
    authentication: 'ntlm',
    username: login.username,
    password: login.password,
    run(commandLine, stdin) {
      const encoded = ENCODED.exec(commandLine)?.[1]
      if (encoded === undefined) return done('', 1, 'not an encoded command')
      const script = Buffer.from(encoded, 'base64').toString('utf16le')
      received.push({ script, stdinLength: stdin.length, commandLineLength: commandLine.length })
      return answer(script, stdin)
    },
  })
  return Object.assign(machine, {
    endpoint,
    files,
    directories,
    received,
    unexpected,
    target: {
      name,
      host: '127.0.0.1',
      port: endpoint.port,
      os: 'windows',
      transport: 'winrm',
      username: login.username,
      credential: login.credential,
      class: 'server',
    } satisfies Target,
  }) as FakeWindowsFiles
}

/** One CA file trusting several endpoints' self-signed certificates, as WINRM_CA_FILE would. */
export function trustAll(endpoints: FakeWinRmEndpoint[]): string {
  const caFile = `${endpoints[0]?.caFile}.all.pem`
  writeFileSync(caFile, endpoints.map((each) => readFileSync(each.caFile, 'utf8')).join(''))
  return caFile
}
