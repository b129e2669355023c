/**
 * The conversation attached to a ticket: what the employee wrote and what the helpdesk answered,
 * as the employee saw it, with anything that looks like a secret masked (a person may type a
 * password into a chat; a ticket is read by people and copied to other systems).
 * @module
 */
import type { Session } from '../agent/core/session.ts'
import type { TranscriptEntry } from './ticket.ts'

/** Lines kept (the newest): enough for a technician to follow, small enough for any connector. */
export const TRANSCRIPT_ENTRIES = 40
/** Characters kept of one line. */
export const ENTRY_CHARACTERS = 2000
const SUBJECT_CHARACTERS = 120

const MASK = '[hidden]'

/**
 * Masks what looks like a secret: a value after "password", "passcode", "pin", "secret",
 * "token" or "key" (`password: x`; `my password is x` when x has a digit or a symbol), bearer
 * tokens, this helpdesk's access tokens (hd_...), AWS access keys and private key blocks. A
 * password of letters only written as "my password is sunshine" is not recognised.
 */
export function maskSecrets(text: string): string {
  return text
    .replace(
      /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
      MASK,
    )
    .replace(
      /\b(pass(?:word|wd|code|phrase)?|pwd|pin|secret|token|api[ _-]?key|key)(\s*[=:]\s*|\s+(?:is\s+|was\s+)?)(["']?)([^\s"'),;]{3,})\3/gi,
      (whole, word: string, joiner: string, _quote: string, value: string) =>
        // After "=" or ":" anything is a value; after "is" or a space only what looks like a
        // secret (a digit or a symbol in it), so "my password expired" stays as written.
        /[=:]/.test(joiner) || /[\d\W_]/.test(value) ? `${word}${joiner}${MASK}` : whole,
    )
    .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi, `Bearer ${MASK}`)
    .replace(/\bhd_[A-Za-z0-9_-]{16,}/g, MASK)
    .replace(/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, MASK)
}

function clip(text: string, characters: number): string {
  return text.length > characters ? `${text.slice(0, characters - 1)}…` : text
}

/** The session's conversation, newest `TRANSCRIPT_ENTRIES` lines, secrets masked. */
export function transcriptOf(session: Session): TranscriptEntry[] {
  return session.history.slice(-TRANSCRIPT_ENTRIES).map((entry) => ({
    role: entry.role === 'user' ? 'employee' : 'assistant',
    text: clip(maskSecrets(entry.text), ENTRY_CHARACTERS),
    at: entry.at,
  }))
}

/** What the ticket is about: the conversation's first message, on one line, secrets masked. */
export function subjectOf(session: Session): string {
  const first = session.history.find((entry) => entry.role === 'user')?.text ?? 'Asked for a person'
  return clip(maskSecrets(first).replace(/\s+/g, ' ').trim(), SUBJECT_CHARACTERS)
}
