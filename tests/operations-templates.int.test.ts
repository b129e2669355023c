import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Target } from '../src/inventory/inventory-schema.ts'
import { OperationCatalog } from '../src/operations/operation-catalog.ts'
import { renderOperation } from '../src/operations/render-operation.ts'
import type { PlatformScripts } from '../src/operations/workflow.ts'
import type { RemoteCommandResult } from '../src/transports/remote-shell.ts'
import { SshRemoteShell } from '../src/transports/ssh/ssh-remote-shell.ts'
import { startTestService } from './support/test-services.ts'

/**
 * The Linux templates of the operations catalog, rendered exactly as a workflow carries them and
 * run for real over SSH on the loopback sshd (scripts/test-services/sshd.sh). Service start/stop
 * and package changes need root and a service manager, which this sshd account does not have:
 * those are covered by the syntax tests only.
 */

let facts: Record<string, string> = {}
let target: Target
let catalog: OperationCatalog
const shell = new SshRemoteShell({ connectTimeoutMs: 5000 })

beforeAll(async () => {
  facts = await startTestService('sshd')
  target = {
    name: 'ops-loopback',
    host: '127.0.0.1',
    port: Number(facts.SSH_PORT),
    os: 'linux',
    transport: 'ssh',
    username: facts.SSH_USER ?? '',
    credential: `file:${facts.SSH_CLIENT_KEY}`,
    hostKey: facts.SSH_HOST_KEY ?? '',
  }
  catalog = await OperationCatalog.load()
})

afterAll(async () => {
  await shell.close()
})

/** Runs one rendered Linux script the way the job engine does: `bash -s` with the script on stdin. */
async function run(scripts: PlatformScripts | undefined): Promise<RemoteCommandResult> {
  if (!scripts?.linux) throw new Error('no Linux script')
  return shell.run(
    target,
    { commandLine: 'bash -s', stdin: scripts.linux },
    { timeoutMs: 60_000, outputLimit: 200_000 },
  )
}

async function raw(script: string): Promise<RemoteCommandResult> {
  return shell.run(
    target,
    { commandLine: 'bash -s', stdin: script },
    { timeoutMs: 30_000, outputLimit: 10_000 },
  )
}

const render = (id: string, values: Record<string, string | number> = {}) =>
  renderOperation(catalog.get(id), values)

