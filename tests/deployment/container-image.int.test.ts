// The image of docker/Dockerfile, built and started for real: buildah builds it on a local Debian
// base (no registry is reachable), runs its command with a read-only root file system, a tmpfs on
// /tmp and the data directory on a volume, against a real Chroma on loopback (CHROMA_URL, as in
// compose and Kubernetes; the image has no embedded Chroma). The first admin comes from a secret
// file. Figures (build time, start to ready, size) are printed and kept in
// .helpdesk/image-figures.json. Skipped only when buildah/debootstrap/root are not available.
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmbeddedChromaServer } from '../../src/knowledge/chroma/embedded-chroma-server.ts'
import {
  buildImage,
  type ImageConfig,
  imageFacts,
  imageToolsMissing,
  localBaseImage,
  type RunningContainer,
  runContainer,
  runOnce,
} from '../support/container-image.ts'
import { RUNTIME_CACHE_DIRECTORY, temporaryDirectory } from '../support/temporary-directory.ts'

const TAG = 'localhost/helpdesk-agent:int-test'
const ADMIN_TOKEN = `hd_${'k'.repeat(20)}${'Q'.repeat(23)}`
const METRICS_TOKEN = 'metrics-scrape-token-for-the-image-test'
const missing = await imageToolsMissing()

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (typeof address !== 'object' || address === null) throw new Error('no port')
  return address.port
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds))

