/**
 * The words that mark what a message does in a conversation, independent of any runbook: small
 * talk, "talk to a person", not knowing, questions about the question, and the cues of a
 * correction. Split from dialogue-act.ts, which decides the act from these and the open question.
 * @module
 */

export type SmallTalkTopic =
  | 'greeting'
  | 'thanks'
  | 'bot'
  | 'how_are_you'
  | 'acknowledgement'
  /** "thanks, that's all", "bye": the person is done. */
  | 'goodbye'
  /** "hang on", "one sec, let me check": the person is finding the answer. */
  | 'pause'

export const HANDOFF =
  /\b(?:talk|speak|chat|connect\s+me|put\s+me\s+through|transfer\s+me)\s+(?:to|with)\s+(?:a|an|some|the|your)?\s*(?:real\s+|live\s+|actual\s+|human\s+)?(?:person|human|humans|agent|someone|somebody|technician|tech|people|operator|representative|engineer)\b|^\s*(?:(?:i\s+want|i\s+need|get\s+me|give\s+me)\s+)?(?:a\s+)?(?:real\s+|live\s+)?(?:human|person|agent|operator|representative|technician)(?:\s+please|\s+pls)?\s*[.!?]*\s*$/i

const THANKS = String.raw`(?:thanks?|thank\s+(?:you|u)|thx|ty|ta|tyvm|cheers|many\s+thanks|much\s+appreciated|appreciate\s+it)(?:\s+(?:a\s+lot|so\s+much|very\s+much|again|mate|buddy|for\s+(?:the|your)\s+help|for\s+helping))*`
/** Praise that comes with thanks: "you're a star", "legend", "lifesaver". */
const PRAISE = String.raw`(?:(?:you(?:'re|\s+are)|ur)\s+(?:a\s+|the\s+)?(?:star|legend|hero|life\s*saver|genius|champ|gem|best|great|awesome|amazing|brilliant|wonderful)|(?:a\s+)?(?:legend|star|hero|life\s*saver|champ|gem)|you\s+rock|nice\s+one|great\s+job|good\s+job|well\s+done|much\s+obliged)`
/** How people end a chat: "that's all", "bye", "have a nice day", "all sorted". */
const CLOSING = String.raw`(?:that'?s\s+(?:all|it|everything)(?:\s+for\s+(?:now|today))?|that\s+is\s+(?:all|it)|nothing\s+else|all\s+(?:good|sorted|set|done|fixed)|(?:it'?s\s+)?(?:working|sorted|fixed)\s+now|(?:that|it|this)\s+(?:(?:has\s+|'s\s+)?(?:worked|helped|fixed\s+it|solved\s+it|sorted\s+it)|did\s+(?:it|the\s+trick)|works(?:\s+now)?)|problem\s+solved|(?:it'?s|it\s+is)\s+(?:fine|ok|okay|good)\s+now|(?:good\s*)?bye(?:\s+bye)?|goodbye|see\s+(?:you|ya)|have\s+a\s+(?:nice|good|great)\s+(?:day|one|evening|weekend)|(?:you\s+)?can\s+close\s+(?:this|it))(?:\s+now)?`

