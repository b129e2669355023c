/**
 * Words as technicians type them, before the lexicon reads them (request-lexicon.ts): a slip in a
 * catalog verb at the start of a clause ("rstart", "isntall"), a slip in a word the reader keys
 * on anywhere ("erors", "reslove", "chekc"), and phrases said another way that the reader would
 * otherwise misread (the event viewer, a display name with its service's own name in brackets,
 * "don't start it", "the broken nodejs package"). Names are never touched.
 * @module
 */

/** The catalog verbs a typing slip is corrected to ("rstart", "restrat", "isntall", "rebot"). */
const VERBS = [
  'restart',
  'install',
  'uninstall',
  'upgrade',
  'update',
  'reboot',
  'remove',
  'status',
  'whether',
]

/** Words one edit away from a verb that are words of their own, never slips. */
const REAL_WORDS = new Set([
  'remote',
  'restarts',
  'installs',
  'updated',
  'updates',
  'upgraded',
  'removed',
  'removes',
  'reboots',
  'rebooted',
  'upgrades',
  'updater',
  'installer',
  'uptime',
  'upstate',
  'restate',
  'stats',
  'states',
  'statue',
  'statues',
  'stature',
  'statutes',
  'weather',
  'either',
  'neither',
])

/** Whether two words are one edit apart (insert, delete, substitute or swap two neighbours). */
function oneEditApart(word: string, verb: string): boolean {
  if (word === verb || Math.abs(word.length - verb.length) > 1) return false
  let index = 0
  while (index < word.length && word[index] === verb[index]) index += 1
  const swapped = word[index] === verb[index + 1] && word[index + 1] === verb[index]
  return (
    word.slice(index + 1) === verb.slice(index + 1) ||
    word.slice(index) === verb.slice(index + 1) ||
    word.slice(index + 1) === verb.slice(index) ||
    (swapped && word.slice(index + 2) === verb.slice(index + 2))
  )
}

/** A slip in a verb at the start of a clause, corrected; other words pass through. */
export function correctSlips(text: string): string {
  // The lead is looked behind, not taken: "check wether" corrects the word after "check" too.
  return text.replace(
    /(?<=^|[,.;:!?]\s*|\b(?:then|and|pls|please|plz|can\s+you|could\s+you|can\s+someone|could\s+someone|can\s+we|we|i|to|of|the|check|see|know)\s+)([A-Za-z]{5,10})\b/gi,
    (whole, word: string) => {
      const lowered = word.toLowerCase()
      if (REAL_WORDS.has(lowered) || VERBS.includes(lowered)) return whole
      const verb = VERBS.find((candidate) => oneEditApart(lowered, candidate))
      return verb ?? whole
    },
  )
}

/**
 * Words the reader keys on, misspelt anywhere in the sentence ("tail erors", "can dp03 reslove
 * db02"), and phrases said another way ("the event viewer" is the event log, "is X even
 * running" is "is X running"). Names are never touched: only these words, one edit away.
 */
const KEY_WORDS = ['errors', 'resolve', 'check', 'running']
const NOT_SLIPS = new Set([
  'error',
  'terrors',
  'revolve',
  'resolver',
  'resolved',
  'resolves',
  'errored',
  'cheek',
  'chick',
  'chuck',
  'checks',
  'cheeks',
  'chalk',
  'cunning',
  'ruining',
  'turning',
  'burning',
])
const PHRASES: ReadonlyArray<[RegExp, string]> = [
  [/\bteh\b/gi, 'the'],
  // "remove the broken nodejs package", "kill the hung w3wp": the state is not the name.
  [
    /\b(?<=(?:the|that|this|those)\s+)(?:broken|old|stale|outdated|corrupt(?:ed)?|bad|hung|stuck|dodgy|faulty|existing|runaway|rogue|zombie|frozen|crashed|misbehaving)\s+(?=[A-Za-z0-9][A-Za-z0-9.+_:@-]*\s+(?:package|service|daemon|process|on|from|across|off)\b)/gi,
    '',
  ],
  // "replace C:\App\config.json with app/config.json": a copy over the file there.
  [
    /\breplace\s+((?:[A-Za-z]:\\|\/)[^\s,;]+)\s+with\s+([A-Za-z0-9_][A-Za-z0-9._/-]*\.[A-Za-z0-9]{1,10})\b/gi,
    'copy $2 to $1 and overwrite',
  ],
  // "If php-fpm is running on web03, kill the process": the process the sentence named.
  [
    /\b(kill|stop|end|terminate)\s+(?:the|that|this)\s+process\b(?!\s+(?!on\b|there\b)[A-Za-z0-9])/gi,
    '$1 it',
  ],
  // "the Windows Time (W32Time) service": a display name with the service's own name after it.
  [
    /\b(?:(?!(?:Please|Pls|Stop|Start|Restart|Check|Is|Are|Kill|Can|Could|Would|Bounce|Reboot|Make|Ensure|Confirm|Verify|See|Tell|Show|Get|Set|If|When|And|Then|On|The|Our)\b)[A-Z][A-Za-z0-9-]*\s+){1,5}\(([A-Za-z0-9][A-Za-z0-9@._-]*)\)/g,
    '$1',
  ],
  // "Stop-Process the hung w3wp": the cmdlet said as a verb.
  [/\bStop-Process\s+the\s+/gi, 'Stop-Process '],
  // "ps check for gunicorn": a process check.
  [/\bps\s+check\s+(?:for|on)\s+/gi, 'check for process '],
  // "... only where it's running, dont start it anywhere it was off": what not to do is no step.
  [
    /\b(?:don'?t|dont|do\s+not|never|no\s+need\s+to)\s+(?:re)?(?:start|stop|restart|reboot|kill|install|remove|update|upgrade)\b[^,.;!?]*/gi,
    '',
  ],
  [/\bevent\s+viewer\b/gi, 'event log'],
  [/\b(?:even|actually|really|still)\s+(?=(?:running|up|alive|installed|there|reachable)\b)/gi, ''],
]

export function correctKeyWords(text: string): string {
  let result = text.replace(/\b[A-Za-z]{5,9}\b/g, (word) => {
    const lowered = word.toLowerCase()
    if (NOT_SLIPS.has(lowered) || KEY_WORDS.includes(lowered)) return word
    return KEY_WORDS.find((key) => oneEditApart(lowered, key)) ?? word
  })
  for (const [pattern, replacement] of PHRASES) result = result.replace(pattern, replacement)
  return result
}
