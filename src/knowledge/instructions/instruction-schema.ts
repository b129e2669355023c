import { z } from 'zod'
import { findOperation, OPERATIONS_BY_EXECUTOR } from '../../executors/operation-catalog.ts'
import { ACCOUNT_SYSTEMS, PARAMETER_KINDS, PLATFORMS } from './parameter-kinds.ts'

/**
 * The front matter of a runbook (`data/instructions/<id>.md`), validated by one schema. The loader
 * reports every violation with file, field path and reason.
 * @module
 */

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const
export type RiskLevel = (typeof RISK_LEVELS)[number]

export const CATEGORIES = [
  'access',
  'applications',
  'hardware',
  'network',
  'system',
  'email',
] as const
export type Category = (typeof CATEGORIES)[number]

export const EXECUTOR_KINDS = [
  'active_directory',
  'aws_iam',
  'powershell',
  'bash',
  'guidance',
] as const
export type ExecutorKind = (typeof EXECUTOR_KINDS)[number]

const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'must be lower_snake_case (a-z, 0-9, _), starting with a letter')

const nonEmptyText = z.string().trim().min(1, 'must not be empty')

export const parameterSchema = z
  .object({
    name: identifier,
    kind: z.enum(PARAMETER_KINDS),
    description: nonEmptyText,
    required: z.boolean().default(true),
    /** The question asked, in plain words, when a required value is missing. */
    question: nonEmptyText,
    /** For `enum`: the allowed values, each with the words people use for it. */
    values: z.record(identifier, z.array(nonEmptyText)).optional(),
    /** For `system`: which account systems this runbook supports. */
    systems: z.array(z.enum(ACCOUNT_SYSTEMS)).min(1).optional(),
    /** For `platform`: which platforms this runbook has steps for. */
    platforms: z.array(z.enum(PLATFORMS)).min(1).optional(),
    default: z.string().optional(),
    /** Fill from the signed-in requester when the message does not name one. */
    defaultFromRequester: z.boolean().default(false),
  })
  .strict()
  .superRefine((parameter, context) => {
    if (parameter.kind === 'enum' && !parameter.values) {
      context.addIssue({
        code: 'custom',
        path: ['values'],
        message: 'an enum parameter needs values',
      })
    }
    if (parameter.kind === 'system' && !parameter.systems) {
      context.addIssue({
        code: 'custom',
        path: ['systems'],
        message: 'a system parameter lists systems',
      })
    }
    if (parameter.kind === 'platform' && !parameter.platforms) {
      context.addIssue({
        code: 'custom',
        path: ['platforms'],
        message: 'a platform parameter lists platforms',
      })
    }
  })

export type ParameterSpec = z.infer<typeof parameterSchema>

/** A condition on parameter values: every named parameter must equal one of the listed values. */
const whenSchema = z.record(identifier, z.union([nonEmptyText, z.array(nonEmptyText).min(1)]))

/** A runnable check or undo: an operation for API executors, a script for script executors. */
const probeSchema = z
  .object({
    description: nonEmptyText,
    operation: identifier.optional(),
    script: nonEmptyText.optional(),
    /** What a successful result looks like, for the person reading the plan. */
    expect: nonEmptyText.optional(),
  })
  .strict()

