import { Hono } from 'hono'
import { HelpdeskError } from '../../errors/index.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'

/** Read access to the runbooks: the list, and one runbook in full. */
export function instructionRoutes(instructions: ReadonlyMap<string, Instruction>): Hono {
  const app = new Hono()

  app.get('/instructions', (context) =>
    context.json({
      instructions: [...instructions.values()].map((each) => ({
        id: each.id,
        title: each.title,
        category: each.category,
        risk: each.risk,
        summary: each.summary,
        parameters: each.parameters.map((parameter) => parameter.name),
        actions: each.actions.length,
        examples: each.examples.length,
      })),
    }),
  )

  app.get('/instructions/:id', (context) => {
    const id = context.req.param('id')
    const instruction = instructions.get(id)
    if (!instruction) {
      throw new HelpdeskError({
        code: 'INSTRUCTION_NOT_FOUND',
        message: `no instruction "${id.slice(0, 80)}"; GET /api/instructions lists the ids`,
      })
    }
    return context.json(instruction)
  })

  return app
}