const SMALL_TALK: ReadonlyArray<[SmallTalkTopic, RegExp]> = [
  [
    'goodbye',
    new RegExp(
      String.raw`^(?:(?:ok(?:ay)?|great|perfect|awesome|cool|brilliant|nice|lovely|no|yes|yep|yeah|ah|oh|wow)\s+)*(?:${THANKS}\s+)?${CLOSING}(?:\s+${THANKS})?(?:\s+${CLOSING})*$`,
    ),
  ],
  [
    'bot',
    /^(?:are\s+you\s+(?:a\s+)?(?:bot|robot|human|real|real\s+person|person|ai|machine|an?\s+ai)|is\s+this\s+(?:a\s+)?(?:bot|robot|human|real\s+person|an?\s+ai|automated)|am\s+i\s+(?:talking|chatting|speaking)\s+(?:to|with)\s+(?:a\s+)?(?:bot|robot|human|machine|person|real\s+person|an?\s+ai)|who\s+are\s+you|what\s+are\s+you)(?:\s+or\s+(?:a\s+)?(?:bot|robot|human|real\s+person|person|machine))?$/,
  ],
  [
    'how_are_you',
    /^(?:(?:hi|hello|hey)\s+)?(?:how\s+are\s+you(?:\s+doing)?(?:\s+today)?|how'?s\s+it\s+going|how\s+are\s+things|how\s+do\s+you\s+do|what'?s\s+up|sup)$/,
  ],
  [
    'thanks',
    new RegExp(
      String.raw`^(?:(?:ok(?:ay)?|great|perfect|awesome|cool|brilliant|nice|lovely)\s+)*(?:${THANKS}(?:\s+${PRAISE})*|${PRAISE}(?:\s+${THANKS})?)$`,
    ),
  ],
  [
    'greeting',
    /^(?:hi|hello|hey|hiya|howdy|yo|hey\s+there|hi\s+there|hello\s+there|good\s+(?:morning|afternoon|evening|day)|greetings)(?:\s+(?:there|team|all|everyone|helpdesk|bot))?$/,
  ],
  [
    'pause',
    /^(?:(?:ok(?:ay)?|sure|yes|yeah|yep|right|alright|um+|erm?|hmm+)\s+)*(?:(?:hang|hold)\s+on|wait|one\s+(?:sec|second|moment|min|minute)|just\s+a\s+(?:sec|second|moment|min|minute)|give\s+me\s+a\s+(?:sec|second|moment|min|minute|bit)|bear\s+with\s+me|brb|a\s+moment|(?:let\s+me|i'?ll|i\s+will|going\s+to|gonna)\s+(?:check|look|see|find\s+(?:it|out)|have\s+a\s+look|look\s+it\s+up)|checking|looking)(?:\s+(?:please|pls|a\s+sec|a\s+second|then|now|(?:let\s+me|i'?ll)\s+(?:check|look|see|find\s+(?:it|out)|have\s+a\s+look)))*$/,
  ],
  ['acknowledgement', /^(?:ok(?:ay)?|k|cool|great|got\s+it|alright|all\s+right|sure|fine|noted)$/],
]

/** "how many assets does the company have?", "what is the total number of licenses?" */
export const RECORDS_QUESTION =
  /^\s*(?:(?:hi|hello|hey)[,!.]?\s+)?(?:(?:can|could)\s+you\s+tell\s+me\s+)?(?:how\s+many\s+[\w\s-]{1,40}?\s+(?:do|does|did)\s+(?:we|you|the\s+company|our\s+company|the\s+organi[sz]ation|our\s+team|the\s+team|our\s+office|the\s+office)\s+(?:have|own|use|got)\b|what(?:'s|\s+is)\s+the\s+(?:total\s+)?(?:number|count)\s+of\s+|what(?:'s|\s+is)\s+the\s+(?:asset|license|licence|device|laptop|user)\s+count\b)/i

/**
 * "I don't know", "no idea", "not sure", "no clue": at the start, standing alone or before a
 * pause, so "I don't know my password" stays a request.
 */
const NOT_KNOWING = String.raw`(?:i\s+)?(?:really\s+|honestly\s+|just\s+|also\s+|genuinely\s+|truly\s+)?(?:(?:do\s*n[o'’]?t|dont|do\s+not|did\s*n[o'’]?t|didnt)\s+know|dunno|(?:have|got)\s+no\s+idea|no\s+idea|not\s+sure|i['’]?m\s+not\s+sure|i\s+am\s+not\s+sure|unsure|no\s+clue|not\s+a\s+clue|(?:have\s*n[o'’]?t|havent|have\s+not|not)\s+got\s+(?:a|any)\s+clue|(?:have\s*n[o'’]?t|havent)\s+(?:a|any)\s+clue|clueless|beats\s+me|idk|no\s+clue|(?:can['’]?t|cannot|don['’]?t)\s+(?:remember|recall|tell)|can['’]?t\s+find\s+(?:it|out|that)|cannot\s+find\s+(?:it|out|that)|can['’]?t\s+see\s+it|have\s+no\s+way\s+to\s+(?:check|find\s+out)|(?:how|why)\s+(?:would|should|could|am)\s+i\s+(?:(?:supposed|meant)\s+to\s+)?know)(?:\s+(?:which|what|the\s+name|its\s+name|the\s+[a-z]+|its\s+[a-z]+|it|that|sorry|either|really|honestly|tbh|to\s+be\s+honest|at\s+all|anywhere|mate|though|i['’]?m\s+afraid))*(?:\s+(?:what|which|where|how|if|whether)(?:\s+[\w'’-]+){0,3})?`
/**
 * "I don't know", "no idea", "not sure", "no clue", "I really don't know and can't find it": at
 * the start, standing alone or before a pause, so "I don't know my password" stays a request.
 */
