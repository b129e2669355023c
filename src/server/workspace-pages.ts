/**
 * The technician workspace's pages: one HTML page per screen (the same few lines for each, the
 * screen's module does the rest), the workspace's modules and styles under `/ui/workspace/`, and
 * Preact with htm as one ES module at `/ui/vendor/preact-htm.js` (htm's standalone build, read
 * from node_modules at start: no build step, no bare imports, no eval, so the strict
 * Content-Security-Policy holds). Pages are served to anyone: the sign-in is in the browser (a
 * bearer token or the session cookie), and every API call the screen makes checks the role.
 * Adding a screen: an entry in WORKSPACE_SCREENS, its module in src/ui/workspace/, its link in
 * the shell's SCREENS (README, "Adding a workspace screen").
 * @module
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { Hono } from 'hono'
import type { AuthenticatedEnvironment } from './authentication.ts'

export interface WorkspaceScreen {
  /** The page's address. */
  path: string
  /** Its module in src/ui/workspace/ (it calls the shell's `mountScreen`). */
  module: string
  /** The page title until the module has run. */
  title: string
  /** Stylesheets of the screen's own, after the shared ones (addresses served by the app). */
  styles?: readonly string[]
}

export const WORKSPACE_SCREENS: readonly WorkspaceScreen[] = [
  { path: '/jobs', module: 'jobs.js', title: 'Jobs' },
  { path: '/approvals', module: 'approvals.js', title: 'Approvals' },
  { path: '/audit', module: 'audit.js', title: 'Audit trail' },
  { path: '/tickets', module: 'tickets.js', title: 'Tickets', styles: ['/ui/tickets.css'] },
  {
    path: '/analytics',
    module: 'analytics.js',
    title: 'Analytics',
    styles: ['/ui/vendor/uPlot.min.css', '/ui/analytics.css'],
  },
  {
    path: '/instructions',
    module: 'instructions.js',
    title: 'Runbooks',
    styles: ['/ui/instructions.css'],
  },
]

/** The vendored module changes only with the htm package: browsers keep it a week. */
const VENDOR_CACHE = 'public, max-age=604800'
const TYPES: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
}

function page(screen: WorkspaceScreen): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light" />
    <title>${screen.title} · IT Helpdesk</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/ui/styles.css" />
    <link rel="stylesheet" href="/ui/workspace/workspace.css" />
${(screen.styles ?? []).map((style) => `    <link rel="stylesheet" href="${style}" />\n`).join('')}    <script type="module" src="/ui/workspace/${screen.module}"></script>
  </head>
  <body>
    <div id="app"></div>
  </body>
</html>
`
}

/** Registers the vendored module, the workspace's files and one page per screen. */
export function workspacePages(app: Hono<AuthenticatedEnvironment>): void {
  // The package exports no path to this file by name: it is found beside the package's main.
  const main = createRequire(import.meta.url).resolve('htm')
  const vendor = readFileSync(
    path.join(path.dirname(main), '..', 'preact', 'standalone.module.js'),
    'utf8',
  )
  const etag = `"${createHash('sha256').update(vendor).digest('base64url').slice(0, 22)}"`
  app.get('/ui/vendor/preact-htm.js', (context) => {
    if (context.req.header('if-none-match') === etag) return context.body(null, 304)
    return context.body(vendor, 200, {
      'content-type': TYPES.js ?? '',
      'cache-control': VENDOR_CACHE,
      etag,
    })
  })

  const directory = new URL('../ui/workspace/', import.meta.url)
  for (const file of readdirSync(directory)) {
    const type = TYPES[file.split('.').pop() ?? '']
    if (!type || !/^[a-z0-9-]+\.(js|css)$/.test(file)) continue
    const body = readFileSync(new URL(file, directory), 'utf8')
    app.get(`/ui/workspace/${file}`, (context) =>
      context.body(body, 200, { 'content-type': type, 'cache-control': 'no-cache' }),
    )
  }

  for (const screen of WORKSPACE_SCREENS) {
    const body = page(screen)
    app.get(screen.path, (context) =>
      context.body(body, 200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
      }),
    )
  }
}
