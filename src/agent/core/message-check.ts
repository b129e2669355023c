import { HelpdeskError } from '../../errors/index.ts'
import { findInvisibleCharacter } from '../../rendering/invisible-characters.ts'

/**
 * A chat message as the core takes it: a non-empty string within the length limit, with no
 * invisible or format character anywhere in it.
 * @returns the message trimmed
 * @throws {HelpdeskError} INVALID_INPUT or MESSAGE_TOO_LONG saying what is wrong.
 */
export function checkMessage(message: unknown, maxCharacters: number): string {
  if (typeof message !== 'string') {
    throw new HelpdeskError({ code: 'INVALID_INPUT', message: 'message: expected a string' })
  }
  const trimmed = message.trim()
  if (trimmed.length === 0) {
    throw new HelpdeskError({ code: 'INVALID_INPUT', message: 'message: must not be empty' })
  }
  if (trimmed.length > maxCharacters) {
    throw new HelpdeskError({
      code: 'MESSAGE_TOO_LONG',
      message: `message: ${trimmed.length} characters is more than the ${maxCharacters} allowed`,
      details: { length: trimmed.length, limit: maxCharacters },
    })
  }
  // Refused whole, before any value is read from it: an invisible character inside a name
  // would otherwise end the name there ("ad\u200Bministrator" read as "ad"), and cleaning it
  // out would change what the person sent. Checked before trimming, which drops U+FEFF.
  const invisible = findInvisibleCharacter(message, { allowEmojiJoiner: true })
  if (invisible) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `message: contains ${invisible.description} (character ${invisible.index + 1}), an invisible character that can hide what a name really is; please type the message again without it`,
    })
  }
  return trimmed
}
