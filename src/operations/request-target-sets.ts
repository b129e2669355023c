import { type ReadRequest, readOperationRequest } from './request-reader.ts'
import type { Fleet } from './request-targets.ts'

/**
 * A workflow runs every step on every target, so "reboot web02 and check disk space on web01"
 * read as one request would reboot web01 too. Here the message is cut into its clauses and each
 * read alone: when two clauses ask for work on different machines, the request is refused with
 * each part named, to be sent as requests of their own. Clauses that name no machine ("stop nginx
 * and start apache on web01") share the targets named elsewhere, as before.
 * @module
 */

/** Where one request's clauses part: sentence ends, lines, "then", and "and" before a verb. */
const CLAUSE_BREAK =
  /[.;!?]+\s+|\n+|,?\s+(?:and\s+)?then\s+|,\s+|\s+(?:and|also|plus)\s+(?:also\s+)?(?=(?:please\s+)?(?:restart|start|stop|reboot|kill|install|uninstall|remove|update|upgrade|check|copy|show|terminate|patch|push|deploy|reload|verify|bounce)\b)/i

/** The refusal when clauses of the message ask for work on different targets; null otherwise. */
export function mixedTargetsRefusal(message: string, fleet: Fleet): string | null {
  const parts: Array<{ clause: string; where: string }> = []
  for (const clause of message.split(CLAUSE_BREAK)) {
    const read = readOperationRequest(clause, fleet)
    if (read.kind !== 'operation' || read.operations.length === 0) continue
    const where = targetKey(read)
    if (where !== null) parts.push({ clause: clause.trim(), where })
  }
  if (new Set(parts.map((part) => part.where)).size < 2) return null
  const named = parts.map((part) => `"${part.clause}"`).join(', ')
  return `These parts name different machines (${named}), and one job runs every step on every machine it names: send each part as a request of its own, so each runs only where you said. Nothing was prepared.`
}

/** The targets a clause names, as one comparable text; null when it names none. */
function targetKey(read: ReadRequest): string | null {
  const { targets } = read
  const names = [...targets.machines, ...read.unknownMachines].map((name) => name.toLowerCase())
  if (!targets.all && names.length === 0 && targets.groups.length === 0) return null
  return JSON.stringify({
    all: targets.all,
    os: targets.os,
    machines: names.sort(),
    groups: [...targets.groups].sort(),
    except: targets.except ?? null,
  })
}
