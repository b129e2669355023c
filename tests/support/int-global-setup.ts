import { stopAllTestServices } from './test-services.ts'

// Services are started lazily by the test files that need them; this only cleans up after the lane.
export default function setup(): () => Promise<void> {
  return async () => {
    if (process.env.HELPDESK_KEEP_TEST_SERVICES === '1') return
    await stopAllTestServices()
  }
}