describe('operations catalog templates on a real sshd (Linux)', () => {
  it('process.check, the running condition, process.stop and its verification, on a process of its own', async () => {
    const name = `opsleep${randomBytes(3).toString('hex')}`
    const started = await raw(
      `cp /bin/sleep "$HOME/${name}" && (setsid nohup "$HOME/${name}" 300 >/dev/null 2>&1 </dev/null &) && sleep 0.5`,
    )
    expect(started.exitCode).toBe(0)
    try {
      const check = render('process.check', { process: name })
      const running = await run(check.scripts)
      expect(running.exitCode).toBe(0)
      expect(running.stdout).toContain(name)
      expect(running.stdout).toMatch(/PID/)
      const stop = render('process.stop', { process: name })
      expect((await run(stop.conditions['only-where-running'])).exitCode).toBe(0)
      const stopped = await run(stop.scripts)
      expect(stopped.exitCode).toBe(0)
      expect(stopped.stdout).toContain(`process ${name} stopped`)
      expect((await run(stop.verify)).exitCode).toBe(0)
      expect((await run(stop.conditions['only-where-running'])).exitCode).toBe(1)
      const after = await run(check.scripts)
      expect(after.exitCode).toBe(3)
      expect(after.stdout).toContain('not running')
    } finally {
      await raw(`pkill -x ${name}; rm -f "$HOME/${name}"`)
    }
  })

  it('service.status answers for a service this host does not have, by name, without failing to run', async () => {
    const result = await run(render('service.status', { service: 'helpdesk-no-such-unit' }).scripts)
    expect(result.exitCode).not.toBe(0)
    expect(result.exitCode).not.toBeNull()
    expect(`${result.stdout}${result.stderr}`).toContain('helpdesk-no-such-unit')
  })

  it('disk.usage for every file system and for one path; system.uptime; logs.errors', async () => {
    const all = await run(render('disk.usage').scripts)
    expect(all.exitCode).toBe(0)
    expect(all.stdout).toMatch(/Filesystem/)
    const one = await run(render('disk.usage', { path: '/tmp' }).scripts)
    expect(one.exitCode).toBe(0)
    expect(one.stdout.trim().split('\n')).toHaveLength(2)
    const uptime = await run(render('system.uptime').scripts)
    expect(uptime.exitCode).toBe(0)
    expect(uptime.stdout).toMatch(/load average/)
    expect(uptime.stdout).toMatch(/last boot: \S/)
    const logs = await run(render('logs.errors', { hours: 2, service: 'sshd' }).scripts)
    expect(logs.exitCode).toBe(0)
    expect(logs.stderr).toBe('')
  })

  it('network.port-check reaches the sshd port and not a closed one; name-check resolves localhost', async () => {
    const open = await run(
      render('network.port-check', { host: '127.0.0.1', port: Number(facts.SSH_PORT) }).scripts,
    )
    expect(open.exitCode).toBe(0)
    expect(open.stdout).toContain('is reachable')
    const closed = await run(render('network.port-check', { host: '127.0.0.1', port: 1 }).scripts)
    expect(closed.exitCode).toBe(1)
    expect(closed.stderr).toContain('NOT reachable')
    const name = await run(render('network.name-check', { host: 'localhost' }).scripts)
    expect(name.exitCode).toBe(0)
    expect(
      (await run(render('network.name-check', { host: 'no-such-host.invalid' }).scripts)).exitCode,
    ).toBe(1)
  })

  it('file.copy: backup, replace from the upload, verify, and roll back to the old file', async () => {
    const directory = `${facts.SSH_HOME}/ops-copy-${randomBytes(3).toString('hex')}`
    const destination = `${directory}/app.conf`
    await raw(
      `mkdir -p '${directory}' && printf old > '${destination}' && printf new > '${destination}.helpdesk-upload'`,
    )
    try {
      // Not asked to overwrite: the backup refuses before anything else happens.
      const kept = render('file.copy', { source: 'releases/app.conf', destination })
      const refused = await run(kept.backup)
      expect(refused.exitCode).toBe(3)
      expect(refused.stderr).toContain('already exists here; not overwritten')
      expect((await raw(`cat '${destination}'`)).stdout).toBe('old')
      const copy = render('file.copy', {
        source: 'releases/app.conf',
        destination,
        overwrite: 'yes',
      })
      expect((await run(copy.backup)).stdout).toContain('backed up')
      const replaced = await run(copy.scripts)
      expect(replaced.exitCode).toBe(0)
      // sha256 of "new"
      expect(replaced.stdout).toContain(
        '11507a0e2f5e69d5dfa40a62a1bd7b6ee57e6bcd85c67c9b8431b36fff21c437',
      )
      expect((await run(copy.verify)).exitCode).toBe(0)
      expect((await raw(`cat '${destination}'`)).stdout).toBe('new')
      expect((await run(copy.rollback)).exitCode).toBe(0)
      expect((await raw(`cat '${destination}'`)).stdout).toBe('old')
    } finally {
      await raw(`rm -rf '${directory}'`)
    }
  })

  it('package conditions detect an installed package (bash) and a missing one through the package manager', async () => {
    const installed = render('package.install', { package: 'bash' })
    expect((await run(installed.conditions['only-where-installed'])).exitCode).toBe(0)
    expect((await run(installed.conditions['only-where-missing'])).exitCode).toBe(1)
    const missing = render('package.install', { package: 'helpdesk-no-such-package' })
    expect((await run(missing.conditions['only-where-missing'])).exitCode).toBe(0)
  })
})
