import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../bench/bench-support.ts'
import { RUNTIME_CACHE_DIRECTORY, temporaryDirectory } from './support/temporary-directory.ts'

// `helpdesk users` and `helpdesk serve` as a person runs them: the first start creates an admin,
// tokens are checked on every call, users added while the server runs can sign in at once, and
// conversations outlive a restart.

let directory: Awaited<ReturnType<typeof temporaryDirectory>>
const TOKEN = /^hd_[A-Za-z0-9_-]{43}$/

function environment(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HELPDESK_DATA_DIR: directory.path,
    CHROMA_RUNTIME_DIR: RUNTIME_CACHE_DIRECTORY,
    LOG_LEVEL: 'info',
  }
}

function helpdesk(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['bin/helpdesk.js', ...args], { env: environment() })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk
    })
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** `helpdesk serve` until /readyz answers; its log is collected. */
async function serve(): Promise<{ url: string; log: () => string; stop: () => Promise<void> }> {
  const port = await freePort()
  const child: ChildProcess = spawn(
    process.execPath,
    ['bin/helpdesk.js', 'serve', '--port', String(port)],
    { env: environment(), stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let log = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited (${child.exitCode}): ${log}`)
    if (Date.now() > deadline) throw new Error(`serve was not ready within 60 s: ${log}`)
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break
    } catch {
      // not listening yet
    }
    await sleep(50)
  }
  return {
    url,
    log: () => log,
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGINT')
      await exited
    },
  }
}

const call = (url: string, token: string, body?: unknown) =>
  fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

beforeAll(async () => {
  directory = await temporaryDirectory('helpdesk-users')
})
afterAll(async () => {
  await directory?.remove()
})

describe('users and sign-in, end to end', () => {
  let server: Awaited<ReturnType<typeof serve>> | undefined
  afterAll(async () => {
    await server?.stop()
  })

  it('the first start creates an admin, shows its token once and leaves it in a 0600 file', async () => {
    server = await serve()
    const tokenFile = path.join(directory.path, 'admin-token')
    const adminToken = readFileSync(tokenFile, 'utf8').trim()
    expect(adminToken).toMatch(TOKEN)
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600)
    const lines = server.log().split('\n')
    const announced = lines.filter((line) => line.includes(adminToken))
    expect(announced).toHaveLength(1)
    expect(announced[0]).toMatch(/no users yet: created admin; token hd_\S+ \(shown once/)

    const me = await call(`${server.url}/api/me`, adminToken)
    expect(await me.json()).toEqual({ username: 'admin', role: 'admin', authentication: 'token' })
    const anonymous = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ message: 'my vpn says error 809' }),
    })
    expect(anonymous.status).toBe(401)
  })

  it('users add prints a token that signs in at once on the running server; only its hash is stored', async () => {
    const added = await helpdesk(['users', 'add', 'maria.garcia', '--role', 'requester'])
    expect(added.code, added.stderr).toBe(0)
    const token = added.stdout.trim()
    expect(token).toMatch(TOKEN)
    expect(added.stderr).toMatch(/added maria\.garcia \(requester\); this token is shown only once/)
    const me = await call(`${server?.url}/api/me`, token)
    expect(await me.json()).toMatchObject({ username: 'maria.garcia', role: 'requester' })

    const database = path.join(directory.path, 'helpdesk.sqlite')
    const stored = [database, `${database}-wal`]
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file).toString('latin1'))
      .join('')
    expect(stored).toContain('maria.garcia')
    expect(stored).not.toContain(token)

    const listed = await helpdesk(['users', 'list'])
    expect(listed.stdout).toMatch(/^admin +admin +added \d{4}-/m)
    expect(listed.stdout).toMatch(/^maria\.garcia +requester +added /m)
    expect(listed.stdout).not.toMatch(/hd_/)
  })

  it.each([
    [['users', 'add', 'maria.garcia', '--role', 'admin'], /already exists/],
    [['users', 'add', 'not a name', '--role', 'requester'], /letters, digits/],
    [['users', 'add', 'bob', '--role', 'root'], /expected one of requester, technician, admin/],
  ])('users %j refuses with exit 2 (%s)', async (args, message) => {
    const result = await helpdesk(args)
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(message)
    expect(result.stdout).toBe('')
  })

  it('conversations survive a restart, and no second admin is made', async () => {
    const token = (await helpdesk(['users', 'add', 'jdoe', '--role', 'requester'])).stdout.trim()
    const first = (await (
      await call(`${server?.url}/api/chat`, token, { message: 'my printer is not working' })
    ).json()) as { sessionId: string; missing: Array<{ parameter: string }> }
    expect(first.missing.length).toBeGreaterThan(0)
    await server?.stop()

    server = await serve()
    expect(server.log()).not.toMatch(/no users yet/)
    const listed = (await (await call(`${server.url}/api/sessions`, token)).json()) as {
      sessions: Array<{ id: string; firstMessage: string }>
    }
    expect(listed.sessions).toEqual([
      expect.objectContaining({ id: first.sessionId, firstMessage: 'my printer is not working' }),
    ])
    const next = await call(`${server.url}/api/chat`, token, {
      sessionId: first.sessionId,
      message: 'PRN-3F-EAST',
    })
    expect(next.status).toBe(200)
    // Another user's token does not open it.
    const admin = readFileSync(path.join(directory.path, 'admin-token'), 'utf8').trim()
    const maria = (await helpdesk(['users', 'add', 'maria2', '--role', 'requester'])).stdout.trim()
    expect((await call(`${server.url}/api/sessions/${first.sessionId}`, maria)).status).toBe(404)
    expect((await call(`${server.url}/api/sessions/${first.sessionId}`, admin)).status).toBe(200)
  })
})
