/**
 * Watches a server that is running but may have stopped answering (frozen: SIGSTOP, a deadlock,
 * swapped out): its process does not exit, so only its heartbeat tells. After `strikes` missed
 * heartbeats in a row it calls `onUnresponsive` once (the supervisor kills the server, and its
 * exit starts the restart).
 * @module
 */

export interface WatchdogSettings {
  /** Between two heartbeats. Default 10 s. */
  intervalMs: number
  /** One heartbeat's time limit. Default 5 s. */
  timeoutMs: number
  /** Missed heartbeats in a row that count as frozen. Default 3 (about 45 s by default). */
  strikes: number
}

export const DEFAULT_WATCHDOG: WatchdogSettings = {
  intervalMs: 10_000,
  timeoutMs: 5000,
  strikes: 3,
}

export class HeartbeatWatchdog {
  private timer: NodeJS.Timeout | undefined
  private missed = 0
  private checking = false

  private readonly url: string
  private readonly settings: WatchdogSettings
  private readonly onUnresponsive: (missed: number) => void

  constructor(url: string, settings: WatchdogSettings, onUnresponsive: (missed: number) => void) {
    this.url = url
    this.settings = settings
    this.onUnresponsive = onUnresponsive
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.settings.intervalMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  private async check(): Promise<void> {
    if (this.checking || this.timer === undefined) return
    this.checking = true
    try {
      const response = await fetch(`${this.url}/api/v2/heartbeat`, {
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      }).catch(() => undefined)
      if (response?.ok) {
        this.missed = 0
        return
      }
      this.missed += 1
      if (this.missed >= this.settings.strikes && this.timer !== undefined) {
        this.stop()
        this.onUnresponsive(this.missed)
      }
    } finally {
      this.checking = false
    }
  }
}
