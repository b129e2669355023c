import { z } from 'zod'
import { parameterSchema, RISK_LEVELS } from '../knowledge/instructions/instruction-schema.ts'

/**
 * One operation of the catalog (`data/operations/<id>.yaml`), validated by this one schema. The
 * loader reports every violation with file, field path and reason. Ids are the stable ones of
 * docs/operations.md. Scripts are constant template text: parameters arrive as variables of the
 * same name (`$service` in Bash and in PowerShell), bound and quoted by src/rendering/; a template
 * never pastes a value into its own text.
 * @module
 */

export const OPERATION_CONDITIONS = [
  'only-where-running',
  'only-where-stopped',
  'only-where-installed',
  'only-where-missing',
] as const

const operationId = z
  .string()
  .regex(/^[a-z]+\.[a-z]+(-[a-z]+)*$/, 'must look like service.stop or network.port-check')

const nonEmptyText = z.string().trim().min(1, 'must not be empty')

/** A Bash script for Linux and a PowerShell script for Windows; both are required. */
const platformScriptsSchema = z
  .object({
    linux: nonEmptyText,
    windows: nonEmptyText,
  })
  .strict()

export const operationSchema = z
  .object({
    id: operationId,
    /** Plain words with `{parameter}` placeholders: "Stop the service {service}". */
    title: nonEmptyText,
    description: nonEmptyText,
    risk: z.enum(RISK_LEVELS),
    /** Whether the operation changes anything on a target. */
    changes: z.boolean(),
    /** Time limit per target, seconds. */
    timeoutSeconds: z.number().int().min(5).max(3600),
    /** A typical duration per target, seconds, for the preview's estimate. */
    typicalSeconds: z.number().int().min(1).max(3600),
    parameters: z.array(parameterSchema).default([]),
    scripts: platformScriptsSchema,
    /** Exit 0 means the change took; run after the change. */
    verify: platformScriptsSchema.optional(),
    /** Undo on a target where a later step failed; absent where nothing can undo it. */
    rollback: platformScriptsSchema.optional(),
    /** Run before the change (the copy's backup). */
    backup: platformScriptsSchema.optional(),
    /** Per-target condition scripts this operation supports; exit 0 means "run here". */
    conditions: z.partialRecord(z.enum(OPERATION_CONDITIONS), platformScriptsSchema).default({}),
    /**
     * For file.copy: the engine uploads the file named by `source` (in the files directory) to
     * `<destination>.helpdesk-upload` on the target (SFTP on Linux; base64 chunks over the shell
     * on Windows) after the backup and before the script runs (see WorkflowStep.transfer).
     */
    transfer: z.object({ source: z.string(), destination: z.string() }).strict().optional(),
  })
  .strict()
  .superRefine((operation, context) => {
    const names = new Set(operation.parameters.map((parameter) => parameter.name))
    for (const placeholder of operation.title.matchAll(/\{([a-z_]+)\}/g)) {
      if (!names.has(placeholder[1] ?? ''))
        context.addIssue({
          code: 'custom',
          path: ['title'],
          message: `the title names {${placeholder[1]}}, which is not a parameter`,
        })
    }
    for (const [field, name] of Object.entries(operation.transfer ?? {})) {
      if (!names.has(name))
        context.addIssue({
          code: 'custom',
          path: ['transfer', field],
          message: `"${name}" is not a parameter`,
        })
    }
    if (!operation.changes && operation.rollback)
      context.addIssue({
        code: 'custom',
        path: ['rollback'],
        message: 'an operation that changes nothing has nothing to roll back',
      })
  })

export type OperationDefinition = z.infer<typeof operationSchema>
export type OperationCondition = (typeof OPERATION_CONDITIONS)[number]
