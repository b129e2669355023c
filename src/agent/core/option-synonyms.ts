/**
 * The natural names people give the options of a listed question ("Windows/network, AWS or
 * local?" answered "windows", "the network one", "my computer login"). One table per option
 * value, used only when the message answers that question: in a request of its own, "windows"
 * says nothing about which account system is meant.
 * @module
 */

/** Option value -> phrases that name it in an answer (lower case, whole words). */
const OPTION_SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  active_directory: [
    'windows',
    'network',
    'domain',
    'ad',
    'active directory',
    'computer login',
    'computer password',
    'laptop login',
    'laptop password',
    'pc login',
    'work login',
    'work account',
    'office login',
    'normal login',
    'usual login',
    'the normal one',
    'the usual one',
    'corporate',
    'email password',
  ],
  aws_iam: ['aws', 'amazon', 'console', 'aws console', 'iam', 'cloud console', 'amazon console'],
  local: [
    'local',
    'local account',
    'local one',
    'this machine only',
    'only this machine',
    'only on this machine',
    'one machine',
    'one computer',
    'only one computer',
    'just this computer',
    'just one computer',
    'lab machine',
    'lab pc',
  ],
  windows: ['windows', 'win', 'win10', 'win11', 'windows 10', 'windows 11', 'pc', 'microsoft'],
  linux: ['linux', 'ubuntu', 'debian', 'fedora', 'red hat', 'redhat', 'rhel', 'centos', 'mint'],
  macos: ['mac', 'macos', 'mac os', 'macbook', 'osx', 'imac', 'apple'],
}

/** Filler around an option's name in an answer: "the network one", "it's my computer login". */
const FILLER =
  /\b(?:it'?s|it is|that'?s|that is|i think|i guess|probably|maybe|the|my|our|one|please|pls|thanks|thank you)\b/g

/**
 * The option among `allowed` this answer names, by the longest phrase it contains; undefined
 * when it names none, or two ("windows or linux?" answered "both, windows and linux").
 */
export function optionNamedIn(
  allowed: readonly string[],
  answer: string,
  extra: Readonly<Record<string, readonly string[]>> = {},
): string | undefined {
  const lowered = answer.toLowerCase()
  const stripped = ` ${lowered.replace(FILLER, ' ').replace(/[^a-z0-9 ]+/g, ' ')} `.replace(
    /\s+/g,
    ' ',
  )
  const spaced = ` ${lowered.replace(/[^a-z0-9 ]+/g, ' ').replace(/\s+/g, ' ')} `
  const matched: Array<{ value: string; phrase: string }> = []
  for (const value of allowed) {
    const phrases = [
      value.replace(/_/g, ' '),
      ...(OPTION_SYNONYMS[value] ?? []),
      ...(extra[value] ?? []),
    ]
    const longest = phrases
      .map((phrase) => phrase.toLowerCase())
      .filter((phrase) => spaced.includes(` ${phrase} `) || stripped.includes(` ${phrase} `))
      .sort((left, right) => right.length - left.length)[0]
    if (longest !== undefined) matched.push({ value, phrase: longest })
  }
  matched.sort((left, right) => right.phrase.length - left.phrase.length)
  const [best, ...others] = matched
  // "windows and linux" names two options; "a local account on one computer" names one, whose
  // longer phrase holds the other's word.
  if (!best || others.some((other) => !best.phrase.includes(other.phrase))) return undefined
  return best.value
}
