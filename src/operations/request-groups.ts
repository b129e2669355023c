import type { Fleet } from './request-targets.ts'

/**
 * How people name an inventory group: its own words ("web servers", "webservers", "the
 * databases"), its members' common stem with a machine noun ("web boxes", "the dbs"), the
 * initials of a two-word name ("dp servers"). One pattern per group, used by findTargets.
 * @module
 */

const MACHINE_NOUNS =
  '(?:servers?|box(?:es)?|machines?|hosts?|nodes?|computers?|vms?|instances?|tier|farm|cluster|pool|fleet)'

/** The words that can follow a group alias: "web boxes", "dp servers", "the databases group". */
export function groupPatterns(fleet: Fleet): Array<{ group: string; pattern: RegExp }> {
  const patterns: Array<{ group: string; pattern: RegExp }> = []
  for (const [group, members] of Object.entries(fleet.groups)) {
    const words = group.toLowerCase().split(/[-_\s]+/)
    // "web-servers", "web servers", "webservers", "web server"; "databases", "database".
    const spelled = words
      .map((word, index) =>
        index === words.length - 1
          ? `${escapeRegExp(word.replace(/s$/, ''))}s?`
          : escapeRegExp(word),
      )
      .join('[-_\\s]?')
    const nouns =
      '(?:group|servers?|box(?:es)?|machines?|nodes?|tier|farm|cluster|pool|laptops?|workstations?|desktops?|pcs)'
    // A one-word name said bare ("finance", "databases") is a group only after a preposition
    // ("on the databases"), never inside other words ("finance-team@", "the finance mailbox").
    const bare =
      words.length > 1
        ? `${spelled}(?![-@\\w])`
        : `(?<=(?:\\b(?:on|from|across|in|for|to|of|at|and|me|list|both)|,)\\s+(?:the\\s+|all\\s+(?:the\\s+)?|our\\s+|both\\s+)?)${spelled}(?![-@\\w])${
            // "losing the connection to the database": a direction's singular is a thing, not
            // the group; "on the database", "to the databases" still name it.
            /s$/.test(group)
              ? `(?<!\\b(?:to|from)\\s+(?:the\\s+)?${escapeRegExp(group.replace(/s$/, ''))})`
              : ''
          }`
    const alternatives = [`${spelled}\\s+${nouns}`, `group\\s+${spelled}`, bare]
    // The members' common name stem: web01..web04 -> "web boxes", db01/db02 -> "db servers".
    const stem = commonStem(members)
    // ... and the stem's plural on its own: db01/db02 -> "the dbs".
    if (stem)
      alternatives.push(
        `${escapeRegExp(stem)}[-\\s]?${MACHINE_NOUNS}`,
        // After a bare preposition only a short stem ("on dbs"): "hanging on builds" is a noun.
        `(?<=\\b(?:the|our|all|both|list|show${stem.length <= 3 ? '|on|across|of|from|in' : ''})\\s+)${escapeRegExp(stem)}s(?![-@/.\\w])`,
      )
    // Initials of a two-word name that is not "<x> servers": data-processing -> "dp servers".
    if (words.length > 1 && !/^servers?$/.test(words[words.length - 1] ?? '')) {
      alternatives.push(`${words.map((word) => word[0]).join('')}\\s+${MACHINE_NOUNS}`)
    }
    if (/^databases?$/.test(group)) alternatives.push(`database\\s+${MACHINE_NOUNS}`)
    patterns.push({ group, pattern: new RegExp(`\\b(?:${alternatives.join('|')})\\b`, 'gi') })
  }
  return patterns
}

function commonStem(members: readonly string[]): string | undefined {
  const stems = new Set(members.map((member) => /^([a-z]+)/i.exec(member)?.[1]?.toLowerCase()))
  const [stem] = [...stems]
  return stems.size === 1 && stem && stem.length >= 2 ? stem : undefined
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
