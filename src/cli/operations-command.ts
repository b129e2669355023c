import { loadConfig } from '../config/load-config.ts'
import { OperationCatalog } from '../operations/operation-catalog.ts'

/**
 * `helpdesk operations list|show ID`: the catalog as its files define it (OPERATIONS_DIR),
 * read-only.
 * @module
 */

export async function operationsListCommand(options: { json?: boolean }): Promise<void> {
  const catalog = await OperationCatalog.load(loadConfig().OPERATIONS_DIR)
  const rows = catalog.list().map((operation) => ({
    id: operation.id,
    risk: operation.risk,
    changes: operation.changes,
    parameters: operation.parameters.map(
      (parameter) => `${parameter.name}${parameter.required ? '' : '?'}:${parameter.kind}`,
    ),
    rollback: operation.rollback !== undefined,
  }))
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`)
    return
  }
  const lines = rows.map(
    (row) =>
      `${row.id.padEnd(20)} ${row.risk.padEnd(8)} ${row.changes ? 'changes' : 'read-only'}  ${row.parameters.join(', ') || '-'}${row.rollback ? '  (rollback)' : ''}`,
  )
  process.stdout.write(`${lines.join('\n')}\n`)
}

export async function operationsShowCommand(id: string): Promise<void> {
  const operation = (await OperationCatalog.load(loadConfig().OPERATIONS_DIR)).get(id)
  const lines = [
    `${operation.id}: ${operation.title}`,
    operation.description,
    `risk: ${operation.risk}; ${operation.changes ? 'changes the target' : 'read-only'}; time limit ${operation.timeoutSeconds} s per target`,
    'parameters:',
    ...(operation.parameters.length
      ? operation.parameters.map(
          (parameter) =>
            `  ${parameter.name} (${parameter.kind}${parameter.required ? '' : ', optional'}${parameter.default ? `, default ${parameter.default}` : ''}): ${parameter.description}`,
        )
      : ['  none']),
    `conditions: ${Object.keys(operation.conditions).join(', ') || 'none'}`,
    '--- Linux (Bash) ---',
    operation.scripts.linux.trimEnd(),
    '--- Windows (PowerShell) ---',
    operation.scripts.windows.trimEnd(),
  ]
  for (const [name, scripts] of [
    ['verify', operation.verify],
    ['rollback', operation.rollback],
    ['backup', operation.backup],
  ] as const) {
    if (scripts)
      lines.push(
        `--- ${name}: Linux ---`,
        scripts.linux.trimEnd(),
        `--- ${name}: Windows ---`,
        scripts.windows.trimEnd(),
      )
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}
