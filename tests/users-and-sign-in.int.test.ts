import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../bench/bench-support.ts'
import { createAccessToken } from '../src/identity/access-token.ts'
import { RUNTIME_CACHE_DIRECTORY, temporaryDirectory } from './support/temporary-directory.ts'

// `helpdesk users` and `helpdesk serve` as a person runs them: the first start creates an admin,
// tokens are checked on every call, users added while the server runs can sign in at once, and
// conversations outlive a restart; tokens are listed, rotated and revoked; failed sign-ins are
// logged and limited per client address; no token ever reaches the log.

let directory: Awaited<ReturnType<typeof temporaryDirectory>>
const TOKEN = /^hd_[A-Za-z0-9_-]{43}$/

function environment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HELPDESK_DATA_DIR: directory.path,
    CHROMA_RUNTIME_DIR: RUNTIME_CACHE_DIRECTORY,
    LOG_LEVEL: 'info',
    ...extra,
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
async function serve(
  extra: NodeJS.ProcessEnv = {},
): Promise<{ url: string; log: () => string; stop: () => Promise<void> }> {
  const port = await freePort()
  const child: ChildProcess = spawn(
    process.execPath,
    ['bin/helpdesk.js', 'serve', '--port', String(port)],
    { env: environment(extra), stdio: ['ignore', 'ignore', 'pipe'] },
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

/** A GET from a chosen loopback address (all of 127.0.0.0/8 reaches the server on 127.0.0.1). */
function getFrom(localAddress: string, url: string, token: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const sent = httpRequest(url, { localAddress, headers: { authorization: `Bearer ${token}` } })
      sent.on('response', (response) => {
        let body = ''
        response.on('data', (chunk: Buffer) => {
          body += chunk
        })
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        )
      })
      sent.on('error', reject)
      sent.end()
    },
  )
}

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

  it('the first start creates an admin whose token is only in a 0600 file, never in the log', async () => {
    server = await serve()
    const tokenFile = path.join(directory.path, 'admin-token')
    const adminToken = readFileSync(tokenFile, 'utf8').trim()
    expect(adminToken).toMatch(TOKEN)
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600)
    expect(server.log()).toContain(
      `no users yet: created admin; its token is in ${tokenFile} (mode 0600, not shown in this log)`,
    )
    expect(server.log()).not.toContain(adminToken)
    expect(server.log()).not.toMatch(/hd_[A-Za-z0-9_-]{10}/)

    const me = await call(`${server.url}/api/me`, adminToken)
    expect(await me.json()).toEqual({ username: 'admin', role: 'admin', authentication: 'token' })
    expect(me.headers.get('cache-control')).toBe('no-store')
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
    [['users', 'add', 'Maria.Garcia', '--role', 'admin'], /already exists as "maria\.garcia"/],
    [['users', 'revoke', 'nobody'], /no user "nobody"/],
    [['users', 'rotate', 'nobody'], /no user "nobody"/],
    [['users', 'tokens', 'nobody'], /no user "nobody"/],
    [
      ['users', 'revoke', 'maria.garcia', '--token', `hd_${'A'.repeat(43)}`],
      /not the token itself/,
    ],
    [
      ['users', 'revoke', 'maria.garcia', '--token', 'tok_000000000000'],
      /has no token "tok_000000000000"/,
    ],
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

describe('tokens: listed, rotated and revoked from the command line, honoured at once', () => {
  let server: Awaited<ReturnType<typeof serve>> | undefined
  afterAll(async () => {
    await server?.stop()
  })

  it('lists ids and expiry (never a token), rotates and revokes; the server says revoked', async () => {
    server = await serve()
    const first = (await helpdesk(['users', 'add', 'rota', '--role', 'technician'])).stdout.trim()
    expect((await call(`${server.url}/api/me`, first)).status).toBe(200)

    const listed = await helpdesk(['users', 'tokens', 'ROTA'])
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toMatch(
      /^tok_[0-9a-f]{12} {2}rota {2}created \d{4}-\S+ {2}expires \d{4}-\S+ {2}active {2}last used \d{4}-/m,
    )
    expect(listed.stdout).not.toMatch(/hd_/)
    const json = JSON.parse(
      (await helpdesk(['users', 'tokens', 'rota', '--json'])).stdout,
    ) as Array<{
      id: string
      status: string
      expiresAt: string
    }>
    expect(json).toEqual([expect.objectContaining({ status: 'active' })])
    const days = (Date.parse(json[0]?.expiresAt ?? '') - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(89)
    expect(days).toBeLessThanOrEqual(90)

    const rotated = await helpdesk(['users', 'rotate', 'rota'])
    expect(rotated.code, rotated.stderr).toBe(0)
    const second = rotated.stdout.trim()
    expect(second).toMatch(TOKEN)
    expect(rotated.stderr).toMatch(new RegExp(`revoked 1 older token \\(${json[0]?.id}\\)`))
    const old = await call(`${server.url}/api/me`, first)
    expect(old.status).toBe(401)
    expect(await old.text()).toMatch(/the bearer token was revoked at/)
    expect((await call(`${server.url}/api/me`, second)).status).toBe(200)

    const tokens = JSON.parse((await helpdesk(['users', 'tokens', '--json'])).stdout) as Array<{
      id: string
      username: string
      status: string
    }>
    const secondId = tokens.find((each) => each.username === 'rota' && each.status === 'active')?.id
    const revoked = await helpdesk(['users', 'revoke', 'rota', '--token', secondId ?? ''])
    expect(revoked.stdout).toBe(`revoked 1 token of rota: ${secondId}\n`)
    expect((await call(`${server.url}/api/me`, second)).status).toBe(401)
    expect((await helpdesk(['users', 'revoke', 'rota'])).stdout).toMatch(/nothing to revoke/)
    // Nothing of a token ever reached the server's log.
    for (const token of [first, second]) expect(server.log()).not.toContain(token)
  })

  it('logs failed sign-ins by address (never the token), answers 429 with Retry-After, and lets other addresses in', async () => {
    const running = server ?? (await serve())
    server = running
    const good = (await helpdesk(['users', 'add', 'limited', '--role', 'requester'])).stdout.trim()
    const wrong = createAccessToken()
    const statuses: number[] = []
    for (let attempt = 0; attempt < 11; attempt += 1) {
      statuses.push((await getFrom('127.0.0.2', `${running.url}/api/me`, wrong)).status)
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429])
    const limited = await getFrom('127.0.0.2', `${running.url}/api/me`, good)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60)
    expect(limited.headers['cache-control']).toBe('no-store')
    expect((await getFrom('127.0.0.3', `${running.url}/api/me`, good)).status).toBe(200)

    const failures = running
      .log()
      .split('\n')
      .filter((line) => line.includes('sign-in failed from 127.0.0.2'))
    expect(failures).toHaveLength(10)
    expect(failures[0]).toMatch(
      /sign-in failed from 127\.0\.0\.2 \(GET \/api\/me\): unknown token$/,
    )
    expect(running.log()).not.toContain(wrong)
    expect(running.log()).not.toContain(wrong.slice(3, 20))
  })
})

