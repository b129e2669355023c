/**
 * A technician's command said in the first person: "I need to restart the print spooler
 * service", "can you check disk space for me", "we should reboot after patching". The words that
 * wrap the command (I need to, we should, for me) claim nothing of the writer's own: taken off,
 * what is left is read as any bare command (request-fallback.ts commandWithoutTarget), and the
 * technician is asked which machines. What stays the writer's own after they are taken off ("my
 * laptop", "restart me"), and work on a desktop application ("restart outlook for me"), is an
 * employee's request for the runbooks.
 * @module
 */

/** The first person, as the employee's own: "my laptop", "I can't", "for us". */
export const FIRST_PERSON = /\b(?:I|I'm|I've|I'd|I'll|my|me|mine|myself|our|we|we're|we've|us)\b/i

/** "I need to", "we should", "I'd like to", "can we", "let's": the command follows. */
const WRAPPER =
  /\b(?:(?:I|we)\s+(?:(?:will\s+|would\s+|really\s+|also\s+|still\s+|just\s+)?(?:need|want|have|got|ought|like)\s+to|must|should|(?:had|'d)\s+better|gotta|(?:am|are)\s+(?:going|about|planning)\s+to|was\s+asked\s+to|were\s+asked\s+to)|I'd\s+(?:like|want|need)\s+to|we'd\s+(?:like|want|need)\s+to|I'm\s+(?:going|about|planning)\s+to|we're\s+(?:going|about|planning)\s+to|we'll\s+(?:need|have)\s+to|I'll\s+(?:need|have)\s+to|(?:can|could|shall|should)\s+(?:I|we)|let's|let\s+me)\b/gi

/** "for me", "for us" at a command's end: who asks, not whose machine. */
const FOR_ME = /\bfor\s+(?:me|us)\b/gi

/** "show me", "let me know": they ask for an answer and claim no machine. */
const ASKING = /\b(?:show|give|tell|get|send)\s+me\b|\blet\s+me\s+know\b/gi

/**
 * Applications on an employee's own computer: work on them asked in the first person ("restart
 * outlook for me") is the employee's, whatever the verb.
 */
const DESKTOP =
  /^(?:outlook|teams|msteams|zoom|slack|vpn|excel|word|winword|powerpoint|onedrive|chrome|firefox|edge|msedge|browser|acrobat|webex|skype|spotify|notepad|explorer|office|printer|laptop|computer|pc|mac|desktop|phone|headset|monitor|wifi|bluetooth)$/i

export interface FirstPerson {
  /** The text with the first-person wrappers blanked. */
  rest: string
  /** Whether any first-person wrapper was taken off. */
  wrapped: boolean
}

export function withoutWrappers(text: string): FirstPerson {
  let wrapped = false
  const blank = (phrase: string) => {
    wrapped = true
    return ' '.repeat(phrase.length)
  }
  const rest = text.replace(ASKING, (phrase) => ' '.repeat(phrase.length))
  return { rest: rest.replace(WRAPPER, blank).replace(FOR_ME, blank), wrapped }
}

/** Whether a step works on a desktop application ("restart outlook"). */
export function onDesktopApplication(
  operations: ReadonlyArray<{ parameters: Record<string, string | number> }>,
): boolean {
  return operations.some((operation) =>
    Object.values(operation.parameters).some((value) => DESKTOP.test(String(value))),
  )
}
