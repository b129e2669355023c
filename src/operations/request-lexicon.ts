import { rewriteCommands } from './request-commands.ts'
import { correctKeyWords, correctSlips } from './request-spelling.ts'
import { NOT_OBJECTS } from './request-words.ts'

/**
 * The technicians' lexicon: slang and roundabout verbs rewritten to the catalog's own verbs before
 * the reader looks for operations ("nuke the java process" -> "kill the java process", "fire up
 * nginx" -> "start nginx", "rip out telnet" -> "remove telnet", "give it a kick" -> "restart it").
 * One table, grouped by the catalog verb each phrase means, so a new synonym is one line and the
 * verb and object patterns of request-operations.ts stay about the catalog, not about wording.
 * Only verbs are rewritten: names, paths, versions and machine names pass through as typed.
 * @module
 */

/** What "bring X up to ..." ends with when it means an update, not a start. */
const UP_TO = String.raw`(?:date|(?:the\s+)?(?:latest|newest|current)(?:\s+version)?|version\b)`

/** [canonical verb, phrases that mean it]. Phrases are regular-expression sources, word-bounded. */
const LEXICON: ReadonlyArray<readonly [string, readonly string[]]> = [
  [
    'restart',
    [
      // "give nginx a kick", "give it a bounce": the object moves after the verb.
      String.raw`give\s+(?<object>(?:the\s+)?[A-Za-z0-9][A-Za-z0-9@._-]*(?:\s+(?:service|daemon))?)\s+an?\s+(?:quick\s+)?(?:kick|bounce|restart|recycle|nudge)`,
      String.raw`(?:kick|bounce|cycle)\s+(?<object>(?:the\s+)?[A-Za-z0-9][A-Za-z0-9@._-]*(?:\s+(?:service|daemon))?)\s+(?:over|again)`,
      String.raw`re-?kick`,
      // The catalog has no reload: a restart is the nearest step that does it.
      String.raw`reload(?=\s+(?:the\s+)?[A-Za-z0-9][A-Za-z0-9@._-]*(?:\s+(?:service|daemon))?\s+(?:on|across|for|at|in|everywhere)\b)`,
      String.raw`hup`,
      String.raw`cycle\s+through`,
    ],
  ],
  [
    // "the print spooler": the service technicians call by its last word.
    'spooler',
    [String.raw`print\s+spooler(?=\s+(?:on|across|for|service|is|at)\b|\s*[.,;!?]|\s*$)`],
  ],
  [
    'start',
    [
      // Separable particles: "fire nginx up", "turn the spooler back on".
      String.raw`(?:fire|spin|boot|power|start)\s+(?<object>(?:the\s+)?[A-Za-z0-9][A-Za-z0-9@._-]*(?:\s+(?:service|daemon))?)\s+(?:back\s+)?up`,
      String.raw`(?:turn|switch)\s+(?<object>(?:the\s+)?[A-Za-z0-9][A-Za-z0-9@._-]*(?:\s+(?:service|daemon))?)\s+(?:back\s+)?on`,
      String.raw`fire\s+up`,
      String.raw`spin\s+up`,
      String.raw`boot\s+up`,
      String.raw`turn\s+on`,
      String.raw`switch\s+on`,
      String.raw`power\s+up`,
      String.raw`kick\s+off`,
      String.raw`launch`,
      String.raw`(?:re)?enable\s+and\s+start`,
      // "the service on dp02 is down, bring it back"
      String.raw`bring\s+(?<object>it|them)\s+back(?!\s+(?:up|online|down|offline)\b)`,
      // "bring up the WinRM service", "bring nginx back up", "bring the spooler back online"
      String.raw`bring\s+(?<object>(?:the\s+)?[A-Za-z0-9][A-Za-z0-9@._-]*(?:\s+(?:service|daemon))?)\s+(?:back\s+)?(?:up(?!\s+to\s+${UP_TO})|online)`,
      String.raw`bring\s+(?:back\s+)?up(?!\s+to\s+${UP_TO})`,
    ],
  ],
  [
    'stop',
    [
      String.raw`(?:shut|turn|switch|spin|power)\s+(?<object>(?:the\s+)?[A-Za-z0-9][A-Za-z0-9@._-]*(?:\s+(?:service|daemon))?)\s+(?:off|down)`,
      String.raw`halt`,
      String.raw`shut\s+off`,
      String.raw`turn\s+off`,
      String.raw`switch\s+off`,
      String.raw`spin\s+down`,
      String.raw`power\s+down`,
      String.raw`stop\s+and\s+disable`,
    ],
  ],
  [
    // "nuke apache2 off web04", "rip telnet out of the db boxes": gone from the machine.
    'remove',
    [
      String.raw`(?:nuke|zap|wipe|strip|kill|scrub)\s+(?<object>(?:the\s+)?[A-Za-z0-9][A-Za-z0-9.+_:-]*(?:\s+package)?)\s+(?=(?:off|out\s+of)\s)`,
    ],
  ],
  [
    'kill',
    [
      String.raw`nuke`,
      String.raw`zap`,
      String.raw`slay`,
      String.raw`force[-\s]?kill`,
      String.raw`force[-\s]?quit`,
      String.raw`end[-\s]?task`,
      String.raw`force[-\s]?stop\s+(?=(?:the\s+)?\S+\s+process)`,
    ],
  ],
  [
    'remove',
    [
      // "take vim off build01", "take telnet out of the web servers": gone from the machine.
      String.raw`take\s+(?<object>(?:the\s+)?[A-Za-z0-9][A-Za-z0-9.+_:-]*(?:\s+package)?)\s+(?=(?:off|out\s+of|from)\s)`,
      String.raw`get\s+rid\s+of`,
      // "drop the nodejs package from web04" (dropping one onto machines is an install)
      String.raw`drop\s+(?=(?:the\s+)?[A-Za-z0-9][A-Za-z0-9.+_:-]*(?:\s+package)?\s+(?:from|off)\s)`,
      String.raw`rip\s+out`,
      String.raw`rip\s+(?=\S+\s+(?:out\s+)?(?:off|from)\b)`,
      String.raw`purge`,
      String.raw`yank`,
      String.raw`deinstall`,
      String.raw`take\s+off`,
    ],
  ],
  [
    'update',
    [
      String.raw`bump`,
      String.raw`bring\s+up\s+to\s+${UP_TO}`,
      // "bring nginx up to date", "bring nginx up to the latest version"
      String.raw`bring\s+(?<object>(?:the\s+)?[A-Za-z0-9][A-Za-z0-9.+_:-]*(?:\s+package)?)\s+up\s+to\s+${UP_TO}`,
      String.raw`refresh\s+(?=the\s+package)`,
    ],
  ],
  [
    'check',
    [
      String.raw`chk`,
      String.raw`have\s+a\s+look\s+at`,
      String.raw`take\s+a\s+look\s+at`,
      String.raw`look\s+at`,
      String.raw`peek\s+at`,
      String.raw`eyeball`,
      String.raw`sanity[-\s]check`,
      String.raw`double[-\s]check`,
      String.raw`query`,
    ],
  ],
]

