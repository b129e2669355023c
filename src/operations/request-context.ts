/**
 * The reason told beside a request: "Users are complaining about timeouts, so please stop nginx
 * on web03", "Stop WSearch on fs01; it's hammering the disk.", "Kerberos is complaining about
 * clock skew." Reasons mention what the reader keys on (errors, the disk, a restart that did not
 * help) without asking for it. These are the parts of a message that may be the request alone,
 * most likely first; the reader takes the first that reads whole on its own (machines and work),
 * else the whole message, so a request that leans on its reason ("The web servers are slow.
 * Could you restart nginx there?") is read whole.
 * @module
 */

/** A statement, then the request: "<reason>. Could you ...", "<reason>, so please ...". */
const ASKED_AFTER_REASON =
  /^(?<reason>[\s\S]*?\S)\s*(?:[.!?]+\s+|,?\s+so\s+|;\s*|\s+-+\s+)(?<asked>(?:so\s+)?(?:(?:could|can|would|will)\s+(?:you|someone|somebody)\b|please\b|pls\b|kindly\b)[\s\S]*)$/i

/** How a sentence that asks starts: a request word, a work verb, a question. */
const ASKS =
  /^\s*(?:(?:ok|okay|so|and|then|also|now|hey|hi|quick\s+q)[,:]?\s+)*(?:please|pls|plz|kindly|(?:could|can|would|will)\s+(?:you|someone|somebody|we)|(?:i|we)\s+need|need|restart|start|stop|reboot|kill|install|uninstall|remove|update|upgrade|patch|copy|deploy|push|check|verify|confirm|ensure|make\s+sure|clear|run|tail|show|get|pull|grab|fetch|send|bounce|kick|nuke|drop|add|put|replace|roll|test|ping|query|list|count|give|tell|find|see|look|bring|set|is|are|does|do|did|can|has|have|what|which|how|where|when|who|whose|any|sc|net|systemctl|service|Restart-Service|Stop-Service|Start-Service|Get-Service|Stop-Process|Get-Process|apt|apt-get|dnf|yum|zypper|winget|choco|df|du|journalctl|Test-NetConnection)\b/i

/**
 * Sentences: after . ; ! ? followed by a space (paths and versions keep their dots), not after
 * an abbreviation ("excl. web04"), and a piece of one or two words belongs to the one before.
 */
function sentences(text: string): string[] {
  const pieces = text
    .split(/(?<=(?<!\b(?:excl|incl|e\.g|i\.e|etc|approx|vs|min|max|no|approx|esp))[.;!?])\s+/i)
    .map((each) => each.trim())
    .filter((each) => each.length > 0)
  const joined: string[] = []
  for (const piece of pieces) {
    const previous = joined.length - 1
    if (previous >= 0 && piece.split(/\s+/).length < 3)
      joined[previous] = `${joined[previous]} ${piece}`
    else joined.push(piece)
  }
  return joined
}

/** The parts that may be the request alone, most likely first (none when nothing is told). */
export function requestParts(text: string): string[] {
  const parts: string[] = []
  const asked = ASKED_AFTER_REASON.exec(text)
  if (asked?.groups?.asked && !ASKS.test(asked.groups.reason ?? '')) parts.push(asked.groups.asked)
  const all = sentences(text)
  // A correction ("(chrony, sorry)") belongs to the request it corrects.
  const asking = all.filter(
    (sentence) =>
      ASKS.test(sentence) || /^\(|\b(?:sorry|i\s+mean|i\s+meant|typo)\b/i.test(sentence),
  )
  if (asking.length > 0 && asking.length < all.length) parts.push(asking.join(' '))
  // "Patch Tuesday: reboot all Windows machines": a label before the request.
  const labelled = /^\s*[A-Za-z][A-Za-z' -]{0,30}:\s+(?=\S)/.exec(text)
  if (labelled && labelled[0].trim().split(/\s+/).length <= 3)
    parts.push(text.slice(labelled[0].length))
  return parts
}
