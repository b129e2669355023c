/**
 * Tells a how-to or why question ("how do I map a network drive", "why does my account keep
 * locking") from a request to act ("please reset my password", "how do I get my password
 * reset"). Deterministic and conservative on purpose: a question is answered from the runbooks'
 * prose with no plan, so anything that might be a request to act is left to the normal request
 * path, which plans it. When unsure, this says "not a question".
 * @module
 */

/** `how_to`: how to do something; `why`: why something happens or what it means. */
export type QuestionForm = 'how_to' | 'why'

/** Past this many words a message is a story with a question in it, not a plain question. */
const MAXIMUM_WORDS = 30

/** Greetings and fillers before the question proper ("hi team, quick question: ..."). */
const LEAD_IN =
  /^(?:(?:(?:hi|hello|hey|good (?:morning|afternoon|evening))(?: (?:team|all|everyone|there|support|it))?|(?:(?:quick|random|small|silly|dumb|stupid|simple|general) )?(?:question|q)|qq|sorry|so|ok|okay|um+|hmm+|and|also|then|thanks|thank you)\b[\s,:;!.-]*)+/

const HOW_TO: readonly RegExp[] = [
  /^how (?:do|can|could|should|would|shall|must) (?:i|we|one|you|people|staff|employees)\b/,
  /^how to\b/,
  /^what (?:do|should|can|must) (?:i|we) do\b/,
  /^what(?:'s| is) the (?:best |right |correct |quickest |usual )?(?:way|procedure|process) (?:to|for)\b/,
  /^where (?:do|can|should) (?:i|we) (?:find|see|set|change|check|look)\b/,
  /^is there (?:a|any) way to\b/,
  // "what can I try myself when excel freezes", "is there anything I can do first"
  /^what (?:can|could|should) (?:i|we) (?:try|check|do)\b/,
  /^(?:is there )?anything (?:i|we) (?:can|could|should) (?:try|check|do)\b/,
  /^what are the steps to\b/,
]

const WHY: readonly RegExp[] = [
  /^why (?:does|do|did|is|are|was|were|would|will|won't|doesn't|don't|isn't|aren't|can't|cannot|can|does not|do not|is not|are not|has|have|hasn't|haven't)\b/,
  /^how come\b/,
  /^is it (?:normal|expected|usual|ok|okay|safe|possible|true) (?:that|for|to|if|when)\b/,
  /^what (?:does|do) .+ mean\b/,
  /^what (?:causes|makes|is causing)\b/,
  /^how (?:does|do) .+ work\b/,
]

/**
 * Words that ask the helpdesk to do something, wherever they stand: "can you check", "please",
 * "for me". A question carrying one of them is a request and gets a plan.
 */
const REQUEST_TO_ACT: readonly RegExp[] = [
  /\b(?:can|could|would|will) (?:you|u|someone|somebody|it|ya|the helpdesk|support|it support)\b/,
  /\b(?:please|pls|plz|kindly|asap|urgent(?:ly)?)\b/,
  /\bfor me\b/,
  /\b(?:i (?:need|want) you|i'd like you|help me|do it|sort it|fix it|fix this|fix that)\b/,
  /\b(?:i need|i want|i'd like|i would like|i request|requesting)\b/,
]

/**
 * "How do I get my password reset": asked as a question, meant as a request for someone to act.
 * `get <something> <done>`, `have <something> <done>`, or asking how to obtain access or rights.
 */
const GET_IT_DONE =
  /^(?:how (?:do|can|could|should) (?:i|we)|how to|what do i do to|what should i do to) (?:get|have|obtain|request|ask for|apply for)\b(?:(?!\b(?:to|on|onto|into|in)\b).)*\b(?:reset|unlocked|unlock|fixed|repaired|replaced|installed|restored|reinstalled|approved|enabled|granted|changed|sorted|done|removed|back|access|accessed|permission|permissions|rights|licen[cs]e|account|admin)\b/

/**
 * Things only the helpdesk can do to the person's account or machine, asked as "how do I": an
 * employee cannot reset a domain password or install on a managed machine, so the request path
 * plans it (with its checks and approvals) instead of reciting the technician's steps.
 */
const HELPDESK_ONLY =
  /^(?:how (?:do|can|could|should) (?:i|we)|how to) (?:reset|unlock|recover|install|uninstall|reinstall|unblock|reactivate|re-enable)\b/

/** A question mark after a statement still counts; a statement without a question form does not. */
export function questionFormOf(message: string): QuestionForm | undefined {
  const text = message
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .replace(LEAD_IN, '')
  if (text.split(' ').length > MAXIMUM_WORDS) return undefined
  if (REQUEST_TO_ACT.some((pattern) => pattern.test(text))) return undefined
  if (GET_IT_DONE.test(text) || HELPDESK_ONLY.test(text)) return undefined
  const question = questionPartOf(text)
  if (question === undefined) return undefined
  if (HOW_TO.some((pattern) => pattern.test(question))) return 'how_to'
  if (WHY.some((pattern) => pattern.test(question))) return 'why'
  return undefined
}

/** Words an aside after the question may have at most ("IT keeps asking me for it"). */
const MAXIMUM_ASIDE_WORDS = 8

/**
 * The question itself: the whole message, or its first sentence when that ends in "?" and only
 * a short aside follows ("where do I find my computer's name? IT keeps asking me for it", "why
 * do I have to change it so often? seems pointless"). Two requests or a report before the
 * question ("my VPN fails. how do I fix it?") are the normal path's: undefined.
 */
function questionPartOf(text: string): string | undefined {
  const single = text.replace(/[?.!]+\s*$/, '')
  if (!/[.!?;]\s+\S/.test(single)) return text
  const asked = /^([^.!?;]+\?+)\s+(\S.*)$/.exec(text)
  const aside = asked?.[2]?.replace(/[?.!]+\s*$/, '')
  if (!asked?.[1] || aside === undefined || /[.!?;]\s+\S/.test(aside)) return undefined
  return aside.split(' ').length <= MAXIMUM_ASIDE_WORDS ? asked[1] : undefined
}
