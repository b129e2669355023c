import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { inspect } from 'node:util'
import { HelpdeskError } from '../errors/index.ts'

/** Shortest key accepted: HMAC-SHA256 gains nothing from more, and less weakens it. */
export const MINIMUM_KEY_BYTES = 32

/**
 * The secret that signs the audit chain and its checkpoints (HMAC-SHA256). It never lives in the
 * project database, so whoever can write that file cannot recompute a valid chain. The secret
 * itself is not reachable from outside this class: logging or serialising a key shows its id only.
 */
export class AuditKey {
  readonly #secret: Buffer
  /** A fingerprint that names the key in records and checkpoints without revealing it. */
  readonly id: string

  constructor(secret: Buffer) {
    if (secret.length < MINIMUM_KEY_BYTES)
      throw new Error(`an audit key needs at least ${MINIMUM_KEY_BYTES} bytes`)
    this.#secret = Buffer.from(secret)
    this.id = this.sign('helpdesk audit key id').slice(0, 16)
  }

  static generate(): AuditKey {
    return new AuditKey(randomBytes(MINIMUM_KEY_BYTES))
  }

  /** HMAC-SHA256 of `text`, hex. */
  sign(text: string): string {
    return createHmac('sha256', this.#secret).update(text).digest('hex')
  }

  /** Whether `mac` is the signature of `text`, compared in constant time. */
  verifies(text: string, mac: string): boolean {
    const expected = Buffer.from(this.sign(text), 'hex')
    const given = Buffer.from(mac, 'hex')
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  toJSON(): { id: string } {
    return { id: this.id }
  }

  [inspect.custom](): string {
    return `AuditKey(${this.id})`
  }
}

/**
 * Where the key comes from, in order: HELPDESK_AUDIT_KEY (the value), HELPDESK_AUDIT_KEY_FILE,
 * else `defaultFile` (beside the database), which the server creates on its first start.
 */
export interface AuditKeyLocation {
  value?: string | undefined
  file?: string | undefined
  defaultFile: string
}

export type AuditKeyLookup = { key: AuditKey; source: string } | { missing: string }

/**
 * Hex (64+ characters) or base64 (44+ characters), surrounding whitespace ignored.
 * @throws {HelpdeskError} INVALID_CONFIGURATION naming `origin` when the text is neither, or short.
 */
export function parseAuditKey(text: string, origin: string): AuditKey {
  const trimmed = text.trim()
  let secret: Buffer | undefined
  if (/^(?:[0-9a-fA-F]{2})+$/.test(trimmed)) secret = Buffer.from(trimmed, 'hex')
  else if (/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) && trimmed.length % 4 === 0)
    secret = Buffer.from(trimmed, 'base64')
  if (secret === undefined || secret.length < MINIMUM_KEY_BYTES) {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'USER',
      message: `${origin}: expected an audit key of at least ${MINIMUM_KEY_BYTES} bytes, as hex (${MINIMUM_KEY_BYTES * 2}+ characters) or base64 (e.g. \`openssl rand -base64 32\`)${secret ? `; got ${secret.length} bytes` : ''}`,
    })
  }
  return new AuditKey(secret)
}

function readKeyFile(file: string): AuditKey | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'USER',
      message: `audit key file ${file}: ${(error as Error).message}`,
      cause: error,
    })
  }
  return parseAuditKey(text, `audit key file ${file}`)
}

/** Finds the key without creating one: what `helpdesk audit verify` does. */
export function findAuditKey(location: AuditKeyLocation): AuditKeyLookup {
  if (location.value !== undefined)
    return {
      key: parseAuditKey(location.value, 'HELPDESK_AUDIT_KEY'),
      source: 'HELPDESK_AUDIT_KEY',
    }
  const file = location.file ?? location.defaultFile
  const key = readKeyFile(file)
  if (key) return { key, source: file }
  return {
    missing: location.file
      ? `the audit key is missing: HELPDESK_AUDIT_KEY_FILE ${file} does not exist`
      : `the audit key is missing: HELPDESK_AUDIT_KEY is not set, HELPDESK_AUDIT_KEY_FILE is not set and ${file} does not exist`,
  }
}

/**
 * Writes a new random key to `file` (mode 0600, never over an existing file) and returns it.
 * Only for the default location: a configured key file that is missing is an error, not a cue.
 */
export function createAuditKeyFile(file: string): AuditKey {
  const secret = randomBytes(MINIMUM_KEY_BYTES)
  mkdirSync(dirname(file), { recursive: true })
  const descriptor = openSync(file, 'wx', 0o600)
  try {
    writeSync(descriptor, `${secret.toString('base64')}\n`)
  } finally {
    closeSync(descriptor)
  }
  return new AuditKey(secret)
}

/** The key file when none is configured: `audit.key` beside the database. */
export function defaultKeyLocation(databaseFile: string): AuditKeyLocation {
  return { defaultFile: join(dirname(databaseFile), 'audit.key') }
}

/**
 * The key a log writes with. A missing key is created only at the default location and only
 * while no record is signed yet (`signedBy` returns the key id of a signed record, if any):
 * otherwise a deleted key file would silently start a new key and orphan the signed records.
 * @throws {HelpdeskError} INVALID_CONFIGURATION naming the missing key and where it was looked for.
 */
export function openAuditKey(
  location: AuditKeyLocation,
  options: { signedBy: () => string | null | undefined; log?: (line: string) => void },
): AuditKey {
  const lookup = findAuditKey(location)
  if ('key' in lookup) return lookup.key
  const signedBy = options.signedBy()
  if (location.value !== undefined || location.file !== undefined || signedBy !== undefined) {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'USER',
      message:
        signedBy !== undefined
          ? `${lookup.missing}, but the audit log has records signed by key ${signedBy}: restore that key (a new one would leave them unverifiable)`
          : lookup.missing,
    })
  }
  try {
    const key = createAuditKeyFile(location.defaultFile)
    options.log?.(
      `audit key: created ${location.defaultFile} (mode 0600); in production keep the key on another volume or in a secret (HELPDESK_AUDIT_KEY_FILE) and back it up`,
    )
    return key
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      const again = findAuditKey(location)
      if ('key' in again) return again.key
    }
    throw error
  }
}
