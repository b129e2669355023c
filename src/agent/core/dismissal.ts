/**
 * "actually forget the printer, my vpn gives error 809": the person drops the topic in hand and
 * goes on to another. The dismissing clause names the old topic, so routed with the rest it
 * would bring that topic back as a second request; the core routes the rest alone and drops the
 * open question and the queued tasks.
 * @module
 */

/** Fillers before the cue, the cue, what is dropped (up to the clause's end), then the rest. */
const DISMISSAL =
  /^\W*(?:(?:actually|ok|okay|oh|wait|sorry|no|hmm|um)\b[\s,.!-]*)*(?:(?:please\s+)?(?:forget|never\s*mind|nevermind|scratch|ignore|skip|drop)\b)(?:\s+(?:about\s+)?[^,.;:!?]*)?[,.;:!?]+\s*(?:(?:and|but|instead|now)\b[\s,]*)*(\S[\s\S]*)$/i

/** The message without a dismissing clause before it; undefined when there is none or no rest. */
export function withoutDismissal(message: string): string | undefined {
  const rest = DISMISSAL.exec(message)?.[1]?.trim()
  return rest ? rest : undefined
}
