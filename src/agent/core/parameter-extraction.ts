import type { ParameterSpec } from '../../knowledge/instructions/instruction-schema.ts'
import { findGroup } from './group-extraction.ts'
import { onlyMachineWords } from './machine-class-words.ts'
import { optionAtPosition, optionNamedIn } from './option-synonyms.ts'
import { allowedValues } from './parameter-validation.ts'
import { findUsername, NOT_USERNAMES } from './username-extraction.ts'
import { wholeToken } from './value-tokens.ts'

/**
 * Finds a candidate value for a parameter in free text. Candidates still go through
 * `validateParameter`; extraction only has to be good at finding, not at judging safety. What
 * it finds is always the whole token (see value-tokens.ts), never the part that looked right:
 * "jdoe;rm" is handed on to be refused, not shortened to "jdoe".
 * @module
 */

export type ExtractionMode =
  /** A whole request: only values clearly introduced as such are taken. */
  | 'message'
  /** An answer to our question about this parameter: a bare value is taken too. */
  | 'answer'

/** Words that follow "user"/"account" in ordinary sentences and are never usernames. */

const SYSTEM_ALIASES: Readonly<Record<string, RegExp>> = {
  aws_iam: /\b(aws|amazon|iam|management console|aws console|the console)\b/i,
  active_directory:
    /\b(active directory|ad|domain|(?:the )?windows (login|logon|account|password|one)|network (login|account|password|one)|computer (login|password)|laptop (login|password)|corp(orate)? account)\b/i,
  local:
    /\b(local (account|user|admin|administrator|one)|on (this|the) (machine|computer|laptop) only)\b/i,
}

const PLATFORM_ALIASES: Readonly<Record<string, RegExp>> = {
  windows: /\b(windows|win ?1[01]|win ?7|pc)\b/i,
  linux: /\b(linux|ubuntu|debian|fedora|red ?hat|rhel|centos|mint)\b/i,
  macos: /\b(mac|macos|mac ?os|macbook|osx|imac)\b/i,
}

const KNOWN_APPLICATIONS = [
  'Adobe Acrobat',
  'Acrobat Reader',
  'Adobe Reader',
  'Acrobat',
  'Photoshop',
  'Illustrator',
  'AutoCAD',
  'SolidWorks',
  'Chrome',
  'Google Chrome',
  'Firefox',
  'Edge',
  'Microsoft Edge',
  'Word',
  'PowerPoint',
  'OneNote',
  'Access',
  'Visio',
  'Project',
  'Outlook',
  'Excel',
  'Teams',
  'Zoom',
  'Slack',
  'Webex',
  'SAP GUI',
  'SAP',
  'Tableau',
  'Power BI',
  'QuickBooks',
  'Notepad++',
  'Visual Studio Code',
  'VS Code',
  'Visual Studio',
  'IntelliJ',
  'Eclipse',
  'Python',
  'Java',
  'Citrix Workspace',
  'Citrix',
  'AnyConnect',
  'GlobalProtect',
  'FortiClient',
  'Snagit',
  '7-Zip',
  'WinRAR',
  'VLC',
  'Spotify',
  'Dropbox',
  'Docker Desktop',
  'Git',
  'Postman',
  'Figma',
  'Miro',
  'Salesforce',
  'Skype',
  'Paint',
  'Notepad',
  'File Explorer',
  'Explorer',
  'Calculator',
]

/** Application names that are also ordinary words: matched only when written with a capital. */
const AMBIGUOUS_APPLICATIONS = new Set([
  'Access',
  'Project',
  'Word',
  'Paint',
  'Explorer',
  'Edge',
  'Teams',
  'Zoom',
  'Git',
  'Java',
  'Python',
  'Calculator',
  'Notepad',
])

