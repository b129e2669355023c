import type { ParameterSpec } from '../../knowledge/instructions/instruction-schema.ts'
import type { ParameterKind } from '../../knowledge/instructions/parameter-kinds.ts'
import { findInvisibleCharacter } from '../../rendering/invisible-characters.ts'

/**
 * What each parameter kind accepts. Closed character sets: no kind admits quotes, `$`, backticks,
 * semicolons, pipes, parentheses or control characters, so even before quoting no value can carry
 * code. The error texts are shown to the employee, so they say what is expected.
 * @module
 */

interface KindRule {
  pattern: RegExp
  maxLength: number
  expected: string
  normalise?: (value: string) => string
  /** A check the pattern cannot express (a numeric range). */
  accepts?: (value: string) => boolean
}

/** A whole number without sign or leading zero, within [minimum, maximum]. */
function wholeNumberBetween(minimum: number, maximum: number): (value: string) => boolean {
  return (value) => {
    const number = Number(value)
    return Number.isInteger(number) && number >= minimum && number <= maximum
  }
}

const RULES: Readonly<Record<Exclude<ParameterKind, 'enum' | 'system' | 'platform'>, KindRule>> = {
  username: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}(@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)?$/,
    maxLength: 128,
    expected:
      'a username of letters, digits, dots, dashes or underscores (for example jdoe or maria.garcia)',
  },
  group: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}[A-Za-z0-9]$/,
    maxLength: 64,
    expected: 'a group name of letters, digits, spaces, dots, dashes or underscores',
  },
  hostname: {
    pattern: /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9-]{1,63})*$/,
    maxLength: 253,
    expected: 'a computer name such as LT-0423 or ws-fin-12.corp.example.com',
    normalise: (value) => value.toUpperCase(),
  },
  unc_path: {
    pattern: /^\\\\[A-Za-z0-9][A-Za-z0-9.-]*(\\[A-Za-z0-9 ._$-]+)+\\?$/,
    maxLength: 260,
    expected: 'a share path such as \\\\fs01\\finance (no .. and no special characters)',
  },
  email: {
    pattern: /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/,
    maxLength: 254,
    expected: 'an email address such as jane.doe@example.com',
    normalise: (value) => value.toLowerCase(),
  },
  application: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9 .+_-]{0,62}$/,
    maxLength: 64,
    expected: 'an application name of letters, digits, spaces, dots, plus signs or dashes',
  },
  printer: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$/,
    maxLength: 64,
    expected: 'a printer name such as PRN-3F-EAST',
  },
  package_name: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9.+_-]{0,99}$/,
    maxLength: 100,
    expected: 'a package id such as Microsoft.VisualStudioCode or 7zip.7zip',
  },
  error_code: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$/,
    // Stop codes such as IRQL_NOT_LESS_OR_EQUAL are long upper-case words.
    maxLength: 48,
    expected: 'an error code such as 809, 0x80070005 or 5.1.1',
  },
  url: {
    pattern: /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~%/-]*)?$/,
    maxLength: 2048,
    expected: 'an http(s) address without query strings',
  },
  service: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9@._-]{0,127}$/,
    maxLength: 128,
    expected: 'a service name such as nginx, postgresql@16-main or W3SVC',
  },
  process: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    maxLength: 128,
    expected: 'a process name such as java or w3wp.exe',
  },
  package: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9.+_:-]{0,127}$/,
    maxLength: 128,
    expected: 'a package name such as nginx, libssl3 or Git.Git',
  },
  path: {
    // Absolute only: POSIX `/etc/app.conf` or Windows `C:\inetpub\web.config`; `..` segments are
    // refused for every kind below, so a path cannot climb out of where it points.
    pattern:
      /^(\/|\/[A-Za-z0-9._+@=,~-]+(\/[A-Za-z0-9._+@=,~-]+)*\/?|[A-Za-z]:\\([A-Za-z0-9 ._+@=,~-]+(\\[A-Za-z0-9 ._+@=,~-]+)*\\?)?)$/,
    maxLength: 1024,
    expected: 'an absolute path such as /etc/nginx/nginx.conf or C:\\inetpub\\web.config',
  },
  file_name: {
    // Relative to the files directory: no leading `/`, no segment starting with a dot (so no
    // `..`, no hidden files), at most 8 levels. The same set as FILE_NAME_PATTERN.
    pattern: /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}(\/[A-Za-z0-9_][A-Za-z0-9._-]{0,127}){0,7}$/,
    maxLength: 1032,
    expected:
      'a file in the helpdesk files directory, named relative to it, such as motd.txt or nginx/site.conf',
  },
  port: {
    pattern: /^[1-9][0-9]{0,4}$/,
    maxLength: 5,
    expected: 'a port number from 1 to 65535',
    accepts: wholeNumberBetween(1, 65_535),
  },
  hours: {
    pattern: /^[1-9][0-9]{0,2}$/,
    maxLength: 3,
    expected: 'a number of hours from 1 to 720',
    accepts: wholeNumberBetween(1, 720),
  },
  version: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9.+~_:-]{0,63}$/,
    maxLength: 64,
    expected: 'a version such as 1.24.0 or 2:8.2.3995-1ubuntu2',
  },
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_OR_LINE_BREAK = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

