import { wholeToken } from './value-tokens.ts'

/**
 * Finding an account name in free text: the cue words that introduce one, and the words that
 * only look like one ("my account is locked"). Split from parameter-extraction.ts, which uses it
 * for the `username` kind.
 * @module
 */

/** Words a cue may be followed by that are prose, never an account name. */
export const NOT_USERNAMES = new Set(
  (
    'is was locked unlocked disabled expired name names account accounts password passwords ' +
    'not no the a an my me it its this that for to in on keeps got has have had been being ' +
    'settings login logon profile access id which who here there again please can cannot could ' +
    'will would should and or but with without from of user users name broken fails failed ' +
    'failing error errors problem problems issue issues screen page window loop prompt details ' +
    'info keeps stuck working expires expiring needs wants forgot lost says said reports reported ' +
    'asks asked requires required requests requested tried tries called calls just also still ' +
    'pls plz thx named ' +
    // "the iam user one", "the normal user kind": a pronoun for the account, not its name.
    'one ones kind type sort'
  ).split(' '),
)

/** What an account name looks like, for recognising one; the value taken is the whole token. */
const USERNAME_VALUE = `["']?@?([A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9](?:@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+)?)`
/** The start of whatever follows a strong cue, shape or not: "user $(id)" names "$(id)". */
const ANY_VALUE = `["'‘“]?([^\\s"'‘“])`
/** The name-shaped start of a token. */
const NAME_SHAPE =
  /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?/
