import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseEnv, promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer } from '../bench/bench-support.ts'

const run = promisify(execFile)
const labDirectory = '.helpdesk/lab'
let labWasUp = false
let labEnvironment: Record<string, string> = {}
let server: Awaited<ReturnType<typeof startServer>> | undefined
/** The first start creates an admin and leaves its token in the data directory. */
let adminToken = ''

async function chat(message: string): Promise<{
  results: Array<{ stepId: string; status: string; data?: Record<string, unknown> }>
  reply: string
}> {
  const response = await fetch(`${server?.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ message }),
  })
  expect(response.status).toBe(200)
  return response.json() as never
}

beforeAll(async () => {
  labWasUp = existsSync(path.join(labDirectory, 'lab.env'))
  const up = await run(process.execPath, ['scripts/lab.ts', 'up'], { timeout: 170_000 })
  expect(up.stdout).toContain('Lab is up.')
  labEnvironment = parseEnv(readFileSync(path.join(labDirectory, 'lab.env'), 'utf8')) as Record<
    string,
    string
  >
  const dataDirectory = mkdtempSync(path.join(tmpdir(), 'lab-chat-'))
  server = await startServer({
    ...labEnvironment,
    HELPDESK_DATA_DIR: dataDirectory,
    CHROMA_RUNTIME_DIR: path.resolve('.helpdesk/runtime'),
  })
  adminToken = readFileSync(path.join(dataDirectory, 'admin-token'), 'utf8').trim()
})

afterAll(async () => {
  await server?.stop()
  // A lab a developer had up before the test stays up.
  if (!labWasUp) await run(process.execPath, ['scripts/lab.ts', 'down'], { timeout: 60_000 })
})

describe('npm run lab: the chat acts on a real domain controller', () => {
  it('locks a lab user out, the chat sees it, a technician unlocks it, the chat sees it unlocked', async () => {
    const lock = await run(process.execPath, ['scripts/lab.ts', 'lock', 'carol'])
    expect(lock.stdout).toContain('carol is now locked out')

    const before = await chat('user carol is locked out of active directory')
    const status = before.results.find(
      (result) => result.stepId === 'account_locked.check_ad_status',
    )
    expect(status?.status).toBe('succeeded')
    expect(status?.data?.locked).toBe(true)
    expect(
      before.results.find((result) => result.stepId === 'account_locked.unlock_ad_account')?.status,
    ).toBe('awaiting_approval')

    const unlock = await run(
      process.execPath,
      ['bin/helpdesk.js', 'run', 'account_locked', '--param', 'username=carol', '--yes'],
      {
        env: {
          ...process.env,
          ...labEnvironment,
          HELPDESK_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'lab-run-')),
          LOG_LEVEL: 'silent',
        },
      },
    )
    expect(unlock.stdout).toMatch(/\[succeeded\] account_locked.unlock_ad_account\n\s+Unlocked\./)

    const after = await chat('user carol is locked out of active directory')
    const again = after.results.find((result) => result.stepId === 'account_locked.check_ad_status')
    expect(again?.data?.locked).toBe(false)
  })
})