const PATTERNS: ReadonlyArray<readonly [string, RegExp]> = LEXICON.map(([verb, phrases]) => [
  verb,
  new RegExp(String.raw`\b(?:${phrases.join('|')})\b`, 'gi'),
])

/**
 * Package verbs said with a name and a place: "put htop on web01", "add jq to the build agents";
 * not a name put to a path ("deploy chrony.conf to /etc/chrony.conf" is a file copy).
 */
const PLACE_INSTALL =
  /\b(?:put|add|deploy|drop|get|push|roll\s+out|set\s+up|lay\s+down|need|needs|want|wants)\s+(?!\/|[A-Za-z]:\\|the\s+(?:new|updated|latest)\s+(?:file|config)|file\b|config\b|it\b|them\b|me\b)((?:the\s+)?(?:package\s+)?[A-Za-z0-9][A-Za-z0-9.+_:-]*(?:\s+(?:package|client|agent|tool))?)\s+(?:out\s+)?(?=(?:on|onto|to|across)\s)(?!(?:to|onto)\s+(?:~|\$HOME|\/|[A-Za-z]:\\))/gi

/** "get the latest 7zip on fs01", "push the newest git to the build agents": an update. */
const PLACE_LATEST =
  /\b(?:put|get|push|roll\s+out|bring|deploy)\s+(?:the\s+)?(?:latest|newest|current)\s+(?:version\s+of\s+)?([A-Za-z0-9][A-Za-z0-9.+_:-]*)\s+(?=(?:on|onto|to|across)\s)/gi

