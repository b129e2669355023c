// Ansible ad-hoc (Debian's ansible-core) doing the job benchmark's workflow: the same step
// scripts in the same order, one `ansible` run per phase over an inventory of the machine names
// (each an alias of the loopback sshd, host key pinned), so a technician's Ansible way of doing
// the five steps is timed beside ours and the bare ssh2 script.
import { ansibleSetup, processFailure, timeProcess } from './tools.ts'
import {
  PHASE_DONE,
  type Phase,
  type PhasedRun,
  type PhasedToolOptions,
  phasesOf,
} from './workflow-phases.ts'

const OUTER = 'HELPDESK_BENCH_SCRIPT'

/**
 * A runner of the workflow by `ansible all -m shell` (pipelining: one connection per machine and
 * phase) and `-m copy`, `-f concurrency`. SSH multiplexing is off, as in the fleet benchmark:
 * the aliases of one address would otherwise share a few connections.
 */
export async function ansibleWorkflow(
  options: PhasedToolOptions,
): Promise<() => Promise<PhasedRun>> {
  const { endpoint, names, directory } = options
  const { inventory, env } = await ansibleSetup(endpoint, names, directory, {
    name: 'ansible-workflow',
    pipelining: true,
  })
  const argumentsOf = (phase: Phase): string[] => {
    if (phase.kind === 'copy')
      return ['-m', 'copy', '-a', `src=${options.localFile} dest=${phase.destinationFor} mode=0644`]
    const script = `set -u\n${phase.script}echo ${PHASE_DONE}\n`
    if (script.includes(OUTER)) throw new Error(`a script contains ${OUTER}`)
    // Module arguments are Jinja templates: only the machine's name may be one.
    if (/\{\{|\{%|\{#/.test(script)) throw new Error('a script contains Jinja markers')
    return [
      '-m',
      'shell',
      '-a',
      `bash -s -- {{ inventory_hostname }} <<'${OUTER}'\n${script}${OUTER}`,
    ]
  }
  const phases = phasesOf(options.workflow, options.uploadPath)
  return async () => {
    const began = performance.now()
    const timings: PhasedRun['phases'] = []
    const failures: string[] = []
    for (const phase of phases) {
      const args = [
        'all',
        '-i',
        inventory,
        '-f',
        String(options.concurrency),
        ...argumentsOf(phase),
        '-o',
      ]
      const result = await timeProcess('ansible', args, { env, cwd: directory, timeoutMs: 600_000 })
      timings.push({ title: phase.title, ms: result.ms })
      const good = new Set<string>()
      for (const line of result.stdout.split('\n')) {
        const match = /^(\S+) \| (CHANGED|SUCCESS)\b/.exec(line)
        if (match?.[1] && (phase.kind === 'copy' || line.includes(PHASE_DONE))) good.add(match[1])
      }
      if (result.code !== 0 || good.size !== names.length) {
        failures.push(`${phase.title}: ${processFailure('ansible', result)}`)
        failures.push(`${phase.title}: ${good.size} of ${names.length} machines done`)
        break
      }
    }
    return { ms: performance.now() - began, phases: timings, failures }
  }
}
