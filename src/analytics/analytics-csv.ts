/**
 * The analytics tables as CSV (RFC 4180): the one quoting function for CSV. A cell a spreadsheet
 * would run as a formula (starting with = + - @, a tab or a carriage return) gets a leading
 * apostrophe, since task types, step ids and machine names come from people.
 * @module
 */
import type { AnalyticsTable, Cell } from './analytics-service.ts'

const FORMULA_START = /^[=+\-@\t\r]/

export function csvCell(value: Cell): string {
  if (value === null) return ''
  if (typeof value === 'number') return String(value)
  const safe = FORMULA_START.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

export function tableCsv(table: AnalyticsTable): string {
  return [table.columns, ...table.rows]
    .map((row) => row.map((cell) => csvCell(cell)).join(','))
    .map((line) => `${line}\r\n`)
    .join('')
}
