import type { ErrorCategory, ErrorCode } from './error-codes.ts'

/** Values allowed in `details`: they must survive JSON and be safe to show to an operator. */
export type ErrorDetailValue = string | number | boolean | null | readonly string[]
export type ErrorDetails = Readonly<Record<string, ErrorDetailValue>>

const MARKER = Symbol.for('helpdesk.error')

export interface HelpdeskErrorOptions {
  code: ErrorCode
  message: string
  category?: ErrorCategory
  details?: ErrorDetails
  cause?: unknown
}

/**
 * The one error base of the project. Every error we raise carries a code from the closed set in
 * `error-codes.ts`, a category and JSON-safe details, so the HTTP edge and the CLI can report it
 * without guessing. A `Symbol.for` marker keeps `isHelpdeskError` working across duplicated module
 * copies (as under vitest's module graph).
 */
export class HelpdeskError extends Error {
  readonly code: ErrorCode
  readonly category: ErrorCategory
  readonly details: ErrorDetails
  readonly [MARKER] = true

  constructor(options: HelpdeskErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'HelpdeskError'
    this.code = options.code
    this.category = options.category ?? 'USER'
    this.details = options.details ?? {}
  }

  toJSON(): { code: ErrorCode; category: ErrorCategory; message: string; details: ErrorDetails } {
    return {
      code: this.code,
      category: this.category,
      message: this.message,
      details: this.details,
    }
  }
}

export function isHelpdeskError(value: unknown): value is HelpdeskError {
  return typeof value === 'object' && value !== null && MARKER in value
}

/** Turns anything thrown into a HelpdeskError, keeping the original as `cause`. */
export function toHelpdeskError(value: unknown): HelpdeskError {
  if (isHelpdeskError(value)) return value
  const message = value instanceof Error ? value.message : String(value)
  return new HelpdeskError({ code: 'INTERNAL', category: 'SYSTEM', message, cause: value })
}