export const DONT_KNOW = new RegExp(
  String.raw`^\s*(?:(?:hmm+|um+|sorry|honestly|oh|well)[,.!]?\s+)*${NOT_KNOWING}(?:\s*(?:,|and|or|but|,\s*and)\s+${NOT_KNOWING})*\s*(?:[,.;:!?-]+|$)`,
  'i',
)

/**
 * A question about the question asked: "where do I find that?", "what's the difference?", "what
 * do you mean by the name?", "how do I check?". Short, and pointing back at the question (it,
 * that, this, the name, the options) rather than naming a problem of its own.
 */
export const CLARIFY =
  /^\s*(?:(?:sorry|hmm+|um+|ok(?:ay)?|erm?|so|but)[,.!]?\s+)*(?:(?:where|how)\s+(?:do|can|would|could|should|will)\s+i\s+(?:find|see|check|get|look\s+(?:it\s+)?up|look|tell|know|work\s+out|figure\s+out)(?:\s+(?:it|that|this|them|out|the\s+name|which|what))?(?:\s+out)?|where\s+(?:is|are|'s)\s+(?:it|that|this|those)|where\s+would\s+(?:it|that)\s+be|what\s+do(?:es)?\s+(?:you|that|it|this)\s+mean(?:\s+by\s+(?:that|this|it|the\s+[\w\s'’-]{1,25}))?|what\s+(?:is|does)\s+that\s+mean|what(?:['’]s|\s+is|\s+are)\s+(?:the\s+difference|the\s+options|my\s+options|the\s+choices|that|this|those|an?\s+[\w\s'’-]{1,25})|which\s+(?:one\s+)?is\s+which|what\s+are\s+they|huh|pardon|come\s+again|what\s+\?|which\s+(?:one|[a-z]+)\s+do\s+you\s+mean|(?:which|what)\s+(?:one|computer|machine|device|account|login|system|name)\s*(?:exactly)?(?=\s*\?)|what\s+(?:do\s+you\s+need|are\s+you\s+asking(?:\s+for)?|do\s+you\s+want(?:\s+from\s+me)?)(?:\s+exactly)?|i\s+(?:do\s*n[o'’]?t|dont)\s+(?:understand|get)(?:\s+(?:the|your)\s+question|\s+it|\s+that|\s+what\s+you\s+mean)?|(?:can|could)\s+you\s+(?:explain|rephrase|clarify|say\s+(?:that|it)\s+again)(?:\s+(?:that|it|please))*)\s*(?:again)?\s*[?!.]*\s*$/i

/** Words that only fill a pause: "oh", "hmm", "wait". Alone they correct nothing. */
const PAUSE = String.raw`(?:oh|ah|er+m?|um+|hmm+|wait|hang\s+on|hold\s+on|ok(?:ay)?)`
/** Words that say a value given was wrong: "no", "oops", "sorry", "wrong machine". */
const WRONG = String.raw`(?:oops|whoops|sorry|my\s+bad|actually|correction|(?:that'?s\s+)?wrong(?:\s+(?:one|machine|computer|laptop|pc|device|user(?:name)?|name|account|person|system|box|login))?|(?:no|nope|nah)(?=\s*[,.!:;-]|\s+(?:wait|sorry|actually|i\s+meant?|i\s+mean|it'?s|its|it\s+is|that'?s|not|make|change|hang|hold|my\s+bad|oops|the|it\s+should)\b))`
/** What introduces the right value: "I meant", "it's actually", "should be", "make that". */
const RIGHT = String.raw`(?:(?:(?:it'?s|it\s+is|its|that'?s|that\s+is)\s+)?(?:actually\s+|really\s+)?(?:i\s+meant?|i\s+mean|i\s+should\s+have\s+said|(?:it\s+)?should\s+(?:be|have\s+been|say)|make\s+(?:it|that)|change\s+(?:it|that)\s+to|rather|not\s+that(?:\s+one)?)\b|(?:it'?s|it\s+is|its)\s+(?:actually|really)\b)`

/**
 * "actually", "no,", "sorry, I meant", "hmm no wait, I meant", "wrong machine, it's", "sorry
 * it's actually": the message changes a value given before. At least one word of it must say
 * something was wrong; the value follows.
 */
export const CORRECTION = new RegExp(
  String.raw`^\s*(?:${PAUSE}[,.!]*\s+)*(?:(?:${WRONG}|${RIGHT})[,.!:;-]*\s*)(?:(?:${PAUSE}|${WRONG}|${RIGHT})[,.!:;-]*\s*)*`,
  'i',
)

/**
 * "LT-0424 not LT-0423", "not jdoe, kwong": the value that was wrong, said beside the right one;
 * removed before the right one is read.
 */
export const NEGATED_VALUE =
  /(?:^\s*not\s+(?:the\s+)?[\w.@-]+(?:\s+one)?\s*[,;]\s*(?:but\s+)?|(?:\s*,\s*|\s+)(?:and\s+|but\s+)?not\s+(?:the\s+)?[\w.@-]+(?:\s+one)?\s*[.!]*\s*$)/i

/** The kind of small talk the whole message is, or undefined. */
export function smallTalkOf(message: string): SmallTalkTopic | undefined {
  const normalised = message
    .toLowerCase()
    .replace(/[’]/g, "'")
    .replace(/[^a-z0-9' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  if (!normalised) return undefined
  // "hi, thanks!" or "hello, are you a bot?": a greeting in front of small talk is still small talk.
  const withoutGreeting = normalised.replace(/^(?:hi|hello|hey|hiya)(?: there)? (?=\S)/, '')
  for (const [topic, pattern] of SMALL_TALK) {
    if (pattern.test(normalised) || pattern.test(withoutGreeting)) return topic
  }
  return undefined
}

/** "my own laptop then", "LT-0424 instead": a correction said at the end. */
export const TRAILING_CORRECTION =
  /^\s*(?:(?:oh|oops|sorry|ok(?:ay)?|fine|hmm|right)[,.!]?\s+)*(.+?)[,\s]+(?:then|instead|my\s+(?:mistake|bad|error)|sorry|(?:that\s+was\s+)?a\s+typo)\s*[.!]*\s*$/i

/** Cue words that say outright that a value was wrong. */
export const STRONG_CORRECTION =
  /\b(?:actually|meant?|wrong|correction|no|nope|nah|should|make|change|rather|not)\b/i
/** How long a correction that names another choice outright may be. */
export const NAMED_CORRECTION_WORDS = 12

/**
 * A short message that opens by saying a value was wrong ("sorry I meant", "actually", "no,")
 * and names no problem of its own: "actually my vpn is down too" is a request, "sorry I meant
 * the finance one, not audit" is not.
 */
export function isCorrectionOnly(text: string): boolean {
  const cue = CORRECTION.exec(text)
  if (!cue || !STRONG_CORRECTION.test(cue[0])) return false
  const rest = text.slice(cue[0].length).trim()
  return (
    rest.length > 0 &&
    rest.split(/\s+/).length <= NAMED_CORRECTION_WORDS &&
    !NAMES_A_PROBLEM.test(rest)
  )
}

/** Words that state a fault or a need: a correction that has them may be a new request. */
const NAMES_A_PROBLEM =
  /\b(?:not\s+working|broken|broke|crash\w*|freez\w*|frozen|stuck|slow|error|fail\w*|can'?t|cannot|won'?t|doesn'?t|isn'?t|down|locked|dropp?\w*|too|also|as\s+well|need|please|help)\b/i
