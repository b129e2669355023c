/**
 * "the laptop", "my desktop": which of a person's machines a class word means. Someone with a
 * laptop and a workstation who answers "which computer?" with "the laptop" means their one
 * laptop, never a machine called LAPTOP; a word that picks none of them, or several, names no
 * machine at all. Read by dialogue-act.ts (answers) and own-resources.ts (first messages).
 * @module
 */

/** A machine as this module needs it: its name and class (laptop, workstation...). */
export interface ClassedMachine {
  name: string
  class: string
  /** windows, linux, macos: "the windows laptop", "the linux one". */
  os?: string
}

/** The class each word stands for; `undefined`: any of the person's machines. */
const CLASS_OF_WORD: Readonly<Record<string, string | undefined>> = {
  laptop: 'laptop',
  notebook: 'laptop',
  desktop: 'workstation',
  workstation: 'workstation',
  tower: 'workstation',
  computer: undefined,
  pc: undefined,
  machine: undefined,
  device: undefined,
  box: undefined,
  one: undefined,
}

/**
 * "the laptop", "my work desktop", "our office pc", "the windows laptop", "the linux one": a
 * determiner, maybe an operating system, then a machine word ("one" only after an operating
 * system).
 */
const CLASS_PHRASE =
  /\b(?:my|mine|the|our|my\s+own)\s+(?:own\s+|usual\s+|regular\s+|main\s+)?(?:work\s+|company\s+|office\s+)?(?:(windows|linux|ubuntu|mac|macos)\s+)?(laptop|notebook|desktop|workstation|tower|computer|pc|machine|device|box|one)\b/i

/** The operating system each word means. */
const OS_OF_WORD: Readonly<Record<string, string>> = {
  windows: 'windows',
  linux: 'linux',
  ubuntu: 'linux',
  mac: 'macos',
  macos: 'macos',
}

/** Words that say nothing beyond "a computer": a bare answer of only these names no machine. */
const GENERIC_WORDS = new Set([
  ...Object.keys(CLASS_OF_WORD),
  'the',
  'my',
  'a',
  'an',
  'our',
  'own',
  'work',
  'office',
  'company',
  'usual',
  'regular',
  'main',
  'one',
  'it',
  // "yes" to "is it the shared workstation WS-FIN-12?" confirms the machine offered, names none.
  'yes',
  'yeah',
  'yep',
  'yup',
  'that',
  'correct',
  'right',
  'exactly',
])

/** Whether a bare answer is only a machine word ("the laptop", "work pc"), no machine name. */
export function onlyMachineWords(text: string): boolean {
  const words = text
    .toLowerCase()
    .split(/[^a-z0-9-]+/)
    .filter((word) => word !== '')
  // "the windows laptop": an operating system said with a machine word names none either.
  return (
    words.length > 0 &&
    words.every((word) => GENERIC_WORDS.has(word) || word in OS_OF_WORD) &&
    words.some((word) => GENERIC_WORDS.has(word))
  )
}

/**
 * The one machine of the person's that a class phrase in the text means; undefined when the
 * text has no such phrase, or it fits none or several of them.
 */
export function machineOfClassNamed(
  text: string,
  machines: readonly ClassedMachine[],
): ClassedMachine | undefined {
  const found = CLASS_PHRASE.exec(text)
  const word = found?.[2]?.toLowerCase()
  if (word === undefined) return undefined
  const os = found?.[1] ? OS_OF_WORD[found[1].toLowerCase()] : undefined
  // "the one" alone points at nothing; "the windows one" at the Windows machine.
  if ((word === 'one' || word === 'box') && os === undefined) return undefined
  const wanted = CLASS_OF_WORD[word]
  const fitting = machines.filter(
    (machine) =>
      (wanted === undefined || machine.class === wanted) &&
      (os === undefined || machine.os === undefined || machine.os === os),
  )
  return fitting.length === 1 ? fitting[0] : undefined
}
