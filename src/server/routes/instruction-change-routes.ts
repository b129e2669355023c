import { type Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { z } from 'zod'
import { HelpdeskError } from '../../errors/index.ts'
import { validateRunbookText } from '../../knowledge/instructions/runbook-text.ts'
import {
  IMPORT_LIMITS,
  importRunbooks,
  type UploadedFile,
} from '../../knowledge/library/runbook-import.ts'
import {
  InvalidRunbookError,
  type RunbookChange,
  type RunbookLibrary,
} from '../../knowledge/library/runbook-library.ts'
import type { AuthenticatedEnvironment } from '../authentication.ts'
import { readJsonBody } from '../read-json-body.ts'
import { configured } from './instruction-routes.ts'

/**
 * The instruction manager's changes, an API kept stable for checks outside the repository:
 * `POST /api/instructions` and `PUT /api/instructions/:id` take one runbook as `text/markdown`
 * (the format of `data/instructions/*.md`) and answer 201/200 with the parsed runbook, or 400
 * with every problem by field and line; technicians create and edit, admins delete and restore;
 * requesters get 403. The reason for a change comes in `X-Change-Reason` (percent-encoded UTF-8),
 * and `If-Match: "<version>"` refuses to overwrite a change made since (409).
 */
export function instructionChangeRoutes(
  library: RunbookLibrary | undefined,
  maxMessageCharacters: number,
): Hono<AuthenticatedEnvironment> {
  const app = new Hono<AuthenticatedEnvironment>()

  app.post('/instructions/validate', async (context) => {
    requireRole(context, 'technician', 'validate runbooks')
    const id = context.req.query('id')
    const checked = validateRunbookText(await markdownBody(context), id || undefined)
    return context.json(
      checked.ok
        ? {
            valid: true,
            id: checked.instruction.id,
            problems: [],
            instruction: checked.instruction,
          }
        : { valid: false, id: checked.id ?? null, problems: checked.problems },
    )
  })

  const routeSchema = z
    .object({
      message: z.string().trim().min(1).max(maxMessageCharacters),
      /** The edited runbook's Markdown; without it the current set routes. */
      draft: z
        .string()
        .max(64 * 1024)
        .optional(),
      /** The id the draft replaces (it may rename it). */
      id: z.string().max(80).optional(),
    })
    .strict()
  app.post('/instructions/route', async (context) => {
    requireRole(context, 'technician', 'try the router')
    const body = await readJsonBody(context, routeSchema)
    const result = await configured(library).routeDraft(
      body.message,
      body.draft === undefined
        ? undefined
        : { text: body.draft, ...(body.id ? { id: body.id } : {}) },
    )
    return context.json(result)
  })

  app.post(
    '/instructions/import',
    bodyLimit({
      maxSize: IMPORT_LIMITS.totalBytes,
      onError: () => {
        throw new HelpdeskError({
          code: 'MESSAGE_TOO_LONG',
          message: `an import is at most ${IMPORT_LIMITS.totalBytes} bytes`,
        })
      },
    }),
    async (context) => {
      requireRole(context, 'technician', 'import runbooks')
      const files = await uploadedFiles(context)
      const report = await importRunbooks(configured(library), files, author(context))
      return context.json(report, report.applied ? 200 : 400)
    },
  )

  app.post('/instructions', async (context) => {
    requireRole(context, 'technician', 'add runbooks')
    const text = await markdownBody(context)
    return changeAnswer(context, () => configured(library).create(text, author(context)), 201)
  })

  app.put('/instructions/:id', async (context) => {
    requireRole(context, 'technician', 'change runbooks')
    const text = await markdownBody(context)
    const id = context.req.param('id')
    const base = baseVersion(context)
    return changeAnswer(context, () => configured(library).update(id, text, author(context), base))
  })

  app.delete('/instructions/:id', async (context) => {
    requireRole(context, 'admin', 'delete runbooks')
    const id = context.req.param('id')
    const change = await configured(library).delete(id, author(context))
    return context.json({ id, deleted: true, version: change.version.version })
  })

  app.post('/instructions/:id/versions/:version/restore', async (context) => {
    requireRole(context, 'admin', 'restore runbook versions')
    const id = context.req.param('id')
    const version = Number(context.req.param('version'))
    if (!Number.isSafeInteger(version) || version < 1) {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: 'version: expected a positive whole number',
      })
    }
    return changeAnswer(context, () => configured(library).restore(id, version, author(context)))
  })

  return app
}

