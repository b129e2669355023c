import { findInvisibleCharacter } from '../../rendering/invisible-characters.ts'

/**
 * What a sAMAccountName may be, checked again right before the directory is touched: the
 * parameter kinds already validated the value, but this executor must be safe on its own
 * (defence in depth), and AD's rules are stricter than "a username" (no `@`, 20 characters).
 * @module
 */

/** Characters AD forbids in a sAMAccountName, plus every control character. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const FORBIDDEN = /["/\\[\]:;|=,+*?<>@\u0000-\u001f\u007f]/

/** @returns why `value` is not a user's sAMAccountName, or undefined when it is one. */
export function samAccountNameProblem(value: unknown): string | undefined {
  return nameProblem(value, 'username', 20)
}

/** Groups are found by sAMAccountName or cn; a cn is at most 64 characters. */
export function groupNameProblem(value: unknown): string | undefined {
  return nameProblem(value, 'group', 64)
}

function nameProblem(value: unknown, what: string, maxLength: number): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return `${what} is missing`
  // AD would store a zero-width space as part of the name: a second "administrator" that looks
  // like the first. Never part of a real name, so refused by name.
  const invisible = findInvisibleCharacter(value)
  if (invisible) return `${what} must not contain ${invisible.description} (an invisible character)`
  const forbidden = FORBIDDEN.exec(value)?.[0]
  if (forbidden !== undefined) {
    const code = forbidden.charCodeAt(0)
    const shown = code < 0x20 || code === 0x7f ? 'a control character' : `"${forbidden}"`
    const hint =
      forbidden === '@' ? ' (give the login name such as jdoe, not an email address)' : ''
    return `${what} must not contain ${shown}${hint}`
  }
  if (value.length > maxLength) return `${what} is longer than ${maxLength} characters`
  if (value.trim() !== value) return `${what} must not start or end with a space`
  if (/^[. ]+$/.test(value) || value.endsWith('.')) {
    return `${what} must not end with a dot or consist only of dots and spaces`
  }
  return undefined
}
