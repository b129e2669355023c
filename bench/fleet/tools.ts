// The tools our fleet runner is compared with: a bare ssh2 script, parallel-ssh (Debian's pssh)
// and Ansible ad-hoc (Debian's ansible-core). Every one runs the same remote command line with
// the same rendered script on the bash's stdin, one SSH connection per target, host key checked.
import { spawn } from 'node:child_process'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Client } from 'ssh2'
import type { SshEndpoint } from './sshd.ts'

export interface Sample {
  /** Wall time of the run. */
  ms: number
  /** Targets that ran the command and returned its output. */
  ok: number
  total: number
  /** Every problem, one line each: a sample with any is not used for the figures. */
  failures: string[]
  counts?: Record<string, number>
}

/** What every tool runs: `commandLine` on the target with `script` on its stdin. */
export interface RemoteCommand {
  commandLine: string
  script: string
  /** A line the script prints on this machine. */
  marker: string
}

export type Runner = () => Promise<Sample>

/** Opens `count` connections at once, runs the command on each, collects stdout, closes. */
export async function bareSsh2(
  endpoint: SshEndpoint,
  command: RemoteCommand,
  count: number,
): Promise<Runner> {
  const privateKey = await readFile(endpoint.keyFile, 'utf8')
  const pinned = Buffer.from(endpoint.hostKey.split(' ')[1] ?? '', 'base64')
  const one = () =>
    new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const client = new Client()
      client.once('ready', () => {
        client.exec(command.commandLine, (error, channel) => {
          if (error) {
            client.end()
            reject(error)
            return
          }
          const stdout: Buffer[] = []
          let code: number | null = null
          channel.on('data', (chunk: Buffer) => stdout.push(chunk))
          channel.stderr.on('data', () => undefined)
          channel.on('exit', (exitCode: number | null) => {
            code = exitCode
          })
          channel.on('close', () => {
            client.end()
            resolve({ code, stdout: Buffer.concat(stdout).toString() })
          })
          channel.end(command.script)
        })
      })
      client.once('error', reject)
      client.connect({
        host: endpoint.host,
        port: endpoint.port,
        username: endpoint.user,
        privateKey,
        hostVerifier: (key: Buffer) => key.equals(pinned),
      })
    })
  return async () => {
    const started = performance.now()
    const settled = await Promise.allSettled(Array.from({ length: count }, one))
    const ms = performance.now() - started
    const failures: string[] = []
    let ok = 0
    settled.forEach((each, index) => {
      if (each.status === 'rejected')
        failures.push(`#${index + 1}: ${(each.reason as Error).message}`)
      else if (each.value.code !== 0 || !each.value.stdout.includes(command.marker))
        failures.push(
          `#${index + 1}: exit ${each.value.code}, output ${JSON.stringify(each.value.stdout.slice(0, 120))}`,
        )
      else ok += 1
    })
    return { ms, ok, total: count, failures }
  }
}

interface ProcessRun {
  ms: number
  code: number | null
  stdout: string
  stderr: string
  missing: boolean
}

/** Spawn to exit, the tool's own start-up included (that is what its user waits for). */
export function timeProcess(
  command: string,
  args: readonly string[],
  options: { stdin?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
): Promise<ProcessRun> {
  return new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    let missing = false
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.stdin.on('error', () => undefined)
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') missing = true
      stderr.push(Buffer.from(error.message))
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({
        ms: performance.now() - started,
        code,
        stdout: Buffer.concat(stdout).toString(),
        stderr: Buffer.concat(stderr).toString(),
        missing,
      })
    })
    child.stdin.end(options.stdin ?? '')
  })
}

export function processFailure(name: string, result: ProcessRun): string {
  if (result.missing) return `${name} is not installed (not on the PATH)`
  const tail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' | ')
  return `${name} exited ${result.code}: ${tail.slice(0, 400)}`
}

/** `known_hosts` line for the endpoint, as OpenSSH writes it for a non-default port. */
export function knownHostsLine(endpoint: SshEndpoint): string {
  return `[${endpoint.host}]:${endpoint.port} ${endpoint.hostKey}\n`
}

/**
 * `parallel-ssh -p N -I`: the command line as the remote command, the script sent on stdin,
 * one `ssh` process per target (the hosts file repeats 127.0.0.1, which pssh accepts: it names
 * the output files 127.0.0.1, 127.0.0.1.1, ...). Output goes to files (-o), as pssh users do.
 */
