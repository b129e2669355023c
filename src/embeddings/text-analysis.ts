import { stemmer } from 'stemmer'

/**
 * Turns a request into the terms the local embedding and the lexical scorer compare. Both sides of
 * a comparison (runbook examples and employee messages) go through this one function, so any
 * change here changes the embedding fingerprint (see ANALYSIS_VERSION).
 * @module
 */

/** Bump whenever the output of `analyze` changes for some input: stored vectors become stale. */
export const ANALYSIS_VERSION = 5

const STOPWORDS = new Set(
  (
    'a an the and or but if so to of in on at for from by with about as into onto over under ' +
    'i me my mine myself we us our you your he him his she her they them their it its this that ' +
    'these those there here is am are was were be been being do does did doing have has had ' +
    'having will would shall should can could may might must just also too very really quite ' +
    'please pls plz thanks thank thx hi hello hey dear team sir madam ok okay yes yeah ' +
    'some any all each every what which who whom whose when where why how again still now then ' +
    'today yesterday tomorrow morning afternoon since get got getting go going went one'
  ).split(' '),
)

/**
 * Words people write for the same thing. Keys are lower-case tokens before stemming; values are
 * the canonical token(s). Kept short on purpose: character n-grams already absorb typos, this only
 * bridges words that share no letters (pwd/password, bsod/blue screen).
 */
const CANONICAL: Readonly<Record<string, string>> = {
  pwd: 'password',
  passwd: 'password',
  pw: 'password',
  passcode: 'password',
  passwort: 'password',
  creds: 'credentials',
  bsod: 'blue screen',
  wifi: 'wifi',
  'wi-fi': 'wifi',
  wlan: 'wifi',
  wireless: 'wifi',
  mic: 'microphone',
  mics: 'microphone',
  headset: 'headphones',
  earbuds: 'headphones',
  laggy: 'slow',
  sluggish: 'slow',
  // Comparatives the stemmer leaves alone ("it's way slower"): the plain word is what the
  // runbooks' examples say. Only adjectives of complaints; "-er" is no suffix to strip in general
  // (printer, server, folder).
  slower: 'slow',
  slowest: 'slow',
  laggier: 'slow',
  hotter: 'hot',
  hottest: 'hot',
  warmer: 'warm',
  louder: 'loud',
  noisier: 'noisy',
  quieter: 'quiet',
  screen2: 'monitor',
  display: 'monitor',
  displays: 'monitor',
  pc: 'computer',
  notebook: 'laptop',
  onedrive: 'onedrive',
  'one-drive': 'onedrive',
  ms: 'microsoft',
  o365: 'office',
  m365: 'office',
  ad: 'active directory',
  aws: 'aws',
  iam: 'aws',
  ndr: 'bounce',
  bounced: 'bounce',
  undeliverable: 'bounce',
  mailer: 'bounce',
  'mailer-daemon': 'bounce',
  cant: 'cannot',
  wont: 'not',
  doesnt: 'not',
  isnt: 'not',
  dont: 'not',
  didnt: 'not',
  aint: 'not',
  no: 'not',
  never: 'not',
}

export interface AnalyzedText {
  /** Stemmed, canonicalised word terms in order, stopwords removed. */
  terms: string[]
  /** Raw lower-case tokens (before stemming), used for character n-grams. */
  tokens: string[]
}

const TOKEN = /[\p{L}\p{N}]+(?:[.\-_'][\p{L}\p{N}]+)*/gu

/**
 * Identifiers mean nothing to a bag of words, but their shape tells what they are: a print queue,
 * a share path, an email address. Each is read as the words it stands for, next to itself.
 */
const ENTITIES: ReadonlyArray<[RegExp, string]> = [
  [/\\\\[^\s"'<>|]+/g, ' shared folder network drive '],
  [/\b[\w.%+-]+@[\w-]+(?:\.[\w-]+)+\b/g, ' email address '],
  [/\b(?:PRN|PRT)-[\w-]+/gi, ' printer '],
]

export function normalize(text: string): string {
  let expanded = text
  for (const [pattern, words] of ENTITIES)
    expanded = expanded.replace(pattern, (match) => `${match} ${words}`)
  return expanded
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
}

export function analyze(text: string): AnalyzedText {
  const tokens: string[] = []
  const terms: string[] = []
  for (const match of normalize(text).matchAll(TOKEN)) {
    let token = match[0].replace(/'/g, '')
    if (/^[a-z]+-[a-z]+$/.test(token) && !(token in CANONICAL)) {
      for (const part of token.split('-')) pushToken(part, tokens, terms)
      continue
    }
    token = token.replace(/[._-]+$/, '')
    pushToken(token, tokens, terms)
  }
  return { terms, tokens }
}

function pushToken(token: string, tokens: string[], terms: string[]): void {
  if (!token) return
  const canonical = CANONICAL[token]
  const words = canonical ? canonical.split(' ') : [token]
  for (const word of words) {
    if (STOPWORDS.has(word)) continue
    tokens.push(word)
    terms.push(termOf(word))
  }
}

/** The term a (canonical, lower-case) word stands for: its stem when it is a plain word. */
export function termOf(word: string): string {
  return /^[a-z]+$/.test(word) && word.length > 3 ? stemmer(word) : word
}

/** Whether `analyze` drops this lower-case word as carrying no topic. */
export function isStopword(word: string): boolean {
  return STOPWORDS.has(word)
}
