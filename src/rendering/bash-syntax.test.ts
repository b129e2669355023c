import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { allRunbookSteps } from '../executors/executor-contract.case.test.ts'
import { loadInstructions } from '../knowledge/instructions/instruction-loader.ts'
import { checkBashSyntax } from './bash-syntax.ts'
import { renderBash } from './script-renderer.ts'

describe('checkBashSyntax', () => {
  it('passes every Bash script of every runbook as rendered', async () => {
    const steps = allRunbookSteps(await loadInstructions('data/instructions'))
    const scripts = steps.flatMap((step) =>
      [step.invocation, step.verification?.invocation, step.rollback?.invocation].filter(
        (invocation) => invocation?.type === 'script' && invocation.language === 'bash',
      ),
    )
    expect(scripts.length).toBeGreaterThan(10)
    for (const invocation of scripts) {
      if (invocation?.type !== 'script') continue
      expect(checkBashSyntax(invocation.script), invocation.script).toEqual({ ok: true })
    }
  })

  it('reports broken scripts with their line', () => {
    const broken = checkBashSyntax('echo ok\nif true; then\n  echo "unterminated\nfi\n')
    expect(broken.ok).toBe(false)
    const unclosed = checkBashSyntax('set -u\nfor x in a b; do\n  echo "$x"\n')
    expect(unclosed).toMatchObject({
      ok: false,
      errors: [expect.objectContaining({ line: expect.any(Number) })],
    })
  })

  it('does not run the script', () => {
    const marker = `/tmp/helpdesk-bash-n-${process.pid}`
    expect(checkBashSyntax(`touch ${marker}`)).toEqual({ ok: true })
    expect(existsSync(marker)).toBe(false)
  })

  it('keeps hostile values out of the syntax: they are arguments, not text', () => {
    const rendered = renderBash('echo "$username"', [{ name: 'username', value: '"; fi; done; )' }])
    expect(checkBashSyntax(rendered.script)).toEqual({ ok: true })
  })
})