/** Dashes, dots and colons after "user" are prose ("the user - jdoe - ..."), not a value. */
const PROSE_PUNCTUATION = /^[-\u2013\u2014:.,;!?\u2026]*$/u
/** "can't", "won't", "they're": English, not an account name. */
const CONTRACTION = /^[A-Za-z]+['’](?:t|re|ll|ve|d|m)$/i
/**
 * "a user needs ...", "another user forgot ...": after an indefinite determiner, "user" is
 * someone not yet named, so a plain word after it is the sentence's verb, not an account.
 */
const UNNAMED_USER = /\b(?:a|an|one|some|another|any|every|each|no)\s+(?:new\s+|other\s+)?$/i
/** "is" only as a word: "username isabel" names isabel. */
const CONNECTOR = `\\s*(?:(?:is|name\\s+is|called)\\b\\s*)?[:=]?\\s*`

/**
 * How sure a cue word makes us that what follows is an account name. The value sits in a
 * lookahead so "for user jdoe" can try "user" and then "jdoe". Strong cues take whatever token
 * follows (so "user jdoe;rm" is refused whole instead of read as "jdoe"); weak ones only a
 * name-shaped token, since "for" is mostly prose.
 */
const USERNAME_CUES: ReadonlyArray<{ cue: RegExp; plainWordAllowed: boolean }> = [
  {
    cue: new RegExp(
      `\\b(?:user\\s?name|user\\s?id|samaccountname|login\\s?name|account\\s?name)\\b${CONNECTOR}(?=${ANY_VALUE})`,
      'gid',
    ),
    plainWordAllowed: true,
  },
  {
    cue: new RegExp(
      `\\b(?:user|login|account)\\s*(?:is\\b(?:\\s+(?:called|named))?|=|:)\\s*(?=${ANY_VALUE})`,
      'gid',
    ),
    plainWordAllowed: true,
  },
  { cue: new RegExp(`\\buser\\s+(?=${ANY_VALUE})`, 'gid'), plainWordAllowed: true },
  {
    // "my AD account jdoe is locked": a name right after "my ... account" when a verb or the
    // end of the clause follows it ("my account seems locked" names nobody).
    cue: new RegExp(
      `\\b(?:my|his|her|their)\\s+(?:(?:ad|active\\s+directory|windows|domain|network|aws|iam)\\s+)?account\\s+(?=${USERNAME_VALUE}(?:\\s+(?:is|was|has|got|keeps|gets|just|cannot|can't|won't|will|needs|still)\\b|\\s*[,.;:!?]|\\s*$))`,
      'gid',
    ),
    plainWordAllowed: true,
  },
  {
    cue: new RegExp(`\\b(?:for|login|account|colleague|employee)\\s+(?=${USERNAME_VALUE})`, 'gid'),
    plainWordAllowed: false,
  },
]

/**
 * Plain words that follow "for", "reset" or come before "'s" in ordinary sentences: "for now",
 * "reset everything", "my manager's account".
 */
const PROSE_WORDS = new Set(
  (
    'now today tomorrow yesterday ages while years weeks days hours minutes months me us you him ' +
    'them everyone everybody someone somebody anyone nobody work example instance sure free real ' +
    'good long once lunch some testing nothing everything all both what there here let he she who ' +
    'where manager boss colleague team company office person employee today tonight your our ' +
    'their his her mine yours'
  ).split(' '),
)
const NAME = '([A-Za-z][A-Za-z0-9._-]*[A-Za-z0-9]|[A-Za-z])'
/**
 * Shapes that name an account in a plain word: "reset the password for jdoe in AD", "jdoe's
 * password", "unlock kwong". The word must stand where a name stands (before the end of the
 * clause or a preposition, or before "'s" and an account word), and not be a prose word.
 */
const PLAIN_NAME_CUES: readonly RegExp[] = [
  new RegExp(
    `\\bfor\\s+${NAME}(?=\\s*(?:$|[,.!?;:]|\\s(?:in|on|at|please|pls|too|as\\s+well|asap|again|thanks|thank|who|she|he|they|because|since|so)\\b))`,
    'gid',
  ),
  new RegExp(
    `(?:^|[\\s,(])${NAME}['’]s\\s+(?:\\w+\\s+)?(?:password|account|login|logon|laptop|computer|pc|machine|access|mailbox|outlook|email|vpn|user)\\b`,
    'gid',
  ),
  // "add kwong to jira-fin-users": the person added to something.
  new RegExp(`\\b(?:add|put|include|enrol|enroll)\\s+${NAME}(?=\\s+(?:to|in|into|on)\\b)`, 'gid'),
  // "on behalf of kwong", "the AD account jdoe": a name right after these stands alone.
  new RegExp(
    `\\b(?:on\\s+behalf\\s+of|(?:(?:ad|active\\s+directory|windows|domain|network|aws|iam|user|login)\\s+)account)\\s+${NAME}(?=\\s*(?:$|[,.!?;:]|\\s(?:in|on|at|please|pls|too|asap|again|now|is|was|has|needs|can'?t|cannot)\\b))`,
    'gid',
  ),
  new RegExp(
    `\\b(?:reset|unlock|unblock|re-?enable|enable)\\s+(?:the\\s+)?(?:password\\s+(?:of|for)\\s+)?${NAME}(?=\\s*(?:$|[,.!?;:]|\\s(?:in|on|at|please|pls|too|asap|again|now)\\b|['’]s\\b))`,
    'gid',
  ),
  // "jdoe is locked out of the domain", "kwong forgot her password": the name is the subject.
  new RegExp(
    `(?:^|[,;:.!?]\\s*|\\band\\s+|\\bbut\\s+)${NAME}(?=\\s+(?:is|was|got|gets|has\\s+been|keeps\\s+(?:getting|being))\\s+(?:locked|disabled|blocked)\\b|\\s+(?:(?:still\\s+)?(?:can'?t|cannot|can\\s+not|is\\s+unable\\s+to|unable\\s+to|isn'?t\\s+able\\s+to)\\s+(?:log\\s*(?:in|on)|sign\\s*(?:in|on)|login|logon|get\\s+(?:in|into|on|onto|to)|connect|access|reach|open|print|use))\\b|\\s+(?:needs?|wants?)\\s+(?:adding|to\\s+be\\s+added|(?:\\w+\\s+)?access|an?\\s+(?:\\w+\\s+)?licen[cs]e)\\b|\\s+locked\\s+(?:out|him|her|them)\\b|\\s+(?:forgot|forgets|lost|can'?t\\s+remember|cannot\\s+remember|needs?\\s+(?:a\\s+)?(?:new\\s+)?)\\s*(?:his|her|their|the)?\\s*(?:\\w+\\s+)?password\\b)`,
    'gid',
  ),
]

/** Words that stand before "is locked" or "forgot ... password" and are no person. */
const NOT_SUBJECTS = new Set(
  (
    'i he she they we you it this that everything everyone someone somebody windows ad domain aws ' +
    'laptop computer pc screen phone mailbox vpn teams outlook email jira wifi machine device ' +
    'workstation keyboard user employee colleague manager boss zoom slack excel word onedrive ' +
    'sharepoint printer app nobody people staff somebody anybody anyone'
  ).split(' '),
)

function plainName(text: string): string | undefined {
  for (const cue of PLAIN_NAME_CUES) {
    for (const match of text.matchAll(cue)) {
      const word = match[1] ?? ''
      const span = match.indices?.[1]
      const lowered = word.toLowerCase()
      if (!span || NOT_USERNAMES.has(lowered) || PROSE_WORDS.has(lowered)) continue
      if (NOT_SUBJECTS.has(lowered)) continue
      // Whole, as every value: "for jdoe;rm" is refused, never read as "jdoe".
      return wholeToken(text, span[0], span[1], { extendLeft: true })
    }
  }
  return undefined
}

/**
 * One word in quotes or brackets ("for 'bob'", "for (bob)", "unlock <bob>") as the bare word, the
 * marks put as spaces so positions stay: a name set off by them is still a name, never prose
 * that leaves the request to fall back on the sender's own account.
 */
const ENCLOSED_WORD =
  /(?<=^|\s)(?:"([A-Za-z0-9][A-Za-z0-9._-]*)["”]|'([A-Za-z0-9][A-Za-z0-9._-]*)['’]|“([A-Za-z0-9][A-Za-z0-9._-]*)[”"]|‘([A-Za-z0-9][A-Za-z0-9._-]*)[’']|\(([A-Za-z0-9][A-Za-z0-9._-]*)\)|<([A-Za-z0-9][A-Za-z0-9._-]*)>|\[([A-Za-z0-9][A-Za-z0-9._-]*)\])(?=$|[\s,.;:!?])/g

function withEnclosedWordsBare(text: string): string {
  return text.replace(ENCLOSED_WORD, (whole: string) => ` ${whole.slice(1, -1)} `)
}

export function findUsername(typed: string): string | undefined {
  const text = withEnclosedWordsBare(typed)
  for (const { cue, plainWordAllowed } of USERNAME_CUES) {
    for (const match of text.matchAll(cue)) {
      const start = match.indices?.[1]?.[0]
      if (start === undefined) continue
      // "for @bob": the mark is part of the value, so "@bob" is refused whole, not read as bob.
      const token = wholeToken(text, start, start, { extendLeft: text[start - 1] === '@' })
      if (PROSE_PUNCTUATION.test(token)) continue
      const shape = NAME_SHAPE.exec(token)?.[0]
      // Prose after the cue ("user is locked", "user can't log in"); a prose word with more
      // glued to it ("a,b") is a value to refuse.
      if (CONTRACTION.test(token)) continue
      if (shape === token && NOT_USERNAMES.has(shape.toLowerCase())) continue
      if (
        shape === token &&
        /^[A-Za-z]+$/.test(token) &&
        UNNAMED_USER.test(text.slice(0, match.index))
      )
        continue
      // A plain word after a weak cue ("for two days") is prose, not an account; a word with
      // something glued to it ("for jdoe;rm") is a value to refuse, not prose to skip.
      if (plainWordAllowed || /[._\d@-]/.test(shape ?? '') || token !== shape) return token
    }
  }
  const plain = plainName(text)
  if (plain !== undefined) return plain
  // A bare first.last, but not inside an email address, a URL or a domain name.
  for (const match of text.matchAll(/(?<![\w@./:-])([a-z]+\.[a-z]+\d*)(?![\w@./-])/g)) {
    const candidate = match[1] ?? ''
    if (!TOP_LEVEL_DOMAINS.has(candidate.split('.')[1] ?? '')) {
      return wholeToken(text, match.index, match.index + candidate.length, { extendLeft: true })
    }
  }
  return undefined
}

const TOP_LEVEL_DOMAINS = new Set(
  'com net org io local corp internal lan de uk fr nl es it eu us ca au ch se no dk fi be at pl info biz co app dev cloud'.split(
    ' ',
  ),
)

/**
 * The message with the account name it names put as "the user", for routing: a name tells the
 * router nothing about the task, and one its examples never used ("reset maria.garcia", "bob
 * needs adding to jira-fin-users") pulls it off the verb. Undefined when no name is found.
 */
export function withNameAsUser(text: string): string | undefined {
  const name = findUsername(text)
  if (name === undefined) return undefined
  const at = text.indexOf(name)
  if (at < 0) return undefined
  return `${text.slice(0, at)}the user${text.slice(at + name.length)}`
}