describe('HELPDESK_ADMIN_TOKEN_FILE: the first admin from a mounted secret', () => {
  it('creates admin with the operator’s token, writes no token file and logs no token', async () => {
    const secrets = await temporaryDirectory('helpdesk-secret')
    const data = await temporaryDirectory('helpdesk-secret-data')
    const secret = path.join(secrets.path, 'admin-token')
    const given = createAccessToken()
    writeFileSync(secret, `${given}\n`, { mode: 0o400 })
    const server = await serve({ HELPDESK_DATA_DIR: data.path, HELPDESK_ADMIN_TOKEN_FILE: secret })
    try {
      const me = await call(`${server.url}/api/me`, given)
      expect(await me.json()).toEqual({ username: 'admin', role: 'admin', authentication: 'token' })
      expect(existsSync(path.join(data.path, 'admin-token'))).toBe(false)
      expect(server.log()).toMatch(/created admin with the token in HELPDESK_ADMIN_TOKEN_FILE/)
      expect(server.log()).not.toContain(given)
    } finally {
      await server.stop()
      await secrets.remove()
      await data.remove()
    }
  })

  it('refuses to start with a file that holds no token, without echoing it', async () => {
    const secrets = await temporaryDirectory('helpdesk-secret')
    const secret = path.join(secrets.path, 'admin-token')
    writeFileSync(secret, 'password123\n')
    try {
      const refused = await serve({ HELPDESK_ADMIN_TOKEN_FILE: secret }).then(
        async (started) => {
          await started.stop()
          return 'started'
        },
        (error: unknown) => String(error),
      )
      expect(refused).toMatch(/HELPDESK_ADMIN_TOKEN_FILE: \S+ does not hold a helpdesk token/)
      expect(refused).not.toContain('password123')
    } finally {
      await secrets.remove()
    }
  })
})