describe.skipIf(missing !== undefined)(
  `the container image (docker/Dockerfile)${missing ? ` — skipped: ${missing}` : ''}`,
  () => {
    let directory: Awaited<ReturnType<typeof temporaryDirectory>>
    let chroma: EmbeddedChromaServer
    let container: RunningContainer | undefined
    let config: ImageConfig
    let url = ''
    const figures: Record<string, number> = {}

    beforeAll(async () => {
      directory = await temporaryDirectory('helpdesk-image')
      let started = performance.now()
      const base = await localBaseImage()
      figures.baseImageSeconds = (performance.now() - started) / 1000
      started = performance.now()
      await buildImage(base, TAG)
      figures.buildSeconds = (performance.now() - started) / 1000
      const facts = await imageFacts(TAG)
      config = facts.config
      figures.imageMegabytes = facts.sizeBytes / 1e6

      chroma = new EmbeddedChromaServer({
        dataDirectory: path.join(directory.path, 'chroma'),
        runtimeCacheDirectory: RUNTIME_CACHE_DIRECTORY,
      })
      const chromaUrl = (await chroma.start()).url

      // The volume and the secrets, as an operator provides them: the data directory owned by
      // the image's user (uid 1000), the token files readable by it.
      const data = path.join(directory.path, 'data')
      mkdirSync(data)
      chownSync(data, 1000, 1000)
      const secrets = path.join(directory.path, 'secrets')
      mkdirSync(secrets)
      writeFileSync(path.join(secrets, 'admin-token'), `${ADMIN_TOKEN}\n`)
      writeFileSync(path.join(secrets, 'metrics-token'), `${METRICS_TOKEN}\n`)
      for (const file of readdirSync(secrets)) chmodSync(path.join(secrets, file), 0o644)

      const port = await freePort()
      url = `http://127.0.0.1:${port}`
      started = performance.now()
      container = await runContainer({
        tag: TAG,
        environment: {
          CHROMA_URL: chromaUrl,
          HOST: '127.0.0.1',
          PORT: String(port),
          HELPDESK_ADMIN_TOKEN_FILE: '/run/secrets/admin-token',
          HELPDESK_METRICS_TOKEN_FILE: '/run/secrets/metrics-token',
        },
        volumes: [`${data}:/var/lib/helpdesk`, `${secrets}:/run/secrets:ro`],
        command: config.Cmd ?? [],
      })
      const deadline = Date.now() + 240_000
      for (;;) {
        if (container.process.exitCode !== null)
          throw new Error(`the container exited: ${container.output().stderr}`)
        if (Date.now() > deadline)
          throw new Error(`not ready within 240 s: ${container.output().stderr}`)
        try {
          if ((await fetch(`${url}/readyz`)).status === 200) break
        } catch {
          // not listening yet
        }
        await sleep(100)
      }
      figures.startToReadySeconds = (performance.now() - started) / 1000
      mkdirSync('.helpdesk', { recursive: true })
      writeFileSync('.helpdesk/image-figures.json', `${JSON.stringify(figures, null, 2)}\n`)
      console.log(`container image figures: ${JSON.stringify(figures)}`)
    }, 900_000)

    afterAll(async () => {
      await container?.stop()
      await chroma?.stop()
      await directory?.remove()
    }, 60_000)

    it('runs as the unprivileged node user, with a health check on /readyz', () => {
      expect(config.User).toBe('node')
      expect(config.Cmd).toEqual(['node', 'bin/helpdesk.js', 'serve'])
      expect(config.Healthcheck?.Test?.join(' ')).toMatch(/\/readyz/)
      // No anonymous volume: the operator mounts one at the data directory.
      expect(Object.keys(config.Volumes ?? {})).toEqual([])
      expect(config.Env).toContain('HELPDESK_DATA_DIR=/var/lib/helpdesk')
      expect(config.Env).toEqual(expect.arrayContaining(['LOG_FORMAT=json', 'NODE_ENV=production']))
    })

    it('holds production dependencies and sources only: no dev packages, no tests', () => {
      const app = path.join(container?.root ?? '', 'app')
      expect(existsSync(path.join(app, 'node_modules/hono'))).toBe(true)
      expect(existsSync(path.join(app, 'node_modules/prom-client'))).toBe(true)
      for (const development of ['vitest', 'typescript', '@biomejs/biome', 'playwright-core'])
        expect(existsSync(path.join(app, 'node_modules', development)), development).toBe(false)
      expect(existsSync(path.join(app, 'tests'))).toBe(false)
      expect(existsSync(path.join(app, 'src/server/create-app.test.ts'))).toBe(false)
    })

    it('is ready and answers a chat turn as the admin bootstrapped from the secret file', async () => {
      const readiness = await fetch(`${url}/readyz`)
      expect(readiness.status).toBe(200)
      const response = await fetch(`${url}/api/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'I forgot my Windows password, my username is jdoe' }),
      })
      expect(response.status).toBe(200)
      const turn = (await response.json()) as { tasks: string[]; reply: string }
      expect(turn.tasks).toEqual(['password_reset'])
      expect(turn.reply).toMatch(/Reset a forgotten or expired password/)
      const requestId = response.headers.get('x-request-id')
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
      await sleep(200)
      const { stderr } = container?.output() ?? { stderr: '' }
      // JSON lines, the request's access line with its id, and never the token.
      const written = stderr.split('\n').filter((line) => line.trim() !== '')
      // Every line the server wrote is a JSON object: nothing plain slips into the stream.
      expect(written.filter((line) => !line.startsWith('{'))).toEqual([])
      const lines = written.map((line) => JSON.parse(line) as Record<string, unknown>)
      expect(new Set(lines.map((line) => line.level))).not.toContain(undefined)
      expect(lines.some((line) => String(line.msg).startsWith('helpdesk chat is ready'))).toBe(true)
      expect(lines).toContainEqual(
        expect.objectContaining({ msg: 'request', requestId, route: '/api/chat', status: 200 }),
      )
      expect(stderr).not.toContain(ADMIN_TOKEN)
      expect(stderr).toMatch(/created admin with the token in HELPDESK_ADMIN_TOKEN_FILE/)
    })

    it('writes only to its volume: no admin token file, the project store on the volume', async () => {
      const data = path.join(directory.path, 'data')
      expect(existsSync(path.join(data, 'admin-token'))).toBe(false)
      expect(existsSync(path.join(data, 'helpdesk.sqlite'))).toBe(true)
      expect(container?.output().stderr).not.toMatch(/EROFS|read-only file system/i)
    })

    it('its HEALTHCHECK command passes against the running server, and fails on a closed port', async () => {
      const [form, ...command] = config.Healthcheck?.Test ?? []
      expect(form).toBe('CMD')
      const port = new URL(url).port
      expect(await runOnce(TAG, { PORT: port }, command)).toBe(0)
      expect(await runOnce(TAG, { PORT: String(await freePort()) }, command)).not.toBe(0)
    })

    it('serves /metrics to the scrape token only', async () => {
      expect((await fetch(`${url}/metrics`)).status).toBe(401)
      const scrape = await fetch(`${url}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      })
      expect(scrape.status).toBe(200)
      const text = await scrape.text()
      expect(text).toMatch(/helpdesk_chat_turns_total\{framework="langgraph",outcome="ok"\} 1/)
      expect(text).toMatch(/helpdesk_chroma_call_duration_seconds_count\{operation="query"/)
      expect(text).toMatch(/helpdesk_database_call_duration_seconds_count\{store="sessions"/)
      // No label names the user (admin) or carries the token.
      expect(text).not.toMatch(/"admin"/)
      expect(text).not.toContain(ADMIN_TOKEN)
    })
  },
)
