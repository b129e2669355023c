import { Hono } from 'hono'
import { z } from 'zod'
import type { SwitchableAgent } from '../../agent/agent-registry.ts'
import { HelpdeskError } from '../../errors/index.ts'
import type { AuthenticatedEnvironment } from '../authentication.ts'
import { readJsonBody } from '../read-json-body.ts'

const switchSchema = z.object({ framework: z.string().min(1).max(40) }).strict()

/** `GET /api/admin/agent` and `PUT /api/admin/agent {framework}`: switch adapters without a restart. */
export function adminRoutes(
  agents: SwitchableAgent | undefined,
  available: readonly string[],
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
    const agent = await agents.switchTo(body.framework)
    return context.json({ framework: agent.framework, available })
  })
  return app
}
