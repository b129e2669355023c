/**
 * The words and value shapes the operation finder (request-operations.ts) and its last pass
 * (request-operations-finish.ts) share.
 * @module
 */

export interface ReadOperation {
  operation: string
  parameters: Record<string, string | number>
}

export interface Found extends ReadOperation {
  /** "reboot db02 after stopping postgresql": this step runs before the one written before it. */
  after?: boolean
  start: number
  end: number
  /** Spans of parameter values in the text (host names, paths). */
  valueSpans: Array<[number, number]>
}

export interface OperationsFound {
  operations: ReadOperation[]
  valueSpans: Array<[number, number]>
  /** Operations asked for whose service or process the text never names. */
  unread: string[]
}

// A name may end in "+" ("Notepad++.Notepad++"), never in other punctuation.
export const OBJECT = '([A-Za-z0-9](?:[A-Za-z0-9@._+:~-]*[A-Za-z0-9+])?)'
export const PATH = String.raw`((?:~|\$HOME)?\/[A-Za-z0-9._+@=~\/-]*[A-Za-z0-9_+@=~\/-]|[A-Za-z]:\\[^\s,;?"']*)`

/** A file named relative to the files directory: `motd.txt`, `nginx/site.conf`. */
export const FILE_NAME = String.raw`([A-Za-z0-9_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*(?:\/[A-Za-z0-9_][A-Za-z0-9._-]*)*\.[A-Za-z0-9]{1,10}|[A-Za-z0-9_][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_][A-Za-z0-9._-]*)+)`

/** Words an object can never be: pronouns, articles, prepositions and the verbs themselves. */
export const NOT_OBJECTS = new Set(
  `it them this that these those again me my our your the a an any all every each of on in at to
   from for with by and or then also just please pls plz now tonight today recent last past show
   check see get pull grab look journal log logs event error errors up down running stopped df
   status service services process processes package packages version latest updates update
   install remove restart start stop reboot kill out disk space free memory cpu time afterwards
   is are was be where if only but so as there here what which who how when i we you they he she
   someone somebody everyone nobody systemctl sudo apt apt-get yum dnf zypper winget choco
   chocolatey powershell bash its their em 'em anything something everything nothing stuff thing things
   got gets getting applied done pid cold warm hard soft quick graceful clean rolling forced emergency
   scheduled both either neither first`.split(/\s+/),
)

/**
 * Tools that are words of a command ("run it in powershell", "with sudo") but also packages
 * ("install the latest powershell on all windows machines"): an object only of a package verb.
 */
export const TOOL_PACKAGES = new Set('powershell bash sudo chocolatey choco winget'.split(' '))

/** Paths end before sentence punctuation. */
export function trimPath(value: string | undefined): string {
  return (value ?? '').replace(/[.,;:!?)]+$/, '')
}

/**
 * Programs that run as processes, not services: "is java running", "stop python" mean the
 * process. A name followed by the word "service" is a service whatever it is.
 */
export const PROCESS_NAMES = new Set(
  `java python python3 node ffmpeg chrome firefox msedge excel winword outlook notepad notepad.exe
   w3wp w3wp.exe php perl ruby dotnet rsync tar gzip curl wget vim top htop`.split(/\s+/),
)

// "end all instances of msiexec": counting words before the name are not the name.
export const FILLER = String.raw`(?:(?:the|a|an|any|all|both|each|every|everything|whole|entire|of|off|instances?\s+of|copies\s+of|stuck|hung|running|runaway|zombie|stray|orphaned|leftover|rogue|defunct|latest|newest|current|old|new|obsolete|legacy|named|called)\s+)*`

export const KEYWORD_BEFORE = String.raw`(?:(service|svc|process|daemon|package)\s+(?:called\s+|named\s+)?)?`

export const KEYWORD_AFTER = String.raw`(?:\s+(service|svc|process(?:es)?|procs?|daemon|package))?`

export const VERBS =
  /^(?:restart|start|stop|reboot|kill|install|uninstall|remove|update|upgrade|check|copy|then|show|look|get|make|ensure|terminate|patch|push|deploy|reload|verify|confirm|test|see|tell|list|count|grab|pull|bounce|also)$/i

/** A process by its name: a known program, or a Windows executable ("excel.exe"). */
export function isProcessName(name: string): boolean {
  return PROCESS_NAMES.has(name.toLowerCase()) || /\.exe$/i.test(name)
}

/** Words after a kind noun that end the phrase rather than name the thing ("the nginx service on"). */
const NOT_APPOSITIVE =
  /^(?:across|over|via|through|into|onto|everywhere|anywhere|again|now|asap|first|too|gracefully|cleanly|quickly|immediately|tonight|later|back|up|down|off|once|before|after|until|while|because|since|so|if|when|where|unless|except|but|and|or|then|too|pls|plz|please|thanks|thx|as|is|are|was|were|has|have|had|running|stopped|installed|itself|there|here)$/i

/**
 * "the IIS service W3SVC", "the windows update service wuauserv", "kernel package
 * linux-image-amd64": a description, its kind noun, then the thing's own name. `rest` is the
 * text after the object read; `keyword` whether that object was already followed by its kind
 * noun. The name is returned when the words read so far were the description, else undefined.
 */
export function appositiveName(
  rest: string,
  keyword: boolean,
  isName: (word: string) => boolean,
): string | undefined {
  const pattern = keyword
    ? new RegExp(String.raw`^\s+(?:called\s+|named\s+)?${OBJECT}`)
    : new RegExp(
        String.raw`^(?:\s+(?!(?:on|in|at|to|for|from|and|or|then|but|across|with)\b)[A-Za-z][A-Za-z0-9-]*){0,2}?\s+(?:service|daemon|package|process)\s+(?:called\s+|named\s+)?${OBJECT}`,
        'i',
      )
  const name = pattern.exec(rest)?.[1]
  if (name === undefined || NOT_APPOSITIVE.test(name) || !isName(name)) return undefined
  return name
}
