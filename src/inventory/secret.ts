import { inspect } from 'node:util'

const REDACTED = '[secret]'

/**
 * A resolved credential. Its value is reachable only through `reveal()`, called at the moment a
 * connection is made; everything that prints or serialises it (template strings, JSON, console,
 * util.inspect, structured logs) gets `[secret]`.
 */
export class Secret {
  readonly #value: string
  /** Where it came from, safe to show: `env:HELPDESK_SSH_KEY`, `file:/etc/...`, `encrypted`. */
  readonly source: string

  constructor(value: string, source: string) {
    this.#value = value
    this.source = source
  }

  reveal(): string {
    return this.#value
  }

  toString(): string {
    return REDACTED
  }

  toJSON(): string {
    return REDACTED
  }

  [inspect.custom](): string {
    return `Secret(${this.source})`
  }
}