/** Common software names mapped to their winget package ids. */
const PACKAGE_IDS: Readonly<Record<string, string>> = {
  '7-zip': '7zip.7zip',
  '7zip': '7zip.7zip',
  'notepad++': 'Notepad++.Notepad++',
  'vs code': 'Microsoft.VisualStudioCode',
  'visual studio code': 'Microsoft.VisualStudioCode',
  vscode: 'Microsoft.VisualStudioCode',
  python: 'Python.Python.3.12',
  git: 'Git.Git',
  'google chrome': 'Google.Chrome',
  chrome: 'Google.Chrome',
  firefox: 'Mozilla.Firefox',
  'adobe reader': 'Adobe.Acrobat.Reader.64-bit',
  'acrobat reader': 'Adobe.Acrobat.Reader.64-bit',
  zoom: 'Zoom.Zoom',
  slack: 'SlackTechnologies.Slack',
  vlc: 'VideoLAN.VLC',
  'power bi': 'Microsoft.PowerBI',
  'power bi desktop': 'Microsoft.PowerBI',
  putty: 'PuTTY.PuTTY',
  winscp: 'WinSCP.WinSCP',
  postman: 'Postman.Postman',
  'docker desktop': 'Docker.DockerDesktop',
  figma: 'Figma.Figma',
  snagit: 'TechSmith.Snagit',
  greenshot: 'Greenshot.Greenshot',
  'node.js': 'OpenJS.NodeJS.LTS',
  nodejs: 'OpenJS.NodeJS.LTS',
  node: 'OpenJS.NodeJS.LTS',
  intellij: 'JetBrains.IntelliJIDEA.Community',
  'r studio': 'Posit.RStudio',
  rstudio: 'Posit.RStudio',
  keepass: 'DominikReichl.KeePass',
  wireshark: 'WiresharkFoundation.Wireshark',
  teams: 'Microsoft.Teams',
  'microsoft teams': 'Microsoft.Teams',
  'citrix workspace': 'Citrix.Workspace',
  webex: 'Cisco.Webex',
  miro: 'Miro.Miro',
  spotify: 'Spotify.Spotify',
  dbeaver: 'dbeaver.dbeaver',
  'paint.net': 'dotPDN.PaintDotNet',
}

/** Phrases people put before a bare answer: "it's jdoe", "the user is jdoe", "sure: jdoe". */
const ANSWER_PREFIX =
  /^(?:(?:ok(?:ay)?|sure|yes|yeah|yep|sorry|oh|hmm|so|well)[,!.]?\s+)*(?:(?:it'?s|it is|that'?s|that is|this is|the|my|our|his|her|their)\s+)*(?:(?:user\s?name|user|login|account|id|computer|laptop|pc|machine|device|host\s?name|printer|group|project|path|share|email|address|app|application|program|package|code|error)\s+)?(?:name\s+)?(?:is|=|:)?\s*/i

/** Politeness after a bare answer: "jdoe please", "LT-0423, thanks!". */
const POLITENESS =
  /(?:[\s,]+(?:please|pls|plz|thanks|thank\s+you|thx|ta|cheers|mate|thanks\s+a\s+lot)[.!]*)+$/i

