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

/**
 * Single words that point to one option when the answer describes it rather than names it:
 * "the one I use to log into my laptop", "my email one". Used only when no phrase above matches,
 * and only when the words point to exactly one of the options asked about.
 */
const OPTION_WORDS: Readonly<Record<string, readonly string[]>> = {
  active_directory: [
    'windows',
    'network',
    'domain',
    'computer',
    'laptop',
    'pc',
    'desktop',
    'workstation',
    'email',
    'outlook',
    'office',
    'work',
    'normal',
    'usual',
    'everyday',
    'main',
    'regular',
    'company',
    'teams',
    'vpn',
    'wifi',
  ],
  aws_iam: ['aws', 'amazon', 'console', 'iam', 'cloud', 'billing'],
  local: ['local', 'lab', 'standalone', 'offline', 'test', 'admin'],
  windows: ['windows', 'microsoft', 'dell', 'lenovo', 'thinkpad', 'surface', 'hp'],
  linux: ['linux', 'ubuntu', 'debian', 'fedora', 'redhat', 'rhel', 'centos', 'mint', 'penguin'],
  macos: ['mac', 'macbook', 'apple', 'imac'],
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
  options: { described?: boolean } = {},
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
  if (!best) return options.described === false ? undefined : describedOption(allowed, spaced)
  // "windows and linux" names two options; "a local account on one computer" names one, whose
  // longer phrase holds the other's word.
  if (others.some((other) => !best.phrase.includes(other.phrase))) return undefined
  return best.value
}

/** Words an answer uses to point at one of the choices: "the ... one", "my ... login". */
const REFERS_TO_OPTION =
  /\b(?:one|login|log|logon|logging|sign|signing|account|password|credentials|creds|kind|type)\b/

/** The one option whose words the answer uses ("my email one"); undefined for none or several. */
function describedOption(allowed: readonly string[], spaced: string): string | undefined {
  // "my laptop keeps overheating" uses a word of one option but describes a problem, not a choice.
  if (!REFERS_TO_OPTION.test(spaced)) return undefined
  const pointed = allowed.filter((value) =>
    (OPTION_WORDS[value] ?? []).some((word) => spaced.includes(` ${word} `)),
  )
  return pointed.length === 1 ? pointed[0] : undefined
}

const ORDINALS: Readonly<Record<string, number>> = {
  first: 0,
  '1st': 0,
  '1': 0,
  one: 0,
  top: 0,
  second: 1,
  '2nd': 1,
  '2': 1,
  two: 1,
  middle: 1,
  third: 2,
  '3rd': 2,
  '3': 2,
  three: 2,
  last: -1,
  bottom: -1,
}
const ORDINAL_ANSWER =
  /^\s*(?:(?:it'?s|it\s+is|i\s+think|probably|the)\s+)*(?:(?:option|number|choice|no\.?)\s*)?(first|1st|second|2nd|third|3rd|last|top|bottom|middle|[123]|one|two|three)(?:\s+(?:one|option|choice))?(?:\s+(?:please|pls))?\s*[.!]*\s*$/i

/**
 * "the first one", "option 2", "the last one": the option at that place in the question as it
 * was asked (its options in the order its text names them, else the runbook's order).
 */
export function optionAtPosition(
  allowed: readonly string[],
  question: string,
  answer: string,
): string | undefined {
  const word = ORDINAL_ANSWER.exec(answer)?.[1]?.toLowerCase()
  const index = word === undefined ? undefined : ORDINALS[word]
  // "one" alone ("it's one") is the first only in "the first one" shape: require more than it.
  if (index === undefined || (word === 'one' && !/\b(?:option|number|choice)\b/i.test(answer)))
    return undefined
  const lowered = ` ${question.toLowerCase().replace(/[^a-z0-9 ]+/g, ' ')} `
  const at = (value: string) => {
    const phrases = [value.replace(/_/g, ' '), ...(OPTION_SYNONYMS[value] ?? [])]
    const places = phrases
      .map((phrase) => lowered.indexOf(` ${phrase.toLowerCase()} `))
      .filter((place) => place >= 0)
    return places.length > 0 ? Math.min(...places) : Number.MAX_SAFE_INTEGER
  }
  const ordered = [...allowed].sort((left, right) => at(left) - at(right))
  return index < 0 ? ordered.at(index) : ordered[index]
}