/** Participles of the slang verbs, for passives ("need nginx bounced on web04"). */
const PARTICIPLES: ReadonlyArray<[RegExp, string]> = [
  [/\b(?:bounced|kicked|recycled|cycled|hup'?d)\b/gi, 'restarted'],
  [/\b(?:nuked|zapped)\b(?!\s+(?:off|from))/gi, 'killed'],
  [/\b(?:fired|spun)\s+up\b/gi, 'started'],
  [/\b(?:halted|turned\s+off)\b/gi, 'stopped'],
  [/\b(?:ripped\s+out|purged|yanked)\b/gi, 'removed'],
  [/\b(?:bumped|patched)\b/gi, 'updated'],
]

/**
 * The subject before a passive or a noun ("nginx on web03 needs a restart", "the spooler should
 * be restarted", "dataprocessor needs stopping"): the verb is put first, "restart nginx on
 * web03", so the verb-object patterns read it. Only passives and nouns: "web01 should restart
 * nginx" (active) is left alone, and so is an owner's thing ("my laptop needs a restart").
 */
const SUBJECT_FIRST =
  /(?<!\b(?:my|our|your|his|her|their)\s+(?:the\s+)?)\b(?:the\s+)?([A-Za-z0-9][A-Za-z0-9@._+-]*(?:\s+(?:service|daemon|process|package))?)(\s+(?:on|across|for|at|in)\s+[^,.;!?]{1,50}?)?\s+(?:really\s+|probably\s+|just\s+|still\s+)?(?:needs|need|needed|should|must|has\s+to|have\s+to|wants|could\s+use|could\s+do\s+with|is\s+due\s+(?:for|a))\s+(?:(?:to\s+)?(?:be|get)\s+(restart|start|stopp|kill|updat|upgrad|install|remov|uninstall|patch|reboot)(?:ed|d)|an?\s+(?:quick\s+|good\s+|full\s+|fresh\s+|proper\s+)?(restart|start|stop|update|upgrade|install|removal|uninstall|patch|reboot)|(restart|start|stopp|kill|updat|upgrad|install|remov|uninstall|patch|reboot)(?:ed|ing))\b(?!\s+(?:of|to)\b)/gi

const STEMS: Readonly<Record<string, string>> = {
  stopp: 'stop',
  updat: 'update',
  upgrad: 'upgrade',
  remov: 'remove',
  removal: 'remove',
}

/** "memcached - stop it on the web boxes": the name as the topic, then the verb on "it". */
const TOPIC_FIRST =
  /(?<=^|[.;!?]\s*)(?:the\s+)?([A-Za-z0-9][A-Za-z0-9@._+-]*(?:\s+(?:service|daemon|process|package))?)(\s+(?:on|across)\s+[^-\u2013\u2014:,.;!?]{1,40}?)?\s*(?:-+|\u2013|\u2014|:)\s*(?:please\s+|pls\s+|can\s+you\s+|could\s+you\s+)?(restart|start|stop|kill|check|update|upgrade|install|remove|uninstall|reboot|bounce|cycle|recycle)\s+(?:it|that|this)\b/gi

const TOPIC_VERBS: Readonly<Record<string, string>> = {
  bounce: 'restart',
  cycle: 'restart',
  recycle: 'restart',
}

function verbFirst(text: string): string {
  text = text.replace(
    TOPIC_FIRST,
    (whole, object: string, middle: string | undefined, verb: string) => {
      const name = (object.split(/\s+/)[0] ?? '').toLowerCase()
      const canonical = TOPIC_VERBS[verb.toLowerCase()] ?? verb
      return NOT_OBJECTS.has(name) || NOT_SUBJECTS.has(name)
        ? whole
        : `${canonical} ${object}${middle ?? ''}`
    },
  )
  return text.replace(
    SUBJECT_FIRST,
    (whole, object: string, middle: string | undefined, ...verbs: unknown[]) => {
      const stem = verbs.slice(0, 3).find((each): each is string => typeof each === 'string')
      const name = (object.split(/\s+/)[0] ?? '').toLowerCase()
      if (!stem || NOT_OBJECTS.has(name) || NOT_SUBJECTS.has(name)) return whole
      const lowered = stem.toLowerCase()
      return `${STEMS[lowered] ?? lowered} ${object}${middle ?? ''}`
    },
  )
}

/** Subjects that are people or the request itself, never what the work is done to. */
const NOT_SUBJECTS = new Set(
  'someone somebody anyone anybody team user users everyone he she they we i you one this that which what request ticket'.split(
    ' ',
  ),
)

/**
 * "restart web02's nginx", "bounce the web servers' php-fpm": the owner is where the work goes,
 * so the name comes first and the owner after "on".
 */
const POSSESSIVE =
  /\b(restart|start|stop|kill|check|update|upgrade|install|remove|bounce|kick|reload)\s+(the\s+)?((?:[A-Za-z0-9][A-Za-z0-9._-]*\s+)?[A-Za-z0-9][A-Za-z0-9._-]*?)(?:['\u2019]s|s['\u2019])\s+([A-Za-z0-9][A-Za-z0-9@._+-]*)/gi

export function applyLexicon(text: string): string {
  let result = verbFirst(correctSlips(rewriteCommands(correctKeyWords(text)))).replace(
    POSSESSIVE,
    (whole, verb: string, article: string | undefined, owner: string, name: string) =>
      NOT_OBJECTS.has(name.toLowerCase())
        ? whole
        : `${verb} ${name} on ${article ?? ''}${owner}${/s['\u2019]\s/.test(whole) ? 's' : ''}`,
  )
  for (const [pattern, participle] of PARTICIPLES) result = result.replace(pattern, participle)
  for (const [verb, pattern] of PATTERNS) {
    result = result.replace(pattern, (...args: unknown[]) => {
      const whole = String(args[0])
      const groups = args[args.length - 1] as Record<string, string | undefined> | undefined
      const object = groups?.object
      // A phrase that ends before a lookahead keeps the space it took.
      const trailing = /\s*$/.exec(whole)?.[0] ?? ''
      return object ? `${verb} ${object}${trailing}` : `${verb}${trailing}`
    })
  }
  result = result.replace(PLACE_LATEST, (whole, object: string) =>
    NOT_OBJECTS.has(object.toLowerCase()) || NOT_PACKAGES.has(object.toLowerCase())
      ? whole
      : `update ${object} `,
  )
  return result.replace(PLACE_INSTALL, (whole, object: string, offset: number, all: string) => {
    const name =
      object
        .replace(/^the\s+/i, '')
        .replace(/^package\s+/i, '')
        .split(/\s+/)[0]
        ?.toLowerCase() ?? ''
    // "get the status on web01", "add web05 to the web-servers group": not a package.
    const after = all.slice(offset + whole.length, offset + whole.length + 40)
    if (
      NOT_OBJECTS.has(name) ||
      NOT_PACKAGES.has(name) ||
      /^\S+\s+(?:the\s+)?\S+\s+group\b/i.test(after) ||
      // "cant get the vpn to connect": "get X to" and a verb is making it work, not installing.
      (/^get\b/i.test(whole) &&
        /^to\s+[a-z]+\b/.test(after) &&
        !/^to\s+(?:the|all|every|each|our|both|those|these|any)\b/i.test(after))
    )
      return whole
    return `install ${object} `
  })
}

/** Nouns a placing verb can take that are not packages ("get the info on web01"). */
const NOT_PACKAGES = new Set(
  'info details list count uptime state health numbers breakdown output results stats report access permission permissions user users account help time root admin sudo password passwords space room memory'.split(
    ' ',
  ),
)
