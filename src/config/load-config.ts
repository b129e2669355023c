import { HelpdeskError } from '../errors/index.ts'
import { configSchema, type HelpdeskConfig } from './config-schema.ts'

/**
 * Reads and validates the configuration once, at start-up. Empty variables count as unset.
 * @throws {HelpdeskError} INVALID_CONFIGURATION naming each variable and what was expected.
 */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): HelpdeskConfig {
  const keys = Object.keys(configSchema.shape)
  const raw: Record<string, string> = {}
  for (const key of keys) {
    const value = environment[key]
    if (value !== undefined && value.trim() !== '') raw[key] = value.trim()
  }
  const parsed = configSchema.safeParse(raw)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '(configuration)')
      return `${name}: ${issue.message}`
    })
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'USER',
      message: `invalid configuration:\n  ${lines.join('\n  ')}`,
      details: { problems: lines },
    })
  }
  return parsed.data
}
