/**
 * A preload for benchmarks (`node --import ./bench/support/query-census.ts bin/helpdesk.js serve`):
 * counts and times every query the process sends through `pg` (the project stores, the job queue
 * and the LangGraph checkpointer alike), by pool (`application_name`) and statement, and writes the
 * census as JSON to `HELPDESK_QUERY_CENSUS` on SIGUSR2 (so a benchmark can take it before and after
 * a measured window) and when the process exits. Statements are keyed by their text with
 * whitespace folded; the values are never recorded.
 * @module
 */
import { writeFileSync } from 'node:fs'
import pg from 'pg'

interface Entry {
  pool: string
  statement: string
  count: number
  milliseconds: number
}

const file = process.env.HELPDESK_QUERY_CENSUS
const census = new Map<string, Entry>()

if (file) {
  const original = pg.Client.prototype.query
  type Query = typeof original
  pg.Client.prototype.query = function (this: pg.Client, ...parameters: unknown[]) {
    const first = parameters[0] as string | { text?: string } | undefined
    const text = typeof first === 'string' ? first : (first?.text ?? '(prepared)')
    const statement = text.replace(/\s+/g, ' ').trim().slice(0, 160)
    const pool =
      (this as unknown as { connectionParameters?: { application_name?: string } })
        .connectionParameters?.application_name ?? '?'
    const key = `${pool}\u0000${statement}`
    const entry = census.get(key) ?? { pool, statement, count: 0, milliseconds: 0 }
    census.set(key, entry)
    entry.count += 1
    const started = performance.now()
    const returned = (original as (...values: unknown[]) => unknown).apply(this, parameters)
    if (returned instanceof Promise) {
      returned.then(
        () => {
          entry.milliseconds += performance.now() - started
        },
        () => {
          entry.milliseconds += performance.now() - started
        },
      )
    }
    return returned
  } as Query
  const write = () => writeFileSync(file, JSON.stringify([...census.values()], null, 1))
  process.on('SIGUSR2', write)
  process.on('exit', write)
}
