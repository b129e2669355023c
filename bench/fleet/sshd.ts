// The SSH server the fleet benchmark runs against: the shared loopback sshd of the test services
// (scripts/test-services/sshd.sh, port 2222), or a private copy of it on a free port.
//
// The shared one is stopped by any int lane's global teardown, so on a machine where other people
// run tests it can disappear in the middle of a run: `ensure()` restarts it between samples and
// says so. The private copy (BENCH_SSHD=private) uses the same config, keys and user but its own
// port and pid file, so nobody else can stop it; the benchmark stops it at the end. `auto` (the
// default) falls back to the private copy when the shared one cannot start because its port is
// taken, as happens when another checkout's test sshd holds 2222.
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { openSync } from 'node:fs'
import { access, chmod, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { startTestService } from '../../tests/support/test-services.ts'
import { freePort } from '../bench-support.ts'

const run = promisify(execFile)

/** The environment variable a client may send with the machine name it stands for. */
export const MACHINE_NAME_VARIABLE = 'HELPDESK_MACHINE'

export interface SshEndpoint {
  mode: 'shared' | 'private'
  host: string
  port: number
  user: string
  /** Private key file of the client. */
  keyFile: string
  /** `ssh-ed25519 AAAA...` the server must present. */
  hostKey: string
  /** Makes sure the server is up; returns true when it had to be (re)started. */
  ensure(): Promise<boolean>
  /** Whether the server is up right now. */
  alive(): Promise<boolean>
  stop(): Promise<void>
}

const STATE = '.helpdesk/test-services/sshd'

/**
 * `shared`: the test service on its port; `private`: a copy on a free port; `auto`: the shared
 * one, or a private copy when it cannot be started (its port is taken, e.g. by the test sshd of
 * another checkout), with a note saying so.
 */
export async function openSshEndpoint(
  mode: 'shared' | 'private' | 'auto',
  directory: string,
  notes: string[] = [],
): Promise<SshEndpoint> {
  if (mode === 'private') return startPrivateSshd(directory, await identity())
  const facts = await startTestService('sshd').catch((error: Error) => {
    if (mode === 'shared') throw error
    notes.push(
      `the shared test sshd could not be started (${error.message.split('\n').slice(1).join(' ').trim()}); a private copy was used`,
    )
    return undefined
  })
  if (!facts) return startPrivateSshd(directory, await identity())
  const user = facts.SSH_USER ?? ''
  const keyFile = facts.SSH_CLIENT_KEY ?? ''
  const hostKey = facts.SSH_HOST_KEY ?? ''
  if (!user || !keyFile || !hostKey) {
    throw new Error(`sshd.sh start did not print the facts it should: ${JSON.stringify(facts)}`)
  }
  const port = Number(facts.SSH_PORT)
  const script = 'scripts/test-services/sshd.sh'
  const alive = async () =>
    run('bash', [script, 'status'], { timeout: 10_000 }).then(
      () => true,
      () => false,
    )
  return {
    mode: 'shared',
    host: '127.0.0.1',
    port,
    user,
    keyFile,
    hostKey,
    alive,
    ensure: async () => {
      if (await alive()) return false
      await startTestService('sshd').catch((error: Error) => {
        throw new Error(
          `the shared test sshd was stopped (by another test run?) and could not be started again; BENCH_SSHD=private avoids this: ${error.message}`,
        )
      })
      return true
    },
    stop: async () => {
      // Shared with other people: left running.
    },
  }
}

/**
 * The account, keys and config sshd.sh set up, read from its state directory; when they are not
 * there yet, `sshd.sh start` makes them (and leaves the shared server running, as it does).
 */
async function identity(): Promise<{ user: string; keyFile: string; hostKey: string }> {
  const keyFile = path.resolve(STATE, 'client_ed25519')
  const ready = async () =>
    Promise.all(
      ['client_ed25519', 'host_ed25519.pub', 'sshd_config'].map((file) =>
        access(path.join(STATE, file)).then(
          () => true,
          () => false,
        ),
      ),
    ).then((all) => all.every(Boolean))
  if (!(await ready())) await startTestService('sshd')
  const hostKey = (await readFile(path.join(STATE, 'host_ed25519.pub'), 'utf8'))
    .trim()
    .split(' ')
    .slice(0, 2)
    .join(' ')
  return { user: process.env.HELPDESK_TEST_SSH_USER ?? 'helpdesk-ssh', keyFile, hostKey }
}

async function startPrivateSshd(
  directory: string,
  identity: { user: string; keyFile: string; hostKey: string },
): Promise<SshEndpoint> {
  const shared = await readFile(path.join(STATE, 'sshd_config'), 'utf8')
  const port = await freePort()
  const pidFile = path.join(directory, 'sshd.pid')
  // Its own authorized_keys: the account's file is rewritten by the sshd.sh of every checkout on
  // this machine, each with its own client key. StrictModes would refuse a file under /tmp (a
  // world-writable parent); it holds a public key only.
  const authorizedKeys = path.join(directory, 'authorized_keys')
  await writeFile(authorizedKeys, await readFile(`${identity.keyFile}.pub`, 'utf8'), {
    mode: 0o644,
  })
  await chmod(directory, 0o711)
  const config = shared
    .split('\n')
    .filter((line) => !/^(Port|PidFile|AuthorizedKeysFile|StrictModes)\s/.test(line))
    .concat([
      `Port ${port}`,
      `PidFile ${pidFile}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'StrictModes no',
      // parallel-ssh's machines are aliases of this one server: each alias sends its name.
      `AcceptEnv ${MACHINE_NAME_VARIABLE}`,
    ])
    .join('\n')
  const configFile = path.join(directory, 'sshd_config')
  await writeFile(configFile, `${config}\n`)
  await run('/usr/sbin/sshd', ['-t', '-f', configFile])
  const log = openSync(path.join(directory, 'sshd.log'), 'a')
  let child: ChildProcess | undefined
  const start = async () => {
    child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', configFile], {
      stdio: ['ignore', log, log],
    })
    const blob = identity.hostKey.split(' ')[1] ?? ''
    for (let attempt = 0; attempt < 100; attempt++) {
      if (child.exitCode !== null) throw new Error(`the private sshd exited (${child.exitCode})`)
      const scan = await run('ssh-keyscan', [
        '-T',
        '1',
        '-t',
        'ed25519',
        '-p',
        String(port),
        '127.0.0.1',
      ])
        .then((result) => result.stdout)
        .catch(() => '')
      if (blob && scan.includes(blob)) return
      await sleep(100)
    }
    throw new Error(`the private sshd did not come up on port ${port}`)
  }
  const alive = async () =>
    child !== undefined && child.exitCode === null && child.signalCode === null
  await start()
  return {
    mode: 'private',
    host: '127.0.0.1',
    port,
    ...identity,
    alive,
    ensure: async () => {
      if (await alive()) return false
      await start()
      return true
    },
    stop: async () => {
      const running = child
      if (!running || running.exitCode !== null || running.signalCode !== null) return
      const exited = new Promise((resolve) => running.once('exit', resolve))
      running.kill('SIGTERM')
      await exited
    },
  }
}