export const actionSchema = z
  .object({
    id: identifier,
    title: nonEmptyText,
    executor: z.enum(EXECUTOR_KINDS),
    /** For active_directory and aws_iam: the registered operation name. */
    operation: identifier.optional(),
    /** For powershell and bash: the script body. Parameters arrive as variables of the same name. */
    script: nonEmptyText.optional(),
    /** For guidance: what the person (or technician) does by hand. */
    text: nonEmptyText.optional(),
    /** Parameters this step needs; they are validated, quoted and bound before it runs. */
    uses: z.array(identifier).default([]),
    /** Fixed arguments of an operation (for example mustChangeAtNextLogon: true). */
    arguments: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    /** Which parameter names the machine the script runs on (a hostname parameter). */
    target: identifier.optional(),
    risk: z.enum(RISK_LEVELS),
    /** Read-only steps change nothing and may run without approval. */
    readOnly: z.boolean().default(false),
    when: whenSchema.optional(),
    verification: probeSchema.optional(),
    rollback: probeSchema.optional(),
  })
  .strict()
  .superRefine((action, context) => {
    const needs: Record<string, 'operation' | 'script' | 'text'> = {
      active_directory: 'operation',
      aws_iam: 'operation',
      powershell: 'script',
      bash: 'script',
      guidance: 'text',
    }
    const field = needs[action.executor]
    if (field && action[field] === undefined) {
      context.addIssue({
        code: 'custom',
        path: [field],
        message: `a ${action.executor} action needs "${field}"`,
      })
    }
    for (const other of ['operation', 'script', 'text'] as const) {
      if (other !== field && action[other] !== undefined) {
        context.addIssue({
          code: 'custom',
          path: [other],
          message: `a ${action.executor} action must not have "${other}" (it uses "${field}")`,
        })
      }
    }
    if (
      action.operation !== undefined &&
      (action.executor === 'active_directory' || action.executor === 'aws_iam')
    ) {
      const spec = findOperation(action.executor, action.operation)
      if (!spec) {
        const valid = Object.keys(OPERATIONS_BY_EXECUTOR[action.executor]).join(', ')
        context.addIssue({
          code: 'custom',
          path: ['operation'],
          message: `unknown ${action.executor} operation "${action.operation}" (valid: ${valid})`,
        })
      } else {
        for (const needed of spec.parameters) {
          if (!action.uses.includes(needed)) {
            context.addIssue({
              code: 'custom',
              path: ['uses'],
              message: `operation "${action.operation}" needs parameter "${needed}" in "uses"`,
            })
          }
        }
        if (spec.readOnly !== action.readOnly) {
          context.addIssue({
            code: 'custom',
            path: ['readOnly'],
            message: `operation "${action.operation}" is ${spec.readOnly ? '' : 'not '}read-only; set readOnly: ${spec.readOnly}`,
          })
        }
        for (const name of Object.keys(action.arguments ?? {})) {
          const allowed: Readonly<Record<string, string>> = spec.arguments ?? {}
          if (!(name in allowed)) {
            context.addIssue({
              code: 'custom',
              path: ['arguments', name],
              message: `operation "${action.operation}" takes no argument "${name}"`,
            })
          }
        }
      }
    }
    if (action.readOnly && action.risk !== 'low') {
      context.addIssue({
        code: 'custom',
        path: ['risk'],
        message: 'a read-only step must have risk "low"',
      })
    }
  })

export type ActionSpec = z.infer<typeof actionSchema>

export const frontMatterSchema = z
  .object({
    id: identifier,
    title: nonEmptyText,
    category: z.enum(CATEGORIES),
    risk: z.enum(RISK_LEVELS),
    summary: nonEmptyText,
    keywords: z.array(nonEmptyText).min(5, 'list at least 5 keywords or synonyms'),
    examples: z.array(nonEmptyText).min(12, 'give at least 12 example requests'),
    parameters: z.array(parameterSchema).default([]),
    actions: z.array(actionSchema).min(1, 'a runbook needs at least one action'),
    escalation: nonEmptyText.optional(),
  })
  .strict()
  .superRefine((front, context) => {
    const declared = new Set(front.parameters.map((parameter) => parameter.name))
    const seenParameters = new Set<string>()
    front.parameters.forEach((parameter, index) => {
      if (seenParameters.has(parameter.name)) {
        context.addIssue({
          code: 'custom',
          path: ['parameters', index, 'name'],
          message: `duplicate parameter "${parameter.name}"`,
        })
      }
      seenParameters.add(parameter.name)
    })
    const seenActions = new Set<string>()
    front.actions.forEach((action, index) => {
      if (seenActions.has(action.id)) {
        context.addIssue({
          code: 'custom',
          path: ['actions', index, 'id'],
          message: `duplicate action id "${action.id}"`,
        })
      }
      seenActions.add(action.id)
      const referenced = [
        ...action.uses.map((name, position) => ({ name, path: ['uses', position] })),
        ...Object.keys(action.when ?? {}).map((name) => ({ name, path: ['when', name] })),
        ...(action.target ? [{ name: action.target, path: ['target'] }] : []),
      ]
      for (const reference of referenced) {
        if (!declared.has(reference.name)) {
          context.addIssue({
            code: 'custom',
            path: ['actions', index, ...reference.path],
            message: `unknown parameter "${reference.name}" (declared: ${[...declared].join(', ') || 'none'})`,
          })
        }
      }
    })
    const lowered = new Set<string>()
    front.examples.forEach((example, index) => {
      const key = example.toLowerCase()
      if (lowered.has(key)) {
        context.addIssue({
          code: 'custom',
          path: ['examples', index],
          message: 'duplicate example',
        })
      }
      lowered.add(key)
    })
  })

export type InstructionFrontMatter = z.infer<typeof frontMatterSchema>
