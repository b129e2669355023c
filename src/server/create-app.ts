import { readFileSync } from 'node:fs'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { secureHeaders } from 'hono/secure-headers'
import type { HelpdeskCore } from '../agent/core/helpdesk-core.ts'
import { HelpdeskError } from '../errors/index.ts'
import type { Instruction } from '../knowledge/instructions/instruction.ts'
import type { Readiness } from '../knowledge/knowledge-base.ts'
import { errorResponse } from './error-response.ts'
import { chatRoutes } from './routes/chat-routes.ts'
import { instructionRoutes } from './routes/instruction-routes.ts'

export interface AppDependencies {
  core: HelpdeskCore
  instructions: ReadonlyMap<string, Instruction>
  readiness: () => Promise<Readiness>
  log?: (line: string) => void
}

/** A request body larger than this is refused before it is read (messages are 4,000 characters). */
const BODY_LIMIT_BYTES = 64 * 1024

const UI_FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/ui/app.js': 'app.js',
  '/ui/styles.css': 'styles.css',
}
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
}

/** The HTTP application: API, health checks and the chat page. No socket; `serve` adds one. */
export function createApp(dependencies: AppDependencies): Hono {
  const log = dependencies.log ?? ((line: string) => console.error(line))
  const app = new Hono()

  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    }),
  )
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: BODY_LIMIT_BYTES,
      onError: () => {
        throw new HelpdeskError({
          code: 'MESSAGE_TOO_LONG',
          message: `the request body is larger than ${BODY_LIMIT_BYTES} bytes`,
        })
      },
    }),
  )

  app.get('/healthz', (context) => context.json({ status: 'ok' }))
  app.get('/readyz', async (context) => {
    const readiness = await dependencies.readiness()
    return context.json(
      { status: readiness.ready ? 'ready' : 'not ready', ...readiness },
      readiness.ready ? 200 : 503,
    )
  })

  app.route('/api', chatRoutes(dependencies.core, log))
  app.route('/api', instructionRoutes(dependencies.instructions))

  for (const [route, file] of Object.entries(UI_FILES)) {
    const body = readFileSync(new URL(`../ui/${file}`, import.meta.url), 'utf8')
    const type = CONTENT_TYPES[file.split('.').pop() ?? ''] ?? 'text/plain'
    app.get(route, (context) =>
      context.body(body, 200, { 'content-type': type, 'cache-control': 'no-cache' }),
    )
  }

  app.notFound((context) =>
    context.json(
      {
        error: { code: 'NOT_FOUND', message: `no route ${context.req.method} ${context.req.path}` },
      },
      404,
    ),
  )
  app.onError((error, context) => errorResponse(context, error, log))
  return app
}