export type ValidationResult = { ok: true; value: string } | { ok: false; reason: string }

/** Validates (and canonicalises) a value for a parameter; never throws. */
export function validateParameter(spec: ParameterSpec, raw: string): ValidationResult {
  // A trailing newline or surrounding spaces are how people paste; a line break or control
  // character anywhere else is never part of a name.
  const value = raw
    .normalize('NFC')
    .replace(/[\r\n]+$/, '')
    .replace(/^[ \t]+|[ \t]+$/g, '')
  if (value.length === 0) return { ok: false, reason: `${spec.name} is empty` }
  // Named rather than cleaned: "ad\u200Bministrator" is not "administrator", whatever it shows.
  const invisible = findInvisibleCharacter(value)
  if (invisible) {
    return {
      ok: false,
      reason: `${spec.name} "${printable(value)}" contains ${invisible.description}, an invisible character; please type the value again without it`,
    }
  }
  if (CONTROL_OR_LINE_BREAK.test(value)) {
    return {
      ok: false,
      reason: `${spec.name} "${printable(value)}" contains a line break or control character`,
    }
  }
  if (/\s-/.test(value)) {
    return {
      ok: false,
      reason: `${spec.name} "${printable(value)}" must not contain " -" (it reads like a command-line switch)`,
    }
  }
  if (spec.kind === 'enum' || spec.kind === 'system' || spec.kind === 'platform') {
    const allowed = allowedValues(spec)
    const lowered = value.toLowerCase()
    return allowed.includes(lowered)
      ? { ok: true, value: lowered }
      : { ok: false, reason: `${spec.name} must be one of ${allowed.join(', ')}` }
  }
  const rule = RULES[spec.kind]
  if (value.length > rule.maxLength) {
    return {
      ok: false,
      reason: `${spec.name} "${printable(value)}" is longer than ${rule.maxLength} characters`,
    }
  }
  if (!rule.pattern.test(value) || /\.\./.test(value) || (rule.accepts && !rule.accepts(value))) {
    return {
      ok: false,
      reason: `"${printable(value)}" is not a valid ${spec.name}: expected ${rule.expected}`,
    }
  }
  return { ok: true, value: rule.normalise ? rule.normalise(value) : value }
}

export function allowedValues(spec: ParameterSpec): string[] {
  if (spec.kind === 'system') return [...(spec.systems ?? [])]
  if (spec.kind === 'platform') return [...(spec.platforms ?? [])]
  return Object.keys(spec.values ?? {})
}

/**
 * Shows a rejected value without letting control characters or a huge paste into the reply;
 * invisible formatting characters are shown as their code point, so the person sees them.
 */
export function printable(value: string): string {
  const cleaned = value
    // biome-ignore lint/suspicious/noControlCharactersInRegex: masking control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
    .replace(
      /\p{Cf}/gu,
      (character) =>
        `<U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}>`,
    )
  return cleaned.length > 60 ? `${cleaned.slice(0, 57)}...` : cleaned
}
