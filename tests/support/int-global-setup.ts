import { randomUUID } from 'node:crypto'
import { stopTestServicesStartedBy } from './test-services.ts'

// Services are started lazily by the test files that need them; this run stops only those it
// started, so a lab or another test run sharing the machine keeps its services.
export default function setup(): () => Promise<void> {
  const runId = randomUUID()
  process.env.HELPDESK_TEST_RUN_ID = runId
  return async () => {
    if (process.env.HELPDESK_KEEP_TEST_SERVICES === '1') return
    await stopTestServicesStartedBy(runId)
  }
}
