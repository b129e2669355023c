import { randomInt } from 'node:crypto'

/**
 * A random temporary password that meets AD's complexity rule (three of the four character
 * classes, none of the account's name parts of three or more characters) with a wide margin: 20
 * characters, all four classes. Look-alike characters (0/O, 1/l/I) are left out because a
 * technician may read it out over the phone; quotes are left out because unicodePwd wraps the
 * value in them.
 * @module
 */

const CLASSES = [
  'ABCDEFGHJKLMNPQRSTUVWXYZ',
  'abcdefghijkmnopqrstuvwxyz',
  '23456789',
  '!#%+-=?@_~',
] as const

const LENGTH = 20

/** @param avoid the account's name parts (login, given name, surname), never to appear in it. */
export function temporaryPassword(avoid: readonly string[] = []): string {
  const forbidden = avoid
    .flatMap((name) => name.toLowerCase().split(/[\s,.\-_#\t]+/))
    .filter((part) => part.length >= 3)
  for (;;) {
    const password = candidate()
    const lower = password.toLowerCase()
    if (!forbidden.some((part) => lower.includes(part))) return password
  }
}

function candidate(): string {
  const all = CLASSES.join('')
  const characters = CLASSES.map((set) => pick(set))
  while (characters.length < LENGTH) characters.push(pick(all))
  // Fisher-Yates, so the guaranteed characters are not always in the first four places.
  for (let index = characters.length - 1; index > 0; index -= 1) {
    const other = randomInt(index + 1)
    ;[characters[index], characters[other]] = [characters[other] ?? '', characters[index] ?? '']
  }
  return characters.join('')
}

function pick(set: string): string {
  return set[randomInt(set.length)] ?? ''
}
