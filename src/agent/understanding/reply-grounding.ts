/**
 * Whether a model's wording of a reply says only what the plan says. Checked by what can be
 * checked mechanically, strictly: a reply that fails any check is not used and the plan's own
 * words (the deterministic reply) are sent instead.
 * @module
 */

export interface ReplyFacts {
  /** The deterministic reply: the plan, its results and its question in the core's words. */
  reply: string
  /** The employee's message (the model may repeat what they said). */
  message: string
  /** The planned tasks' ids, titles and parameter values. */
  planned: Array<{ id: string; title: string; values: readonly string[] }>
  /** Every runbook id and title: naming one that is not planned is naming a task not in the plan. */
  runbooks: Array<{ id: string; title: string }>
  /** Texts the reply must keep word for word: the open question, the approval request ids. */
  verbatim: readonly string[]
}

const MAX_REPLY_CHARACTERS = 4000

const WORD = /[\p{L}\p{N}][\p{L}\p{N}._@\\/:-]*/gu

/**
 * Value-like words: anything with a digit, an inner dot, underscore, @, slash, backslash or
 * colon, or a dash before a capital (usernames, machines, paths, codes, numbers, cmdlets). Each
 * must appear, whole, in the facts: "3" is not grounded by "9:30".
 */
function valueLikeWords(text: string): string[] {
  return [...text.matchAll(WORD)]
    .map((match) => match[0].replace(/[.:/\\-]+$/, ''))
    .filter((word) => /\p{N}|[^.][._@\\/:][^.]|-\p{Lu}/u.test(word))
}

export function checkGrounded(
  written: string,
  facts: ReplyFacts,
): { ok: true } | { ok: false; reason: string } {
  const text = written.trim()
  if (text.length === 0) return { ok: false, reason: 'the written reply is empty' }
  if (text.length > MAX_REPLY_CHARACTERS)
    return {
      ok: false,
      reason: `the written reply is longer than ${MAX_REPLY_CHARACTERS} characters`,
    }
  for (const required of facts.verbatim) {
    if (!text.includes(required))
      return { ok: false, reason: `the written reply leaves out "${required.slice(0, 80)}"` }
  }
  const lower = text.toLowerCase()
  const plannedIds = new Set(facts.planned.map((each) => each.id))
  for (const runbook of facts.runbooks) {
    if (plannedIds.has(runbook.id)) continue
    if (lower.includes(runbook.id.toLowerCase()) || lower.includes(runbook.title.toLowerCase()))
      return {
        ok: false,
        reason: `the written reply names "${runbook.id}", which is not in the plan`,
      }
  }
  const allowed = new Set(
    valueLikeWords(
      [
        facts.reply,
        facts.message,
        ...facts.verbatim,
        ...facts.planned.flatMap((each) => [each.id, each.title, ...each.values]),
      ].join('\n'),
    ).map((word) => word.toLowerCase()),
  )
  for (const word of valueLikeWords(text)) {
    if (!allowed.has(word.toLowerCase()))
      return {
        ok: false,
        reason: `the written reply mentions "${word.slice(0, 80)}", which is not in the plan`,
      }
  }
  return { ok: true }
}
