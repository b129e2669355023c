import { Hono } from 'hono'
import { z } from 'zod'
import type { SwitchableAgent } from '../../agent/agent-registry.ts'
import type { AuditLog } from '../../audit/audit-log.ts'
import { HelpdeskError } from '../../errors/index.ts'
import type { AuthenticatedEnvironment } from '../authentication.ts'
import { readJsonBody } from '../read-json-body.ts'

const switchSchema = z.object({ framework: z.string().min(1).max(40) }).strict()

/**
 * `GET /api/admin/agent` and `PUT /api/admin/agent {framework}`: switch adapters without a restart.
 * A switch changes how every later turn is handled, so it is audited (who, from which, to which)
 * where there is an audit trail.
 */
export function adminRoutes(
  agents: SwitchableAgent | undefined,
  available: readonly string[],
  audit?: AuditLog,
): Hono<AuthenticatedEnvironment> {
  const app = new Hono<AuthenticatedEnvironment>()
  app.use('/admin/*', async (context, next) => {
    if (context.get('caller').role !== 'admin') {
      throw new HelpdeskError({
        code: 'FORBIDDEN',
        message: 'only an admin may change the agent framework',
      })
    }
    await next()
  })
  app.get('/admin/agent', (context) =>
    context.json({ framework: agents?.agent.framework ?? 'core', available }),
  )
  app.put('/admin/agent', async (context) => {
    if (!agents)
      throw new HelpdeskError({
        code: 'NOT_CONFIGURED',
        message: 'no agent registry in this server',
      })
    const body = await readJsonBody(context, switchSchema)
    const before = agents.agent.framework
    const agent = await agents.switchTo(body.framework)
    await audit?.append({
      actor: context.get('caller').username,
      action: 'agent-framework-switch',
      target: agent.framework,
      detail: { from: before, to: agent.framework },
    })
    return context.json({ framework: agent.framework, available })
  })
  return app
}
