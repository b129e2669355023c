import { type Context, Hono } from 'hono'
import { HelpdeskError } from '../../errors/index.ts'
import {
  InvalidRunbookError,
  type RunbookLibrary,
} from '../../knowledge/library/runbook-library.ts'
import type { AuthenticatedEnvironment } from '../authentication.ts'
import { author, requireRole } from './instruction-change-routes.ts'
import { configured, describeVersions } from './instruction-routes.ts'

/**
 * The out-of-scope hand-off topics (where facilities, HR or security questions are sent), managed
 * like the runbooks: `GET /api/out-of-scope` (the YAML text, its version and the parsed topics),
 * `PUT /api/out-of-scope` (the whole YAML of `data/routing/out-of-scope.yaml` as `text/yaml`;
 * validated, versioned, audited, and the router retrained at once) and
 * `GET /api/out-of-scope/versions` (technicians and admins), and
 * `POST /api/out-of-scope/versions/:version/restore` (admins).
 */
export function outOfScopeRoutes(
  library: RunbookLibrary | undefined,
): Hono<AuthenticatedEnvironment> {
  const app = new Hono<AuthenticatedEnvironment>()

  app.get('/out-of-scope', (context) => {
    requireRole(context, 'technician', 'read the out-of-scope topics')
    const stored = configured(library).outOfScope
    return context.json({
      text: stored?.text ?? '',
      version: stored?.version ?? 0,
      changedAt: stored?.at ?? null,
      changedBy: stored?.author ?? null,
    })
  })

  app.put('/out-of-scope', async (context) => {
    requireRole(context, 'technician', 'change the out-of-scope topics')
    const text = await yamlBody(context)
    try {
      const result = await configured(library).replaceOutOfScope(text, author(context))
      return context.json(changed(result))
    } catch (error) {
      if (error instanceof InvalidRunbookError) {
        return context.json(
          {
            error: { code: error.code, message: error.message, details: error.details },
            problems: error.problems,
          },
          400,
        )
      }
      throw error
    }
  })

  app.post('/out-of-scope/versions/:version/restore', async (context) => {
    requireRole(context, 'admin', 'restore the out-of-scope topics')
    const version = Number(context.req.param('version'))
    if (!Number.isSafeInteger(version) || version < 1) {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: 'version: expected a positive whole number',
      })
    }
    const result = await configured(library).restoreOutOfScope(version, author(context))
    return context.json(changed(result))
  })

  app.get('/out-of-scope/versions', async (context) => {
    requireRole(context, 'technician', 'read the out-of-scope history')
    const versions = await configured(library).outOfScopeVersions()
    return context.json({ versions: describeVersions(versions).reverse() })
  })

  return app
}

/** The answer to a change of the topics: the topics now, and the version it made. */
function changed(
  result: Awaited<ReturnType<RunbookLibrary['replaceOutOfScope']>>,
): Record<string, unknown> {
  return {
    topics: result.topics,
    version: result.version.version,
    changedAt: result.version.at,
    changedBy: result.version.author,
    indexed: result.indexed,
  }
}

const YAML_TYPES = ['text/yaml', 'application/yaml', 'application/x-yaml', 'text/plain']

async function yamlBody(context: Context): Promise<string> {
  const type = (context.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase()
  if (!type || !YAML_TYPES.includes(type)) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `send the topics as Content-Type: text/yaml (got ${type ? type.slice(0, 60) : 'none'})`,
    })
  }
  return context.req.text()
}
