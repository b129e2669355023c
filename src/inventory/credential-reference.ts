import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { HelpdeskError } from '../errors/index.ts'
import { Secret } from './secret.ts'

/**
 * Credentials are written as references, never as values:
 * - `env:NAME` the value of environment variable NAME;
 * - `file:/path` the content of a file (a private key, a password file), trailing newline removed;
 * - `encrypted:BASE64` AES-256-GCM ciphertext made by `helpdesk credentials encrypt`, opened with
 *   the key in HELPDESK_SECRET_KEY (32 bytes, base64 or hex).
 * @module
 */

const ENCRYPTED_VERSION = 1
const IV_BYTES = 12
const TAG_BYTES = 16

export const CREDENTIAL_REFERENCE =
  /^(env:[A-Za-z_][A-Za-z0-9_]*|file:\/\S+|encrypted:[A-Za-z0-9+/=]+)$/

/**
 * Resolves a reference at connection time.
 * @throws {HelpdeskError} INVALID_CONFIGURATION naming the reference (never the value).
 */
export async function resolveCredential(
  reference: string,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<Secret> {
  const [scheme = '', ...rest] = reference.split(':')
  const argument = rest.join(':')
  if (scheme === 'env') {
    const value = environment[argument]
    if (value === undefined || value === '')
      throw problem(reference, `environment variable ${argument} is not set`)
    return new Secret(value, reference)
  }
  if (scheme === 'file') {
    const value = await readFile(argument, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw problem(reference, `cannot read the file (${error.code ?? error.message})`)
    })
    return new Secret(value.replace(/\r?\n$/, ''), reference)
  }
  if (scheme === 'encrypted') {
    return new Secret(decryptCredential(argument, secretKey(environment)), 'encrypted')
  }
  // Never echo an unrecognised value: it may be a password written where a reference belongs.
  throw problem('(not a reference)', 'expected env:NAME, file:/path or encrypted:BASE64')
}

/** AES-256-GCM: version byte, 12-byte IV, 16-byte tag, ciphertext; base64. */
export function encryptCredential(plaintext: string, key: Buffer): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return Buffer.concat([
    Buffer.from([ENCRYPTED_VERSION]),
    iv,
    cipher.getAuthTag(),
    ciphertext,
  ]).toString('base64')
}

export function decryptCredential(encoded: string, key: Buffer): string {
  const data = Buffer.from(encoded, 'base64')
  if (data.length < 1 + IV_BYTES + TAG_BYTES || data[0] !== ENCRYPTED_VERSION) {
    throw problem('encrypted:…', 'not a credential made by helpdesk credentials encrypt')
  }
  const iv = data.subarray(1, 1 + IV_BYTES)
  const tag = data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES)
  const decipher = createDecipheriv('aes-256-gcm', key, iv)
  decipher.setAuthTag(tag)
  try {
    return Buffer.concat([
      decipher.update(data.subarray(1 + IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8')
  } catch {
    throw problem(
      'encrypted:…',
      'cannot be opened with HELPDESK_SECRET_KEY (wrong key, or the text was changed)',
    )
  }
}

/** The 32-byte key from HELPDESK_SECRET_KEY, given as base64 or hex. */
export function secretKey(environment: NodeJS.ProcessEnv = process.env): Buffer {
  const text = environment.HELPDESK_SECRET_KEY ?? ''
  const key = /^[0-9a-fA-F]{64}$/.test(text)
    ? Buffer.from(text, 'hex')
    : Buffer.from(text, 'base64')
  if (key.length !== 32) {
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message:
        'HELPDESK_SECRET_KEY: expected 32 bytes as base64 or hex (make one with: openssl rand -base64 32)',
    })
  }
  return key
}

function problem(reference: string, reason: string): HelpdeskError {
  return new HelpdeskError({
    code: 'INVALID_CONFIGURATION',
    message: `credential ${reference}: ${reason}`,
    details: { reference },
  })
}