export function extractParameter(
  spec: ParameterSpec,
  text: string,
  mode: ExtractionMode,
): string | undefined {
  if (mode === 'answer' && LISTED_KINDS.has(spec.kind)) {
    // An answer to "Windows/network, AWS or local?" may name its option naturally ("windows").
    const named =
      optionAtPosition(allowedValues(spec), spec.question, text) ??
      optionNamedIn(allowedValues(spec), text, spec.values ?? {})
    if (named !== undefined) return named
  }
  switch (spec.kind) {
    case 'system':
      return matchAlias(SYSTEM_ALIASES, allowedValues(spec), text)
    case 'platform':
      return matchAlias(PLATFORM_ALIASES, allowedValues(spec), text)
    case 'enum':
      return matchEnum(spec, text)
    case 'unc_path':
      return first(text, /\\\\[^\s"'<>|,;]+/)
    case 'email':
      return first(text, /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\b/)
    case 'url':
      return first(text, /\bhttps?:\/\/[^\s"'<>]+/)
    default:
      return extractWord(spec, text, mode)
  }
}

const LISTED_KINDS: ReadonlySet<ParameterSpec['kind']> = new Set(['system', 'platform', 'enum'])
const MAX_BARE_ANSWER_WORDS = 3
/** Words that make a bare reply a sentence rather than a name. */
const PROSE_IN_NAMES = new Set(
  (
    "is are was were be been am not no can't cannot won't doesn't don't isn't didn't it i you me " +
    'my your we our they locked broken working keeps stopped help need want have has had does do ' +
    'know idea sure'
  ).split(' '),
)
/** Kinds whose valid values may contain spaces, so a sentence could pass their validator. */
const KINDS_WITH_SPACES: ReadonlySet<ParameterSpec['kind']> = new Set([
  'printer',
  'application',
  'group',
])

function extractWord(spec: ParameterSpec, text: string, mode: ExtractionMode): string | undefined {
  const found = findInMessage(spec, text)
  if (found || mode === 'message') return found
  const bare = text
    .trim()
    .replace(ANSWER_PREFIX, '')
    .replace(/[\s.!?,]+$/, '')
    // "jdoe please", "LT-0423 thanks": politeness around a bare value is no part of it.
    .replace(POLITENESS, '')
    .replace(/^["'`]|["'`]$/g, '')
  if (spec.kind === 'package_name') return PACKAGE_IDS[bare.toLowerCase()] ?? bare
  // A bare answer is a name, not a sentence: "HP LaserJet 4250" yes, "vpn says error 809" no.
  const words = bare.split(/\s+/)
  if (KINDS_WITH_SPACES.has(spec.kind) && words.length > MAX_BARE_ANSWER_WORDS) return undefined
  // "account is locked" to "which printer?" is a sentence too: a name has no verbs.
  // "my account is locked" leaves "locked" once its opening is read as "my account is".
  if (words.some((word) => PROSE_IN_NAMES.has(word.toLowerCase()))) return undefined
  // "the laptop" to "which computer?" names a kind of machine, never one called LAPTOP.
  if (spec.kind === 'hostname' && onlyMachineWords(bare)) return undefined
  return bare || undefined
}

function findInMessage(spec: ParameterSpec, text: string): string | undefined {
  switch (spec.kind) {
    case 'username':
      return findUsername(text)
    case 'hostname':
      return (
        first(
          text,
          /\b(?!PRN-|PRT-)([A-Za-z]{2,6}-(?=[A-Za-z0-9-]*\d)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)\b/i,
        ) ??
        cuedWord(
          text,
          /\b(?:laptop|computer|pc|machine|device|workstation|desktop|host\s?name|host)\s+(?:is\s+|name\s+is\s+|called\s+|named\s+)?[:=]?\s*([A-Za-z0-9][A-Za-z0-9.-]*\d[A-Za-z0-9.-]*)/i,
        )
      )
    case 'printer':
      return (
        first(text, /\b((?:PRN|PRT|PRINTER)-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)\b/i) ??
        cuedWord(
          text,
          /\bprinter\s+(?:is\s+|called\s+|named\s+)?[:=]?\s*["']?([A-Z0-9][A-Za-z0-9_-]*[0-9-][A-Za-z0-9_-]*)/,
        )
      )
    case 'group':
      return findGroup(text)
    case 'application':
      return findApplication(text)
    case 'package_name':
      return findPackage(text)
    case 'error_code':
      return (
        first(text, /\b0x[0-9a-f]{8}\b/i) ??
        first(text, /\b[45]\.\d\.\d{1,3}\b/) ??
        first(text, /\bcaa[0-9a-f]{5}\b/i) ??
        first(text, /\b[A-Z]+(?:_[A-Z]+){2,}\b/) ??
        cuedWord(text, /\b(?:error|code)\s*(?:code\s*)?[:#]?\s*(\d{3,5})\b/i)
      )
    default:
      return undefined
  }
}

function findApplication(text: string): string | undefined {
  const lowered = text.toLowerCase()
  for (const name of KNOWN_APPLICATIONS) {
    const caseSensitive = AMBIGUOUS_APPLICATIONS.has(name)
    const pattern = caseSensitive
      ? new RegExp(`(^|[^A-Za-z0-9])${escapeRegExp(name)}($|[^A-Za-z0-9+])`, 'd')
      : new RegExp(`(^|[^a-z0-9])${escapeRegExp(name.toLowerCase())}($|[^a-z0-9+])`, 'd')
    const match = pattern.exec(caseSensitive ? text : lowered)
    if (match) return gluedToken(text, match, name.length) ?? name
  }
  return cuedWord(
    text,
    /\b([A-Z][A-Za-z0-9+.]*(?:\s[A-Z][A-Za-z0-9+.]*)?)\s+(?:keeps\s+|just\s+|always\s+)?(?:crash|crashes|crashing|crashed|closes|freezes|won't open|will not open|stopped working|has stopped)/,
  )
}

/**
 * A known name found by a pattern whose first group is what stands before it: the whole token
 * there when something is glued to the name ("7zip$(id)", "Outlook;calc"), to be refused whole;
 * undefined when the name stands alone (sentence punctuation, quotes and brackets aside).
 */
function gluedToken(text: string, match: RegExpExecArray, length: number): string | undefined {
  const start = (match.indices?.[0]?.[0] ?? match.index) + (match[1] ?? '').length
  const whole = wholeToken(text, start, start + length, { extendLeft: true })
  return whole.toLowerCase() === text.slice(start, start + length).toLowerCase() ? undefined : whole
}

function findPackage(text: string): string | undefined {
  const lowered = text.toLowerCase()
  const names = Object.keys(PACKAGE_IDS).sort((left, right) => right.length - left.length)
  for (const name of names) {
    const pattern = new RegExp(`(^|[^a-z0-9])${escapeRegExp(name)}($|[^a-z0-9+])`, 'd')
    const match = pattern.exec(lowered)
    if (match) return gluedToken(text, match, name.length) ?? PACKAGE_IDS[name]
  }
  return first(text, /\b([A-Z][A-Za-z0-9]+\.[A-Z][A-Za-z0-9.]+)\b/)
}

function matchAlias(
  aliases: Readonly<Record<string, RegExp>>,
  allowed: readonly string[],
  text: string,
): string | undefined {
  const lowered = text.toLowerCase()
  for (const value of allowed) {
    if (lowered.includes(value.replace(/_/g, ' ')) || lowered.includes(value)) return value
  }
  for (const value of allowed) {
    if (aliases[value]?.test(text)) return value
  }
  return undefined
}

function matchEnum(spec: ParameterSpec, text: string): string | undefined {
  const lowered = text.toLowerCase()
  for (const [value, words] of Object.entries(spec.values ?? {})) {
    for (const word of [value.replace(/_/g, ' '), ...words]) {
      const pattern = new RegExp(`(^|[^a-z0-9])${escapeRegExp(word.toLowerCase())}($|[^a-z0-9])`)
      if (pattern.test(lowered)) return value
    }
  }
  return undefined
}

/**
 * The value a cue introduces ("laptop is X"): the whole token from where the pattern's group
 * starts, so "laptop LT-0423;reboot" gives "LT-0423;reboot" to refuse, not "LT-0423".
 */
function cuedWord(text: string, pattern: RegExp, rejectCommon = false): string | undefined {
  const match = withIndices(pattern).exec(text)
  const span = match?.indices?.[1]
  if (!match?.[1] || !span) return undefined
  if (rejectCommon && NOT_USERNAMES.has(match[1].toLowerCase())) return undefined
  return wholeToken(text, span[0], span[1]) || undefined
}

/** The whole token around the first match of a shape (see value-tokens.ts for why whole). */
function first(text: string, pattern: RegExp): string | undefined {
  const match = withIndices(pattern).exec(text)
  const span = match?.indices?.[1] ?? match?.indices?.[0]
  if (!span) return undefined
  return wholeToken(text, span[0], span[1], { extendLeft: true }) || undefined
}

function withIndices(pattern: RegExp): RegExp {
  return pattern.hasIndices ? pattern : new RegExp(pattern.source, `${pattern.flags}d`)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
