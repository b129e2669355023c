import type { MachineNames } from './request-operations.ts'
import { type Found, KEYWORD_BEFORE, OBJECT, VERBS } from './request-words.ts'

/**
 * One verb on several objects: "install htop and tmux", "restart the nginx service and the
 * php-fpm service", "restart nginx, php-fpm and redis", "kill java and python", "restart nginx
 * and then php-fpm". Each name after
 * the first becomes its own step, in order, with the first one's operation.
 * @module
 */

const MACHINE_WORDS = /^(?:servers?|machines?|box(?:es)?|hosts?|computers?|nodes?|vms?)$/i

const NEXT_NAME = new RegExp(
  String.raw`^(\s*,?\s+(?:and\s+)?then\s+|\s*,\s*(?:and\s+|&\s*|plus\s+)?|\s+(?:and|plus|as\s+well\s+as)\s+|\s*[&+]\s*|\/(?=[A-Za-z]))(?:the\s+)?${KEYWORD_BEFORE}${OBJECT}(?:\s+(?:services?|packages?|process(?:es)?|daemons?))?`,
  'id',
)

/** What may follow a name said after "then": the end, punctuation, targets, "and", politeness. */
const NAME_ENDS =
  /^(?:\s*$|\s*[.,;!?]|\s+(?:on|across|for|at|in|and|too|as\s+well|again|please|pls|plz)\b)/i

export interface ListContext {
  text: string
  found: Found[]
  isObject: (word: string | undefined) => word is string
  machines: MachineNames
}

/**
 * Adds a step per name listed after `match`. A name after a comma alone joins only when `commas`
 * is true, or when the list goes on to end with "and" a name: after a comma may come the next
 * instruction ("stop nginx, clear the cache"). A verb, a machine word or a target ends the list.
 */
export function findListed(
  { text, found, isObject, machines }: ListContext,
  match: RegExpMatchArray,
  { operation, key, commas }: { operation: string; key: string; commas: boolean },
): void {
  let after = (match.index ?? 0) + match[0].length
  const pending: Found[] = []
  for (;;) {
    const more = NEXT_NAME.exec(text.slice(after))
    const name = more?.[3]
    // "restart W3SVC and WAS": a name in capitals is a name, even one spelled like a word.
    const acronym = name !== undefined && /^[A-Z][A-Z0-9]+$/.test(name) && !machines.isMachine(name)
    if (
      !more ||
      name === undefined ||
      !(isObject(name) || acronym) ||
      VERBS.test(name) ||
      MACHINE_WORDS.test(name) ||
      machines.targetAt?.(after + (more.indices?.[3]?.[0] ?? 0))
    )
      break
    // "restart nginx, then php-fpm on web01", never "stop nginx, then clear the cache": after
    // "then" a name alone, its targets or the end, not the object of another verb.
    if (/\bthen\s+$/i.test(more[1] ?? '') && !NAME_ENDS.test(text.slice(after + more[0].length)))
      break
    const step: Found = {
      operation,
      parameters: { [key]: name },
      start: after,
      end: after + more[0].length,
      valueSpans: [],
    }
    after += more[0].length
    if (!commas && /^\s*,\s*$/.test(more[1] ?? '')) {
      pending.push(step)
      continue
    }
    found.push(...pending.splice(0), step)
  }
}
