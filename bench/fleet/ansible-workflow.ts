// Ansible ad-hoc (Debian's ansible-core) doing the job benchmark's workflow: the same step
// scripts in the same order, one `ansible` run per phase over an inventory of the machine names
// (each an alias of the loopback sshd, host key pinned), so a technician's Ansible way of doing
// the five steps is timed beside ours and the bare ssh2 script.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Workflow } from '../../src/operations/workflow.ts'
import type { SshEndpoint } from './sshd.ts'
import { knownHostsLine, processFailure, timeProcess } from './tools.ts'
import { PHASE_DONE, type Phase, type PhasedRun, phasesOf } from './workflow-phases.ts'

const OUTER = 'HELPDESK_BENCH_SCRIPT'

/**
 * A runner of the workflow by `ansible all -m shell` (pipelining: one connection per machine and
 * phase) and `-m copy`, `-f concurrency`. SSH multiplexing is off, as in the fleet benchmark:
 * the aliases of one address would otherwise share a few connections.
 */
export async function ansibleWorkflow(options: {
  endpoint: SshEndpoint
  workflow: Workflow
  names: readonly string[]
  concurrency: number
  localFile: string
  /** Where a machine's upload goes, given its name as it is written in the phase. */
  uploadPath: (name: string) => string
  directory: string
}): Promise<() => Promise<PhasedRun>> {
  const { endpoint, names, directory } = options
  const knownHosts = path.join(directory, 'known_hosts')
  const inventory = path.join(directory, 'ansible-workflow-inventory.ini')
  const home = path.join(directory, 'ansible-workflow-home')
  await mkdir(home, { recursive: true })
  await writeFile(knownHosts, knownHostsLine(endpoint))
  await writeFile(
    inventory,
    [
      '[bench]',
      ...names.map((name) => `${name} ansible_host=${endpoint.host}`),
      '[bench:vars]',
      `ansible_port=${endpoint.port}`,
      `ansible_user=${endpoint.user}`,
      `ansible_ssh_private_key_file=${endpoint.keyFile}`,
      `ansible_ssh_common_args='-o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes'`,
      'ansible_python_interpreter=/usr/bin/python3',
      '',
    ].join('\n'),
  )
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ANSIBLE_HOME: home,
    ANSIBLE_LOCAL_TEMP: path.join(home, 'tmp'),
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_SSH_ARGS: '-o ControlMaster=no -o ControlPath=none',
    ANSIBLE_PIPELINING: 'True',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_DEPRECATION_WARNINGS: 'False',
    ANSIBLE_SSH_RETRIES: '0',
  }
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
