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

export const HANDOFF =
  /\b(?:talk|speak|chat|connect\s+me|put\s+me\s+through|transfer\s+me)\s+(?:to|with)\s+(?:a|an|some|the|your)?\s*(?:real\s+|live\s+|actual\s+|human\s+)?(?:person|human|humans|agent|someone|somebody|technician|tech|people|operator|representative|engineer)\b|^\s*(?:(?:i\s+want|i\s+need|get\s+me|give\s+me)\s+)?(?:a\s+)?(?:real\s+|live\s+)?(?:human|person|agent|operator|representative|technician)(?:\s+please|\s+pls)?\s*[.!?]*\s*$/i

const THANKS = String.raw`(?:thanks?|thank\s+you|thx|ty|cheers|many\s+thanks|much\s+appreciated|appreciate\s+it)(?:\s+(?:a\s+lot|so\s+much|very\s+much|again|mate|buddy|for\s+(?:the|your)\s+help|for\s+helping))*`
/** How people end a chat: "that's all", "bye", "have a nice day", "all sorted". */
const CLOSING = String.raw`(?:that'?s\s+(?:all|it|everything)(?:\s+for\s+(?:now|today))?|that\s+is\s+(?:all|it)|nothing\s+else|all\s+(?:good|sorted|set|done|fixed)|(?:it'?s\s+)?(?:working|sorted|fixed)\s+now|(?:good\s*)?bye(?:\s+bye)?|goodbye|see\s+(?:you|ya)|have\s+a\s+(?:nice|good|great)\s+(?:day|one|evening|weekend)|(?:you\s+)?can\s+close\s+(?:this|it))(?:\s+now)?`

const SMALL_TALK: ReadonlyArray<[SmallTalkTopic, RegExp]> = [
  [
    'goodbye',
    new RegExp(
      String.raw`^(?:(?:ok(?:ay)?|great|perfect|awesome|cool|brilliant|nice|lovely|no)\s+)*(?:${THANKS}\s+)?${CLOSING}(?:\s+${THANKS})?(?:\s+${CLOSING})*$`,
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
      String.raw`^(?:(?:ok(?:ay)?|great|perfect|awesome|cool|brilliant|nice|lovely)\s+)*${THANKS}$`,
    ),
  ],
  [
    'greeting',
    /^(?:hi|hello|hey|hiya|howdy|yo|hey\s+there|hi\s+there|hello\s+there|good\s+(?:morning|afternoon|evening|day)|greetings)(?:\s+(?:there|team|all|everyone|helpdesk|bot))?$/,
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
const NOT_KNOWING = String.raw`(?:i\s+)?(?:really\s+|honestly\s+|just\s+|also\s+)?(?:(?:do\s*n[o']?t|dont|do\s+not)\s+know|dunno|have\s+no\s+idea|no\s+idea|not\s+sure|i'?m\s+not\s+sure|no\s+clue|not\s+a\s+clue|idk|can'?t\s+remember|cannot\s+remember|don'?t\s+remember|can'?t\s+find\s+(?:it|out|that)|cannot\s+find\s+(?:it|out|that)|can'?t\s+see\s+it|have\s+no\s+way\s+to\s+(?:check|find\s+out))(?:\s+(?:which|what|the\s+name|its\s+name|it|that|sorry|either|really|tbh|at\s+all|anywhere))*`
/**
 * "I don't know", "no idea", "not sure", "no clue", "I really don't know and can't find it": at
 * the start, standing alone or before a pause, so "I don't know my password" stays a request.
 */
export const DONT_KNOW = new RegExp(
  String.raw`^\s*(?:(?:hmm+|um+|sorry|honestly|oh|well)[,.!]?\s+)*${NOT_KNOWING}(?:\s*(?:,|and|or|but|,\s*and)\s+${NOT_KNOWING})*\s*(?:[,.;:!?-]+|$)`,
  'i',
)

/** "actually", "no,", "sorry, I meant": the message changes a value given before. */
export const CORRECTION =
  /^\s*(?:(?:oh|oops|sorry|wait|hmm|hang\s+on|my\s+bad)[,.!]?\s+)*(?:(?:no|nope)\s*[,.!:;-]+|(?:actually|not\s+that|correction|i\s+meant?|i\s+mean|rather|make\s+that|change\s+(?:it|that)\s+to)\b[,.!:;-]?)\s*(?:(?:actually|sorry|i\s+meant?|i\s+mean)\b[,.!:;-]?\s*)*/i
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
  /^\s*(?:(?:oh|oops|sorry|ok(?:ay)?|fine|hmm|right)[,.!]?\s+)*(.+?)[,\s]+(?:then|instead)\s*[.!]*\s*$/i