/** 403 unless the caller has at least this role. */
export function requireRole(
  context: Context<AuthenticatedEnvironment>,
  least: 'technician' | 'admin',
  what: string,
): void {
  const role = context.get('caller').role
  if (role === 'admin' || (least === 'technician' && role === 'technician')) return
  throw new HelpdeskError({
    code: 'FORBIDDEN',
    message: `only ${least === 'admin' ? 'an admin' : 'a technician or an admin'} may ${what}`,
  })
}

/** Who makes the change and why (`X-Change-Reason`, percent-encoded, at most 500 characters). */
export function author(context: Context<AuthenticatedEnvironment>): {
  username: string
  reason: string
} {
  const raw = context.req.header('x-change-reason') ?? ''
  let reason: string
  try {
    reason = decodeURIComponent(raw).trim()
  } catch {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: 'X-Change-Reason: expected percent-encoded UTF-8 text',
    })
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (reason.length > 500 || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(reason)) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: 'X-Change-Reason: at most 500 characters of text without control characters',
    })
  }
  return { username: context.get('caller').username, reason }
}

const MARKDOWN_TYPES = ['text/markdown', 'text/x-markdown', 'text/plain']

/** The body as text, when it is sent as Markdown. */
export async function markdownBody(context: Context): Promise<string> {
  const type = (context.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase()
  if (!type || !MARKDOWN_TYPES.includes(type)) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `send the runbook as Content-Type: text/markdown (got ${type ? type.slice(0, 60) : 'none'})`,
    })
  }
  return context.req.text()
}

function baseVersion(context: Context): number | undefined {
  const header = context.req.header('if-match')
  if (header === undefined) return undefined
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header)
  if (!match) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: 'If-Match: expected the version the change starts from, such as "3"',
    })
  }
  return Number(match[1])
}

/** The changed runbook (201/200), or 400 with every problem by field and line. */
async function changeAnswer(
  context: Context,
  change: () => Promise<RunbookChange>,
  status: 200 | 201 = 200,
): Promise<Response> {
  let result: RunbookChange
  try {
    result = await change()
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
  context.header('ETag', `"${result.version.version}"`)
  return context.json(
    {
      ...result.instruction,
      version: result.version.version,
      changedAt: result.version.at,
      changedBy: result.version.author,
      reason: result.version.reason,
      indexed: result.indexed,
    },
    status,
  )
}

/** Multipart files (any field name), or one raw zip body. */
async function uploadedFiles(context: Context): Promise<UploadedFile[]> {
  const type = (context.req.header('content-type') ?? '').toLowerCase()
  if (type.startsWith('application/zip') || type.startsWith('application/octet-stream')) {
    return [{ name: 'upload.zip', bytes: new Uint8Array(await context.req.arrayBuffer()) }]
  }
  if (!type.startsWith('multipart/form-data')) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message:
        'send multipart/form-data with .md files or one .zip (or a raw application/zip body)',
    })
  }
  let form: FormData
  try {
    form = await context.req.formData()
  } catch (error) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `the multipart body cannot be read: ${(error as Error).message}`,
    })
  }
  const files: UploadedFile[] = []
  for (const value of form.values()) {
    if (typeof value === 'string') continue
    files.push({ name: value.name, bytes: new Uint8Array(await value.arrayBuffer()) })
  }
  return files
}
