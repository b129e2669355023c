import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../tests/support/memory-runtime.ts'
import { SqliteUserStore } from '../identity/sqlite-user-store.ts'
import { createApp } from './create-app.ts'
import { WORKSPACE_SCREENS } from './workspace-pages.ts'

// The workspace's pages and files as the server sends them: Preact + htm from node_modules with
// a long cache and an ETag, every screen's page loading only same-origin modules, and the strict
// CSP (no inline script, no eval) on all of it.

let app: ReturnType<typeof createApp>

beforeAll(async () => {
  const runtime = await buildMemoryRuntime()
  app = createApp({
    core: runtime.core,
    sessions: runtime.sessions,
    authentication: { mode: 'token', users: new SqliteUserStore({ file: ':memory:' }) },
    instructions: runtime.knowledge.instructions,
    readiness: async () => ({ ready: true, checks: { store: 'ok', ingested: 'ok' } }),
    log: () => {},
  })
})

describe('workspace pages', () => {
  it('serves Preact + htm as one ES module, cached, with an ETag', async () => {
    const response = await app.request('/ui/vendor/preact-htm.js')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/javascript')
    expect(response.headers.get('cache-control')).toBe('public, max-age=604800')
    const body = await response.text()
    // Everything the screens import, and no bare import a browser could not resolve.
    expect(body).toMatch(/export\{[^}]*\bhtml\b[^}]*\}/)
    expect(body).toMatch(/\buseState\b/)
    expect(body).not.toMatch(/\bimport\s*[{*"']/)
    expect(body).not.toMatch(/\beval\(|new Function\(/)
    const again = await app.request('/ui/vendor/preact-htm.js', {
      headers: { 'if-none-match': response.headers.get('etag') ?? '' },
    })
    expect(again.status).toBe(304)
  })

  it.each(WORKSPACE_SCREENS.map((screen) => [screen.path, screen.module]))(
    'serves %s with its module, under the strict CSP',
    async (path, module) => {
      const response = await app.request(path)
      expect(response.status).toBe(200)
      const csp = response.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("script-src 'self'")
      expect(csp).not.toContain('unsafe-eval')
      expect(csp).not.toContain('unsafe-inline')
      const page = await response.text()
      expect(page).toContain(`<script type="module" src="/ui/workspace/${module}"></script>`)
      // No inline script: every <script> has a src.
      expect(page.match(/<script(?![^>]*\bsrc=)[^>]*>/g)).toBeNull()
      const script = await app.request(`/ui/workspace/${module}`)
      expect(script.status).toBe(200)
      expect(await script.text()).toContain("from '/ui/vendor/preact-htm.js'")
    },
  )

  it('serves the shell, its parts and styles, and the shared job stream reader', async () => {
    for (const path of [
      '/ui/workspace/shell.js',
      '/ui/workspace/session.js',
      '/ui/workspace/parts.js',
      '/ui/workspace/workspace.css',
      '/ui/job-stream.js',
    ]) {
      expect((await app.request(path)).status, path).toBe(200)
    }
    expect((await app.request('/ui/workspace/nothing.js')).status).toBe(404)
  })

  it.each(
    WORKSPACE_SCREENS.flatMap((screen) =>
      (screen.styles ?? []).map((style) => [screen.path, style]),
    ),
  )('%s links its own stylesheet %s, which the app serves', async (path, style) => {
    const page = await (await app.request(path)).text()
    expect(page).toContain(`<link rel="stylesheet" href="${style}" />`)
    const sheet = await app.request(style)
    expect(sheet.status).toBe(200)
    expect(sheet.headers.get('content-type')).toContain('text/css')
  })

  it('serves every module a page module imports (a file outside src/ui/workspace/ needs UI_FILES)', async () => {
    const root = fileURLToPath(new URL('../ui/', import.meta.url))
    const modules = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter(
      (file) => file.endsWith('.js') && !file.endsWith('.test.js'),
    )
    const imported = new Set<string>()
    for (const file of modules) {
      const address = `/ui/${file.split(path.sep).join('/')}`
      const text = readFileSync(path.join(root, file), 'utf8')
      for (const match of text.matchAll(/^(?:import|export)\b[^'"]*from '([^']+)'/gm)) {
        const target = match[1] ?? ''
        imported.add(new URL(target, `http://page${address}`).pathname)
      }
    }
    expect(imported.size).toBeGreaterThan(20)
    for (const address of imported) {
      const response = await app.request(address)
      expect(response.status, address).toBe(200)
      expect(response.headers.get('content-type'), address).toContain('text/javascript')
    }
  })
})
