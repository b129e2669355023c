import { execFile } from 'node:child_process'
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const STATE = '.helpdesk/test-services'

/**
 * Loopback services for integration tests (Samba AD DC, sshd...), one shell script each in
 * `scripts/test-services/NAME.sh` with `start | stop | status`. `start` is idempotent and
 * serialised with flock, so test files may all ask for a service; it prints `KEY=VALUE` lines
 * (ports, paths, keys) that describe how to reach it.
 *
 * A service this test run started is stopped by the int lane's global teardown; one that was
 * already running (the lab, another test run) is left alone.
 */
export async function startTestService(name: string): Promise<Record<string, string>> {
  const wasRunning = await run('bash', [`scripts/test-services/${name}.sh`, 'status'], {
    timeout: 30_000,
  }).then(
    () => true,
    () => false,
  )
  const { stdout } = await run('bash', [`scripts/test-services/${name}.sh`, 'start'], {
    maxBuffer: 1024 * 1024,
    timeout: 170_000,
  })
  const runId = process.env.HELPDESK_TEST_RUN_ID
  if (!wasRunning && runId) await writeFile(path.join(STATE, name, 'started-by'), runId)
  const facts: Record<string, string> = {}
  for (const line of stdout.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line)
    if (match?.[1]) facts[match[1]] = match[2] ?? ''
  }
  return facts
}

/** Stops the services that the run `runId` started. */
export async function stopTestServicesStartedBy(runId: string): Promise<void> {
  const scripts = (await readdir('scripts/test-services')).filter((file) => file.endsWith('.sh'))
  for (const script of scripts) {
    const name = script.replace(/\.sh$/, '')
    const marker = path.join(STATE, name, 'started-by')
    const owner = await readFile(marker, 'utf8').catch(() => '')
    if (owner !== runId) continue
    await run('bash', [`scripts/test-services/${script}`, 'stop'], { timeout: 60_000 }).catch(
      (error: Error) => console.error(`stopping ${script}: ${error.message}`),
    )
    await rm(marker, { force: true })
  }
}
