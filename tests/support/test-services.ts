import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'

import { serviceControl } from '../../scripts/test-services/service-control.ts'

const STATE = '.helpdesk/test-services'

/**
 * Loopback services for integration tests (Samba AD DC, sshd, PostgreSQL), one shell script
 * each in `scripts/test-services/NAME.sh` with `start | stop | status`. `start` is idempotent and
 * serialised with flock, so test files may all ask for a service; it prints `KEY=VALUE` lines
 * (ports, paths, keys) that describe how to reach it.
 *
 * A service this test run started is stopped by the int lane's global teardown; one that was
 * already running (the lab, another test run) is left alone.
 */
export async function startTestService(name: string): Promise<Record<string, string>> {
  const wasRunning = await serviceControl(name, 'status').then(
    () => true,
    () => false,
  )
  const facts = await serviceControl(name, 'start')
  const runId = process.env.HELPDESK_TEST_RUN_ID
  if (!wasRunning && runId) await writeFile(path.join(STATE, name, 'started-by'), runId)
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
    await serviceControl(name, 'stop').catch((error: Error) =>
      console.error(`stopping ${script}: ${error.message}`),
    )
    await rm(marker, { force: true })
  }
}
