import { spawnSync } from 'node:child_process'

export type SyntaxCheck =
  | { ok: true }
  | { ok: false; errors: Array<{ line: number; message: string }> }

/**
 * `bash -n`: parses the script without running anything. Run on every rendered Bash script before
 * it leaves the machine, so a broken template (or a value that somehow broke the quoting) fails
 * here with a line number instead of half-running on a target.
 */
export function checkBashSyntax(script: string): SyntaxCheck {
  // The verdict depends only on the text (values travel as arguments, not in the script), so a
  // fleet checks its one script once instead of spawning bash per machine.
  const known = verdicts.get(script)
  if (known) return known
  const verdict = parse(script)
  if (verdicts.size >= VERDICT_CACHE_SIZE) verdicts.delete(verdicts.keys().next().value ?? '')
  verdicts.set(script, verdict)
  return verdict
}

const VERDICT_CACHE_SIZE = 500
const verdicts = new Map<string, SyntaxCheck>()

function parse(script: string): SyntaxCheck {
  const result = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8', timeout: 10_000 })
  if (result.error) {
    return {
      ok: false,
      errors: [{ line: 0, message: `bash -n could not run: ${result.error.message}` }],
    }
  }
  if (result.status === 0) return { ok: true }
  const errors = result.stderr
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const match = /line (\d+): (.*)$/.exec(line)
      return { line: match ? Number(match[1]) : 0, message: match?.[2] ?? line }
    })
  return { ok: false, errors: errors.length ? errors : [{ line: 0, message: 'bash -n failed' }] }
}
