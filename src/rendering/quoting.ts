import { HelpdeskError } from '../errors/index.ts'

/**
 * The one quoting function per target language. Every value that reaches a script goes through
 * exactly one of these, after its parameter kind validated it; nothing else builds script text
 * from data.
 * @module
 */

/** Characters no quoting can make safe in every shell and transport: NUL and other C0/C1 controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

function refuseControls(value: string, language: string): void {
  if (CONTROL.test(value)) {
    throw new HelpdeskError({
      code: 'RENDER_FAILED',
      message: `a value for a ${language} script contains a control character`,
    })
  }
}

/**
 * POSIX single-quoting: everything between single quotes is literal; a single quote is closed,
 * escaped and reopened. Safe for bash, sh and dash alike.
 */
export function quoteBash(value: string): string {
  refuseControls(value, 'Bash')
  return `'${value.replace(/'/g, `'\\''`)}'`
}

/**
 * PowerShell single-quoted string: literal, no expansion of $ or backtick. PowerShell also treats
 * the typographic quotes U+2018, U+2019, U+201A and U+201B as single quotes, so each of them is
 * doubled like the ASCII one.
 */
export function quotePowerShell(value: string): string {
  refuseControls(value, 'PowerShell')
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (quote) => quote + quote)}'`
}
