import { defineConfig } from 'vitest/config'

// Two lanes: fast unit tests, and integration tests (`*.int.test.ts`) against real services on
// loopback (Chroma, the HTTP server, a browser). `npm test` runs both. Shared contract suites
// (`*.case.test.ts`) only run when an implementation's test imports them.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // Some unit tests play whole chat turns through the app in process (about a second alone);
          // on two shared cores under a parallel run the 5 s default fails them for load, not for a fault.
          testTimeout: 20_000,
          hookTimeout: 60_000,
          include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.case.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'int',
          include: ['src/**/*.int.test.ts', 'tests/**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Integration tests share one embedded Chroma and fixed ports; run files one at a time.
          fileParallelism: false,
          // Stops the loopback services (Samba AD, sshd, PostgreSQL) the files started; see tests/support/test-services.ts.
          globalSetup: ['tests/support/int-global-setup.ts'],
        },
      },
    ],
  },
})
