import { describe, expect, it } from 'vitest'
import type { Target } from '../inventory/inventory-schema.ts'
import type { RemoteCommand, RemoteShell } from './remote-shell.ts'

/** What a RemoteShell implementation's test supplies: a shell, a target, and commands in its dialect. */
export interface RemoteShellContractInitializer {
  name: string
  create(): Promise<{ shell: RemoteShell; target: Target }>
  /** Writes `out` to stdout and `err` to stderr, then exits with `code`. */
  printBoth(out: string, err: string, code: number): RemoteCommand
  /** Prints `count` characters to stdout. */
  printMany(count: number): RemoteCommand
  /** Sleeps `seconds`, then creates `marker`; for proving a stopped command stopped. */
  sleepThenMark(seconds: number, marker: string): RemoteCommand
  markerExists(marker: string): Promise<boolean>
  /** The same target with a wrong pinned host key or a wrong password. */
  withWrongHostKey?(target: Target): Target
  withWrongCredential(target: Target): Target
}

const OPTIONS = { timeoutMs: 20_000, outputLimit: 64 * 1024 }

export function runRemoteShellContract(initializer: RemoteShellContractInitializer): void {
  describe(`RemoteShell contract: ${initializer.name}`, () => {
    it('keeps stdout, stderr and the exit code apart', async () => {
      const { shell, target } = await initializer.create()
      const result = await shell.run(target, initializer.printBoth('to-out', 'to-err', 3), OPTIONS)
      expect(result.stdout.trim()).toBe('to-out')
      expect(result.stderr.trim()).toBe('to-err')
      expect(result.exitCode).toBe(3)
      expect(result.timedOut).toBe(false)
      await shell.close()
    })

    it('caps output and says it did', async () => {
      const { shell, target } = await initializer.create()
      const result = await shell.run(target, initializer.printMany(200_000), {
        ...OPTIONS,
        outputLimit: 1000,
      })
      expect(result.stdout.length).toBe(1000)
      expect(result.stdoutTruncated).toBe(true)
      expect(result.exitCode).toBe(0)
      await shell.close()
    })

    it('really stops a command that outlives its timeout', async () => {
      const { shell, target } = await initializer.create()
      const marker = `helpdesk-timeout-${process.pid}-${Date.now()}`
      const result = await shell.run(target, initializer.sleepThenMark(3, marker), {
        ...OPTIONS,
        timeoutMs: 700,
      })
      expect(result.timedOut).toBe(true)
      expect(result.durationMs).toBeLessThan(3000)
      await new Promise((resolve) => setTimeout(resolve, 3500))
      expect(await initializer.markerExists(marker)).toBe(false)
      await shell.close()
    })

    it('stops a command when the caller aborts, on the target too', async () => {
      const { shell, target } = await initializer.create()
      const marker = `helpdesk-abort-${process.pid}-${Date.now()}`
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 500)
      const result = await shell.run(target, initializer.sleepThenMark(3, marker), {
        ...OPTIONS,
        signal: controller.signal,
      })
      expect(result.durationMs).toBeLessThan(2500)
      expect(result.exitCode).not.toBe(0)
      expect(result.timedOut).toBe(false)
      await new Promise((resolve) => setTimeout(resolve, 3500))
      expect(await initializer.markerExists(marker)).toBe(false)
      await shell.close()
    })

    it('refuses a wrong credential with AUTHENTICATION_FAILED and never shows it', async () => {
      const { shell, target } = await initializer.create()
      const wrong = initializer.withWrongCredential(target)
      const error = await shell.run(wrong, initializer.printBoth('x', 'y', 0), OPTIONS).then(
        () => undefined,
        (caught: unknown) =>
          caught as { code: string; details: { reason: string }; message: string },
      )
      expect(error?.code).toBe('BACKEND_UNAVAILABLE')
      expect(error?.details.reason).toBe('AUTHENTICATION_FAILED')
      await shell.close()
    })

    if (initializer.withWrongHostKey) {
      const withWrongHostKey = initializer.withWrongHostKey
      it('refuses a host whose key does not match the pinned one', async () => {
        const { shell, target } = await initializer.create()
        const error = await shell
          .run(withWrongHostKey(target), initializer.printBoth('x', 'y', 0), OPTIONS)
          .then(
            () => undefined,
            (caught: unknown) => caught as { details: { reason: string } },
          )
        expect(error?.details.reason).toBe('HOST_KEY_MISMATCH')
        await shell.close()
      })
    }
  })
}
