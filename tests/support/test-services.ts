import { execFile } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * Loopback services for integration tests (Samba AD DC, sshd...), one shell script each in
 * `scripts/test-services/NAME.sh` with `start | stop | status`. `start` is idempotent and
 * serialised with flock, so test files may all ask for a service; it prints `KEY=VALUE` lines
 * (ports, paths, keys) that describe how to reach it. The int lane's global teardown stops every
 * service that was started.
 */
export async function startTestService(name: string): Promise<Record<string, string>> {
  const { stdout } = await run('bash', [`scripts/test-services/${name}.sh`, 'start'], {
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

export async function stopAllTestServices(): Promise<void> {
  const scripts = (await readdir('scripts/test-services')).filter((file) => file.endsWith('.sh'))
  for (const script of scripts) {
    await run('bash', [`scripts/test-services/${script}`, 'stop'], { timeout: 60_000 }).catch(
      (error: Error) => console.error(`stopping ${script}: ${error.message}`),
    )
  }
}