export async function parallelSsh(
  endpoint: SshEndpoint,
  command: RemoteCommand,
  count: number,
  directory: string,
): Promise<{ runner: Runner; describe: string }> {
  const hosts = path.join(directory, 'pssh-hosts')
  const knownHosts = path.join(directory, 'known_hosts')
  await writeFile(hosts, `${Array.from({ length: count }, () => endpoint.host).join('\n')}\n`)
  await writeFile(knownHosts, knownHostsLine(endpoint))
  const extra = `-p ${endpoint.port} -i ${endpoint.keyFile} -o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes -o BatchMode=yes`
  let runs = 0
  const argsFor = (outdir: string) => [
    '-p',
    String(count),
    '-h',
    hosts,
    '-l',
    endpoint.user,
    '-x',
    extra,
    '-I',
    '-o',
    outdir,
    command.commandLine,
  ]
  const runner: Runner = async () => {
    runs += 1
    const outdir = path.join(directory, `pssh-out-${runs}`)
    const result = await timeProcess('parallel-ssh', argsFor(outdir), { stdin: command.script })
    const failures: string[] = []
    let ok = 0
    const files = await readdir(outdir).catch(() => [] as string[])
    for (const file of files) {
      if ((await readFile(path.join(outdir, file), 'utf8')).includes(command.marker)) ok += 1
    }
    const successes = result.stdout.split('\n').filter((line) => line.includes('[SUCCESS]')).length
    if (result.code !== 0 || successes !== count) {
      failures.push(processFailure('parallel-ssh', result))
      for (const line of result.stdout
        .split('\n')
        .filter((each) => each.includes('[FAILURE]'))
        .slice(0, 3))
        failures.push(line.trim())
    }
    if (ok !== count) failures.push(`${ok} of ${count} output files hold the expected output`)
    return { ms: result.ms, ok, total: count, failures }
  }
  return {
    runner,
    describe: `parallel-ssh ${argsFor('OUTDIR')
      .map((each) => (/\s/.test(each) ? `'${each}'` : each))
      .join(' ')} < script`,
  }
}

/**
 * Ansible ad-hoc on an inventory of `count` aliases of the endpoint. The script reaches bash's
 * stdin through a quoted here-document in the module's command line (raw and shell take no
 * stdin): the target's login shell feeds it to the same `bash -s --`.
 *
 * SSH multiplexing is turned off (ControlMaster=no): Ansible's default ControlPath is a hash of
 * host, port and user, so the 50 aliases of one address would share a few connections and, with
 * ControlPersist, reuse them from one round to the next, which would not be 50 logins.
 * The shell module runs with pipelining (one SSH connection per target, the module sent on
 * stdin) instead of the default temp-file transfer (several connections per target).
 */
export async function ansibleAdHoc(
  endpoint: SshEndpoint,
  command: RemoteCommand,
  names: readonly string[],
  directory: string,
  module: 'raw' | 'shell',
): Promise<{ runner: Runner; describe: string }> {
  const delimiter = 'HELPDESK_BENCH_SCRIPT'
  if (command.script.includes(delimiter)) throw new Error(`the script contains ${delimiter}`)
  // Module arguments are Jinja templates; a script with Jinja markers would be altered.
  if (/\{\{|\{%|\{#/.test(command.script)) throw new Error('the script contains Jinja markers')
  const script = command.script.endsWith('\n') ? command.script : `${command.script}\n`
  const argument = `${command.commandLine} <<'${delimiter}'\n${script}${delimiter}`
  const { inventory, env } = await ansibleSetup(endpoint, names, directory, {
    name: 'ansible',
    pipelining: module === 'shell',
  })
  const args = [
    'all',
    '-i',
    inventory,
    '-f',
    String(names.length),
    '-m',
    module,
    '-a',
    argument,
    '-o',
  ]
  const runner: Runner = async () => {
    // The directory has no ansible.cfg: Ansible's defaults plus the environment above.
    const result = await timeProcess('ansible', args, { env, cwd: directory })
    const lines = result.stdout.split('\n').filter((line) => line.trim())
    const good = new Set<string>()
    const failures: string[] = []
    for (const line of lines) {
      const match = /^(\S+) \| (CHANGED|SUCCESS) \| rc=0 \|/.exec(line)
      if (match?.[1] && line.includes(command.marker)) good.add(match[1])
      else if (failures.length < 3) failures.push(line.slice(0, 300))
    }
    if (result.code !== 0 || good.size !== names.length) {
      failures.unshift(processFailure(`ansible -m ${module}`, result))
      failures.push(`${good.size} of ${names.length} hosts returned the expected output`)
    }
    return { ms: result.ms, ok: good.size, total: names.length, failures }
  }
  const shown = args.map((each) =>
    each === argument ? `"${command.commandLine} <<'${delimiter}' ..."` : each,
  )
  return {
    runner,
    describe: `${module === 'shell' ? 'ANSIBLE_PIPELINING=True ' : ''}ANSIBLE_SSH_ARGS='-o ControlMaster=no -o ControlPath=none' ansible ${shown.join(' ')}`,
  }
}

/**
 * An inventory of `names`, each an alias of the endpoint (host key pinned), and the environment
 * the benchmarks run Ansible with: no multiplexing (the aliases of one address would share a few
 * connections), host keys checked, no retries. `name` keeps each caller's files apart.
 */
export async function ansibleSetup(
  endpoint: SshEndpoint,
  names: readonly string[],
  directory: string,
  options: { name: string; pipelining: boolean },
): Promise<{ inventory: string; env: NodeJS.ProcessEnv }> {
  const knownHosts = path.join(directory, 'known_hosts')
  const inventory = path.join(directory, `${options.name}-inventory.ini`)
  const home = path.join(directory, `${options.name}-home`)
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
    ANSIBLE_PIPELINING: options.pipelining ? 'True' : 'False',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_DEPRECATION_WARNINGS: 'False',
    ANSIBLE_SSH_RETRIES: '0',
  }
  return { inventory, env }
}
