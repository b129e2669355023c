import { Hono } from 'hono'
import { HelpdeskError } from '../../errors/index.ts'
import type { Instruction } from '../../knowledge/instructions/instruction.ts'
import { diffLines, unifiedDiff } from '../../knowledge/instructions/line-diff.ts'
import { validateRunbookText } from '../../knowledge/instructions/runbook-text.ts'
import { exportRunbooks } from '../../knowledge/library/runbook-import.ts'
import type { RunbookLibrary } from '../../knowledge/library/runbook-library.ts'
import type { RunbookVersion } from '../../knowledge/library/runbook-store.ts'
import { samplePlan } from '../../planning/sample-plan.ts'
import type { AuthenticatedEnvironment } from '../authentication.ts'
import { requireRole } from './instruction-change-routes.ts'

/**
 * Read access to the runbooks: the list and one runbook in full with its actions rendered for
 * sample values (every signed-in caller, as before the instruction manager), their version
 * history, the deleted runbooks and the export (technicians and admins).
 * Without a library (tests that assemble the helpdesk from files) only the first two exist in
 * effect: history and export answer NOT_CONFIGURED.
 */
export function instructionRoutes(
  instructions: ReadonlyMap<string, Instruction>,
  library?: RunbookLibrary,
): Hono<AuthenticatedEnvironment> {
  const app = new Hono<AuthenticatedEnvironment>()

  app.get('/instructions', (context) =>
    context.json({
      instructions: [...instructions.values()].map((each) => {
        const stored = library?.current(each.id)
        return {
          id: each.id,
          title: each.title,
          category: each.category,
          risk: each.risk,
          summary: each.summary,
          parameters: each.parameters.map((parameter) => parameter.name),
          actions: each.actions.length,
          examples: each.examples.length,
          executors: [...new Set(each.actions.map((action) => action.executor))],
          ...(stored
            ? { version: stored.version, changedAt: stored.at, changedBy: stored.author }
            : {}),
        }
      }),
    }),
  )

  // Before `/instructions/:id`: "export" is a path, not a runbook id.
  app.get('/instructions/export', (context) => {
    requireRole(context, 'technician', 'export runbooks')
    const zip = exportRunbooks(configured(library))
    const stamp = new Date().toISOString().slice(0, 10)
    return context.body(zip.slice().buffer, 200, {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="runbooks-${stamp}.zip"`,
    })
  })

  app.get('/instructions/:id', (context) => {
    const id = context.req.param('id')
    const instruction = instructions.get(id)
    if (!instruction) throw notFound(id)
    const stored = library?.current(id)
    if (context.req.header('accept')?.includes('text/markdown') && stored) {
      return context.body(stored.text, 200, { 'content-type': 'text/markdown; charset=utf-8' })
    }
    return context.json({
      ...instruction,
      // Each action as it would run for a made-up request (the runbook manager shows these).
      sample: samplePlan(instruction),
      ...(stored
        ? {
            markdown: stored.text,
            version: stored.version,
            changedAt: stored.at,
            changedBy: stored.author,
          }
        : {}),
    })
  })

  // Not under /instructions/: every lower_snake_case word there can be a runbook id.
  app.get('/deleted-instructions', async (context) => {
    requireRole(context, 'technician', 'read deleted runbooks')
    const runbooks = configured(library)
    const deleted = []
    for (const deletion of await runbooks.deletions()) {
      const versions = await runbooks.versions(deletion.id)
      const last = versions.findLast((each) => each.change !== 'deleted')
      const checked = last ? validateRunbookText(last.text, deletion.id) : undefined
      deleted.push({
        id: deletion.id,
        title: checked?.ok ? checked.instruction.title : deletion.id,
        deletedAt: deletion.at,
        deletedBy: deletion.author,
        reason: deletion.reason,
        version: deletion.version,
        // The version a restore brings back (the last one with a text).
        lastVersion: last?.version ?? null,
      })
    }
    deleted.sort((left, right) => right.deletedAt.localeCompare(left.deletedAt))
    return context.json({ deleted })
  })

  app.get('/instructions/:id/versions', async (context) => {
    requireRole(context, 'technician', 'read the version history')
    const id = context.req.param('id')
    const versions = await configured(library).versions(id)
    return context.json({
      id,
      current: library?.current(id)?.version ?? null,
      versions: describeVersions(versions).reverse(),
    })
  })

  return app
}

/** Each version with the diff from the one before it (a deletion shows no text and no diff). */
export function describeVersions(versions: readonly RunbookVersion[]) {
  let previous: RunbookVersion | undefined
  return versions.map((version) => {
    const before = previous?.change === 'deleted' ? '' : (previous?.text ?? '')
    const diff =
      version.change === 'deleted'
        ? ''
        : unifiedDiff(before, version.text, {
            before: previous ? `${version.id} version ${previous.version}` : '/dev/null',
            after: `${version.id} version ${version.version}`,
          })
    const lines = version.change === 'deleted' ? [] : diffLines(before, version.text)
    previous = version
    return {
      version: version.version,
      change: version.change,
      author: version.author,
      at: version.at,
      reason: version.reason,
      markdown: version.text,
      diff,
      added: lines.filter((line) => line.kind === 'added').length,
      removed: lines.filter((line) => line.kind === 'removed').length,
    }
  })
}

export function configured(library: RunbookLibrary | undefined): RunbookLibrary {
  if (!library) {
    throw new HelpdeskError({
      code: 'NOT_CONFIGURED',
      message: 'this server has no runbook store: runbooks are read from files only',
    })
  }
  return library
}

function notFound(id: string): HelpdeskError {
  return new HelpdeskError({
    code: 'INSTRUCTION_NOT_FOUND',
    message: `no instruction "${id.slice(0, 80)}"; GET /api/instructions lists the ids`,
  })
}
