import type { OperationRequest, ReadRequest } from './request-reader.ts'

/**
 * Scores the reader of operation requests on labelled requests (docs/operations.md): a request
 * is right when kind, operations (ids and parameters, in order), targets and condition all equal
 * the expected ones. Also counts the operation and inventory requests that were read as an
 * employee's problem, which would send a technician's fleet work to an employee runbook.
 * @module
 */

export interface LabelledOperationRequest {
  id: string
  text: string
  expected: OperationRequest
}

export interface OperationsReport {
  count: number
  /** Fraction exactly right, 3 decimals. */
  accuracy: number
  correct: number
  /** Wrong requests per field (a request may be wrong in several). */
  fieldErrors: { kind: number; operations: number; targets: number; condition: number }
  /** Operation or inventory requests read as an employee request. */
  routedToEmployee: number
  /** Employee requests read as an operation or inventory question. */
  employeeTakenAsOperation: number
  byKind: Record<string, { count: number; correct: number }>
  errors: Array<{
    id: string
    text: string
    fields: string[]
    expected: OperationRequest
    got: OperationRequest
  }>
}

export function scoreOperationRequests(
  results: ReadonlyArray<{ request: LabelledOperationRequest; got: ReadRequest }>,
): OperationsReport {
  const fieldErrors = { kind: 0, operations: 0, targets: 0, condition: 0 }
  const byKind: OperationsReport['byKind'] = {}
  const errors: OperationsReport['errors'] = []
  let routedToEmployee = 0
  let employeeTakenAsOperation = 0
  for (const { request, got } of results) {
    const expected = request.expected
    const fields = (['kind', 'operations', 'targets', 'condition'] as const).filter(
      (field) => canonical(expected[field]) !== canonical(got[field]),
    )
    for (const field of fields) fieldErrors[field] += 1
    const tally = byKind[expected.kind] ?? { count: 0, correct: 0 }
    byKind[expected.kind] = tally
    tally.count += 1
    if (fields.length === 0) tally.correct += 1
    else
      errors.push({
        id: request.id,
        text: request.text,
        fields,
        expected,
        got: {
          kind: got.kind,
          operations: got.operations,
          targets: got.targets,
          condition: got.condition,
        },
      })
    if (expected.kind !== 'employee' && got.kind === 'employee') routedToEmployee += 1
    if (expected.kind === 'employee' && got.kind !== 'employee') employeeTakenAsOperation += 1
  }
  const correct = results.length - errors.length
  return {
    count: results.length,
    accuracy: results.length ? Math.round((correct / results.length) * 1000) / 1000 : 0,
    correct,
    fieldErrors,
    routedToEmployee,
    employeeTakenAsOperation,
    byKind,
    errors,
  }
}

/** JSON with object keys sorted, so parameter order does not matter. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner).sort(([left], [right]) => left.localeCompare(right)),
        )
      : inner,
  )
}
