// parallel-ssh (Debian's pssh) doing the job benchmark's workflow: one `parallel-ssh -I` run per
// phase, the phase's script on stdin. The machines are names of one loopback sshd; an ssh_config
// gives each name its own Host entry that sends the name (SetEnv, accepted by the private sshd),
// so the same scripts act on that machine's state, as on separate machines.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { MACHINE_NAME_VARIABLE } from './sshd.ts'
import { knownHostsLine, processFailure, timeProcess } from './tools.ts'
import { PHASE_DONE, type PhasedRun, type PhasedToolOptions, phasesOf } from './workflow-phases.ts'

/**
 * A runner of the workflow by `parallel-ssh -p concurrency -I`; the file copy is the pssh way of
 * sending a file to many machines with one command each, the file on stdin (`cat > upload`),
 * then the same SHA-256 check as the others before the change moves it into place.
 */
export async function psshWorkflow(options: PhasedToolOptions): Promise<() => Promise<PhasedRun>> {
  const { endpoint, names, directory } = options
  const base = path.join(directory, 'pssh-workflow')
  await mkdir(base, { recursive: true })
  const knownHosts = path.join(base, 'known_hosts')
  const sshConfig = path.join(base, 'ssh_config')
  const hosts = path.join(base, 'hosts')
  await writeFile(knownHosts, knownHostsLine(endpoint))
  await writeFile(
    sshConfig,
    [
      ...names.flatMap((name) => [`Host ${name}`, `  SetEnv ${MACHINE_NAME_VARIABLE}=${name}`]),
      'Host *',
      `  HostName ${endpoint.host}`,
      `  Port ${endpoint.port}`,
      `  User ${endpoint.user}`,
      `  IdentityFile ${endpoint.keyFile}`,
      `  UserKnownHostsFile ${knownHosts}`,
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '',
    ].join('\n'),
  )
  await writeFile(hosts, `${names.join('\n')}\n`)
  const name = `"$${MACHINE_NAME_VARIABLE}"`
  const local = await readFile(options.localFile)
  const phases = phasesOf(options.workflow, options.uploadPath)
  let runs = 0
  return async () => {
    const began = performance.now()
    const timings: PhasedRun['phases'] = []
    const failures: string[] = []
    for (const phase of phases) {
      runs += 1
      const outdir = path.join(base, `out-${runs}`)
      const copy = phase.kind === 'copy'
      const commandLine = copy ? `cat > ${options.uploadPath(name)}` : `bash -s -- ${name}`
      const stdin = copy ? local : `set -u\n${phase.script}echo ${PHASE_DONE}\n`
      const args = [
        '-p',
        String(options.concurrency),
        '-h',
        hosts,
        '-x',
        `-F ${sshConfig}`,
        '-t',
        '0',
        '-I',
        '-o',
        outdir,
        commandLine,
      ]
      const result = await timeProcess('parallel-ssh', args, { stdin, timeoutMs: 600_000 })
      timings.push({ title: phase.title, ms: result.ms })
      const successes = result.stdout
        .split('\n')
        .filter((line) => line.includes('[SUCCESS]')).length
      let marked = 0
      if (!copy)
        for (const file of await readdir(outdir).catch(() => [] as string[]))
          if ((await readFile(path.join(outdir, file), 'utf8')).includes(PHASE_DONE)) marked += 1
      if (result.code !== 0 || successes !== names.length || (!copy && marked !== names.length)) {
        failures.push(`${phase.title}: ${processFailure('parallel-ssh', result)}`)
        failures.push(`${phase.title}: ${successes} of ${names.length} machines done`)
        break
      }
    }
    return { ms: performance.now() - began, phases: timings, failures }
  }
}
