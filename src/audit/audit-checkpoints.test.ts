import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loggerForwarder, readCheckpoints } from './audit-checkpoints.ts'
import { AuditKey } from './audit-key.ts'
import { SqliteAuditLog } from './sqlite-audit-log.ts'

const temporary = () => mkdtempSync(path.join(tmpdir(), 'audit-checkpoints-'))

function hasLogger(): boolean {
  try {
    execFileSync('logger', ['--help'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('audit checkpoints', () => {
  it('are appended per record to a 0600 file at the configured path, each signed', async () => {
    const directory = temporary()
    const checkpointFile = path.join(temporary(), 'elsewhere', 'checkpoints.jsonl')
    const key = AuditKey.generate()
    const log = new SqliteAuditLog({ file: path.join(directory, 'h.sqlite'), key, checkpointFile })
    const records = [
      await log.append({ actor: 'tom', action: 'approval-grant', detail: {} }),
      await log.append({ actor: 'tina', action: 'step-execute', detail: {} }),
    ]
    await log.close()
    expect(statSync(checkpointFile).mode & 0o777).toBe(0o600)
    const reading = readCheckpoints(checkpointFile, key)
    expect(reading).toMatchObject({
      ok: true,
      checkpoints: records.map((record, index) => ({
        line: index + 1,
        sequence: record.sequence,
        count: record.sequence,
        headHash: record.hash,
        at: record.at,
        keyId: key.id,
      })),
    })
    expect(readFileSync(checkpointFile, 'utf8')).not.toMatch(/tom|tina/)
  })

  it.skipIf(!hasLogger())('also go to syslog through the logger command when asked', async () => {
    const directory = temporary()
    const socket = path.join(directory, 'log.sock')
    const received: string[] = []
    const server = createServer((connection) =>
      connection.on('data', (chunk) => received.push(chunk.toString())),
    )
    await new Promise<void>((resolve) => server.listen(socket, resolve))
    const errors: string[] = []
    const log = new SqliteAuditLog({
      file: path.join(directory, 'h.sqlite'),
      forward: loggerForwarder(
        (message) => errors.push(message),
        ['logger', '--socket-errors=on', '--socket', socket, '--tag', 'helpdesk-audit', '--'],
      ),
    })
    const record = await log.append({ actor: 'tom', action: 'approval-grant', detail: {} })
    await log.close()
    await until(() => received.join('').includes(record.hash))
    server.close()
    expect(received.join('')).toMatch(/helpdesk-audit.*"sequence":1.*"mac":"[0-9a-f]{64}"/)
    expect(errors).toEqual([])
  })

  it('report a syslog that cannot be reached once, not per record', async () => {
    const errors: string[] = []
    const forward = loggerForwarder(
      (message) => errors.push(message),
      [path.join(temporary(), 'no-such-logger')],
    )
    forward('{"sequence":1}')
    forward('{"sequence":2}')
    await until(() => errors.length > 0)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(errors).toEqual([expect.stringMatching(/audit checkpoint to syslog failed: .*ENOENT/)])
  })
})
