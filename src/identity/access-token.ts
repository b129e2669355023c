import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Bearer tokens: 32 random bytes in base64url behind a recognisable prefix, so a leaked token is
 * easy to spot in a log or a repository scan. Only the SHA-256 of a token is ever stored; the
 * token has 256 bits of entropy, so an unsalted fast hash is enough (nothing to brute-force).
 * @module
 */

export const ACCESS_TOKEN_PREFIX = 'hd_'

/** What a token looks like; anything else is refused before it is hashed or looked up. */
export const ACCESS_TOKEN_PATTERN = /^hd_[A-Za-z0-9_-]{43}$/

export function createAccessToken(): string {
  return `${ACCESS_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`
}

/** The public id of a token (`tok_` and 12 hex digits): shown in listings, never secret. */
export function createTokenId(): string {
  return `tok_${randomBytes(6).toString('hex')}`
}

export const TOKEN_ID_PATTERN = /^tok_[0-9a-f]{12}$/

/** The stored form of a token: its SHA-256, hex. */
export function hashAccessToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** Compares two hex hashes in constant time (same length by construction). */
export function sameHash(left: string, right: string): boolean {
  const leftBytes = Buffer.from(left, 'hex')
  const rightBytes = Buffer.from(right, 'hex')
  return leftBytes.length === rightBytes.length && timingSafeEqual(leftBytes, rightBytes)
}
