/**
 * Invisible formatting characters (Unicode category Cf: zero-width spaces and joiners, bidi
 * controls, the byte-order mark, the soft hyphen, tag characters). They show as nothing, so a
 * value carrying one is not the value a reader sees ("ad\u200Bministrator" reads as
 * "administrator"), and a bidi override can make text read backwards. Nothing that names an
 * account, group or machine ever needs one: values and messages that carry one are refused,
 * with the character named, and never cleaned (a cleaned value is a changed value).
 * @module
 */

/** Names of the Cf characters people meet (pasted from documents, chat apps, web pages). */
const NAMES: Readonly<Record<number, string>> = {
  173: 'SOFT HYPHEN',
  1536: 'ARABIC NUMBER SIGN',
  1564: 'ARABIC LETTER MARK',
  1757: 'ARABIC END OF AYAH',
  1807: 'SYRIAC ABBREVIATION MARK',
  6158: 'MONGOLIAN VOWEL SEPARATOR',
  8203: 'ZERO WIDTH SPACE',
  8204: 'ZERO WIDTH NON-JOINER',
  8205: 'ZERO WIDTH JOINER',
  8206: 'LEFT-TO-RIGHT MARK',
  8207: 'RIGHT-TO-LEFT MARK',
  8234: 'LEFT-TO-RIGHT EMBEDDING',
  8235: 'RIGHT-TO-LEFT EMBEDDING',
  8236: 'POP DIRECTIONAL FORMATTING',
  8237: 'LEFT-TO-RIGHT OVERRIDE',
  8238: 'RIGHT-TO-LEFT OVERRIDE',
  8288: 'WORD JOINER',
  8289: 'FUNCTION APPLICATION',
  8290: 'INVISIBLE TIMES',
  8291: 'INVISIBLE SEPARATOR',
  8292: 'INVISIBLE PLUS',
  8294: 'LEFT-TO-RIGHT ISOLATE',
  8295: 'RIGHT-TO-LEFT ISOLATE',
  8296: 'FIRST STRONG ISOLATE',
  8297: 'POP DIRECTIONAL ISOLATE',
  8298: 'INHIBIT SYMMETRIC SWAPPING',
  8299: 'ACTIVATE SYMMETRIC SWAPPING',
  8300: 'INHIBIT ARABIC FORM SHAPING',
  8301: 'ACTIVATE ARABIC FORM SHAPING',
  8302: 'NATIONAL DIGIT SHAPES',
  8303: 'NOMINAL DIGIT SHAPES',
  65279: 'ZERO WIDTH NO-BREAK SPACE (byte-order mark)',
  65529: 'INTERLINEAR ANNOTATION ANCHOR',
  65530: 'INTERLINEAR ANNOTATION SEPARATOR',
  65531: 'INTERLINEAR ANNOTATION TERMINATOR',
  917505: 'LANGUAGE TAG',
  917631: 'CANCEL TAG',
}

const FORMAT_CHARACTER = /\p{Cf}/gu
const ZERO_WIDTH_JOINER = 0x200d
/** What may sit between a pictograph and the joiner: the emoji presentation selector, skin tones. */
const EMOJI_MODIFIER = /^[\u{fe0f}\u{1f3fb}-\u{1f3ff}]$/u
const PICTOGRAPH = /^\p{Extended_Pictographic}$/u

export interface InvisibleCharacter {
  /** "U+200B ZERO WIDTH SPACE". */
  description: string
  /** Position in the text, in UTF-16 code units (what `String.prototype.slice` counts). */
  index: number
}

/** "U+200B ZERO WIDTH SPACE"; a Cf character without a common name gets a generic one. */
export function describeCodePoint(codePoint: number): string {
  const hex = codePoint.toString(16).toUpperCase().padStart(4, '0')
  const name =
    NAMES[codePoint] ??
    (codePoint >= 0xe0020 && codePoint <= 0xe007e
      ? `TAG ${String.fromCodePoint(codePoint - 0xe0000)}`
      : 'an invisible formatting character')
  return `U+${hex} ${name}`
}

/**
 * The first invisible formatting character in `text`, or undefined. With `allowEmojiJoiner`, a
 * zero width joiner between two pictographs (how emoji such as a family or a technologist are
 * built) is let through: it joins pictures, never letters, so it cannot hide inside a name.
 */
export function findInvisibleCharacter(
  text: string,
  options: { allowEmojiJoiner?: boolean } = {},
): InvisibleCharacter | undefined {
  for (const match of text.matchAll(FORMAT_CHARACTER)) {
    const codePoint = match[0].codePointAt(0) ?? 0
    if (
      options.allowEmojiJoiner &&
      codePoint === ZERO_WIDTH_JOINER &&
      joinsPictographs(text, match.index)
    ) {
      continue
    }
    return { description: describeCodePoint(codePoint), index: match.index }
  }
  return undefined
}

function joinsPictographs(text: string, index: number): boolean {
  const before = Array.from(text.slice(0, index))
  while (before.length > 0 && EMOJI_MODIFIER.test(before[before.length - 1] ?? '')) before.pop()
  const after = Array.from(text.slice(index + 1, index + 3))[0] ?? ''
  return PICTOGRAPH.test(before[before.length - 1] ?? '') && PICTOGRAPH.test(after)
}
