// Validates every runbook in data/instructions (or the directory given) and prints the problems.
import { isHelpdeskError } from '../src/errors/index.ts'
import { loadInstructions } from '../src/knowledge/instructions/instruction-loader.ts'

const directory = process.argv[2] ?? 'data/instructions'
try {
  const instructions = await loadInstructions(directory)
  for (const each of instructions) {
    console.log(
      `ok ${each.id}: ${each.examples.length} examples, ${each.actions.length} actions, ${each.parameters.length} parameters`,
    )
  }
} catch (error) {
  console.error(isHelpdeskError(error) ? error.message : error)
  process.exit(1)
}
