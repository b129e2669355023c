import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * Runs `scripts/test-services/NAME.sh ACTION` (start | stop | status | teardown) and returns the
 * `KEY=VALUE` facts it prints (ports, paths, keys). Shared by the tests and `npm run lab`.
 */
export async function serviceControl(
  name: string,
  action: 'start' | 'stop' | 'status' | 'teardown',
): Promise<Record<string, string>> {
  const { stdout } = await run('bash', [`scripts/test-services/${name}.sh`, action], {
    maxBuffer: 1024 * 1024,
    timeout: 170_000,
  })
  const facts: Record<string, string> = {}
  for (const line of stdout.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line)
    if (match?.[1]) facts[match[1]] = match[2] ?? ''
  }
  return facts
}
