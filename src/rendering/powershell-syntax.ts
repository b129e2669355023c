import { createRequire } from 'node:module'
import { Language, type Node, Parser } from 'web-tree-sitter'
import { HelpdeskError } from '../errors/index.ts'

/**
 * Parses rendered PowerShell here, before it leaves the machine, with the tree-sitter PowerShell
 * grammar (prebuilt wasm shipped in the `tree-sitter-powershell` package, run by
 * `web-tree-sitter`): no pwsh is needed and nothing is run. A broken template, or a value that
 * somehow escaped its quotes, fails with a line and column instead of half-running on a target.
 * @module
 */

export interface PowerShellSyntaxError {
  /** 1-based. */
  line: number
  /** 1-based, in UTF-16 code units. */
  column: number
  message: string
}

export type PowerShellSyntaxCheck = { ok: true } | { ok: false; errors: PowerShellSyntaxError[] }

let loading: Promise<Parser> | undefined
let loaded: Parser | undefined

/** Loads the grammar once; later calls return the same promise. Call before checking. */
export async function loadPowerShellGrammar(): Promise<void> {
  loading ??= (async () => {
    await Parser.init()
    const wasm = createRequire(import.meta.url).resolve(
      'tree-sitter-powershell/tree-sitter-powershell.wasm',
    )
    const parser = new Parser()
    parser.setLanguage(await Language.load(wasm))
    loaded = parser
    return parser
  })()
  // A failed load is not cached, so a later call can try again.
  loading.catch(() => {
    loading = undefined
  })
  await loading
}

/**
 * PowerShell's tokenizer takes the typographic single quotes (U+2018..U+201B) as `'`, the
 * typographic double quotes (U+201C..U+201E) as `"` and the dashes U+2013..U+2015 as `-`; the
 * grammar knows only the ASCII ones. Folding them first makes the check see the quotes
 * PowerShell sees: `'It’s'` is an unterminated string to PowerShell, and so it is here.
 */
export function foldPowerShellLookAlikes(script: string): string {
  return script
    .replace(/[\u2018-\u201b]/g, "'")
    .replace(/[\u201c-\u201e]/g, '"')
    .replace(/[\u2013-\u2015]/g, '-')
}

const BAREWORD = '[A-Za-z_][A-Za-z0-9_]*(?:[.-][A-Za-z0-9_]+)*'
/** A bareword before a comma, or after one: an element of an argument-mode list (`Name, Status`). */
const LISTED_BAREWORD = new RegExp(
  String.raw`(?<=^|[\s,])${BAREWORD}(?=\s*,)|(?<=,\s*)${BAREWORD}(?=[\s,;|)}]|$)`,
  'gm',
)
/** A command parameter whose name has digits: `-value_2`, `-Param1`. */
const PARAMETER_WITH_DIGITS = /(?<=^|[\s(])-[A-Za-z_][A-Za-z_]*[0-9][A-Za-z0-9_]*/gm
/** A numeric multiplier suffix, written in capitals: `1GB`, `250MB`, `1.5KB`. */
const MULTIPLIER = /(?<=\b\d+(?:\.\d+)?)(?:KB|MB|GB|TB|PB)\b/gi

/**
 * The text the grammar parses: `script` with look-alikes folded and three gaps of the
 * tree-sitter-powershell 0.26 grammar worked around, all of which PowerShell itself accepts:
 * - it has no argument-mode list of barewords (`Select-Object Name, Status` is an ERROR, while
 *   `Select-Object 'Name', 'Status'` parses): each listed bareword becomes digits of the same
 *   length, an integer literal, which the grammar accepts in the same place;
 * - it takes no digits in a parameter name (`-value_2 'x'` is read as a redirection): they become
 *   `x`;
 * - it takes multiplier suffixes only in lower case (`1gb`, not `1GB`): they are lowercased.
 * Every replacement is one character for one and only letters, digits, `_`, `.` and `-` change,
 * never a quote, bracket, brace, `$`, backtick, `;`, `|`, `&` or line break. So positions stay
 * and where strings, blocks and statements start and end is exactly as in `script`: a value that
 * broke out of its quotes, or an unclosed brace, is still found. Inside strings and comments the
 * replacements change characters only, never structure.
 */
export function prepareForGrammar(script: string): string {
  return foldPowerShellLookAlikes(script)
    .replace(LISTED_BAREWORD, (word) => '0'.repeat(word.length))
    .replace(PARAMETER_WITH_DIGITS, (parameter) => parameter.replace(/[0-9]/g, 'x'))
    .replace(MULTIPLIER, (suffix) => suffix.toLowerCase())
}

/**
 * Parses `script` (as `prepareForGrammar` leaves it) and hands the root node to `inspect`; the
 * tree lives in wasm memory and is freed when `inspect` returns, so nothing of it may be kept.
 * @throws {HelpdeskError} RENDER_FAILED when the grammar was not loaded first.
 */
export function withPowerShellTree<T>(script: string, inspect: (root: Node) => T): T {
  if (!loaded) {
    throw new HelpdeskError({
      code: 'RENDER_FAILED',
      category: 'SYSTEM',
      message: 'the PowerShell grammar is not loaded (await loadPowerShellGrammar() first)',
    })
  }
  const tree = loaded.parse(prepareForGrammar(script))
  if (!tree) {
    throw new HelpdeskError({
      code: 'RENDER_FAILED',
      category: 'SYSTEM',
      message: 'the PowerShell parser returned no tree',
    })
  }
  try {
    return inspect(tree.rootNode)
  } finally {
    tree.delete()
  }
}

/** ERROR and MISSING nodes anywhere in the tree make the script not ok. Synchronous after loading. */
export function checkPowerShellSyntax(script: string): PowerShellSyntaxCheck {
  const errors = withPowerShellTree(script, (root) => {
    const found: PowerShellSyntaxError[] = []
    collectErrors(root, script, found)
    return found
  })
  return errors.length === 0 ? { ok: true } : { ok: false, errors }
}

const MAX_ERRORS = 20

function collectErrors(node: Node, script: string, found: PowerShellSyntaxError[]): void {
  if (found.length >= MAX_ERRORS) return
  if (node.isMissing) {
    found.push(at(node, `missing "${node.type}"`))
    return
  }
  if (node.isError) {
    found.push(at(node, describeError(node, script)))
    // Errors nested inside an ERROR node repeat the same problem; the outer one is enough.
    return
  }
  // Only subtrees that contain an error are worth walking.
  if (!node.hasError) return
  for (const child of node.children) {
    if (child) collectErrors(child, script, found)
  }
}

function describeError(node: Node, script: string): string {
  // Positions are UTF-16 code units, like JavaScript strings; show the original, unfolded text.
  const firstLine = script.slice(node.startIndex, node.endIndex).split('\n')[0]?.trim() ?? ''
  const shown = firstLine.length > 60 ? `${firstLine.slice(0, 60)}…` : firstLine
  const toTheEnd = node.endIndex >= script.trimEnd().length
  return toTheEnd
    ? `cannot parse "${shown}" (the error runs to the end of the script: is a string, brace or bracket left open?)`
    : `cannot parse "${shown}"`
}

function at(node: Node, message: string): PowerShellSyntaxError {
  return { line: node.startPosition.row + 1, column: node.startPosition.column + 1, message }
}
