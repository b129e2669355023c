import { strToU8, unzipSync, zipSync } from 'fflate'
import { HelpdeskError } from '../../errors/index.ts'
import { type RunbookProblem, validateRunbookText } from '../instructions/runbook-text.ts'
import type { RunbookLibrary } from './runbook-library.ts'

/**
 * Bulk import and export of runbooks in the format of `data/instructions/`: several `.md` files,
 * or one `.zip` of them. An import is all-or-nothing: every file is checked first and reported
 * (added, updated, unchanged, invalid with the reason); when any file is invalid nothing is
 * written, otherwise every added or updated file is written in one atomic batch.
 * @module
 */

/** One uploaded file. */
export interface UploadedFile {
  name: string
  bytes: Uint8Array
}

export type ImportStatus = 'added' | 'updated' | 'unchanged' | 'invalid'

export interface ImportedFile {
  file: string
  id?: string
  status: ImportStatus
  reason?: string
  problems?: RunbookProblem[]
}

export interface ImportReport {
  /** True when the batch was written (or there was nothing to write); false when refused. */
  applied: boolean
  files: ImportedFile[]
  counts: Record<ImportStatus, number>
}

/** Limits against a zip bomb or an upload of the wrong thing. */
export const IMPORT_LIMITS = { files: 500, totalBytes: 16 * 1024 * 1024 } as const

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]

/** The `.md` files of an upload, a zip opened (its folders flattened, hidden entries skipped). */
export function unpackUpload(files: readonly UploadedFile[]): UploadedFile[] {
  if (files.length === 0) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: 'no files: send multipart/form-data with one or more .md files, or one .zip',
    })
  }
  const unpacked: UploadedFile[] = []
  for (const file of files) {
    if (!isZip(file)) {
      unpacked.push(file)
      continue
    }
    let entries: Record<string, Uint8Array>
    let declared = 0
    let count = 0
    try {
      entries = unzipSync(file.bytes, {
        filter: (entry) => {
          if (entry.name.endsWith('/') || hidden(entry.name)) return false
          count += 1
          declared += entry.originalSize
          if (count > IMPORT_LIMITS.files || declared > IMPORT_LIMITS.totalBytes) {
            throw new Error(
              `the zip holds more than ${IMPORT_LIMITS.files} files or ${IMPORT_LIMITS.totalBytes} bytes`,
            )
          }
          return true
        },
      })
    } catch (error) {
      throw new HelpdeskError({
        code: 'INVALID_INPUT',
        message: `${file.name}: not a readable zip: ${(error as Error).message}`,
      })
    }
    for (const [name, bytes] of Object.entries(entries)) {
      unpacked.push({ name: name.split('/').pop() ?? name, bytes })
    }
  }
  if (unpacked.length > IMPORT_LIMITS.files) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `at most ${IMPORT_LIMITS.files} files in one import`,
    })
  }
  return unpacked
}

/** Checks every file against the schema and the current set; writes them only if all are valid. */
export async function importRunbooks(
  library: RunbookLibrary,
  upload: readonly UploadedFile[],
  author: { username: string; reason: string },
): Promise<ImportReport> {
  const files = unpackUpload(upload)
  const seen = new Set<string>()
  const report: ImportedFile[] = []
  const writes: Array<{ id: string; text: string }> = []
  for (const file of files) {
    const entry = checkFile(file, seen)
    report.push(entry.result)
    if (entry.write) writes.push(entry.write)
  }
  const invalid = report.some((each) => each.status === 'invalid')
  if (!invalid && writes.length > 0) await library.writeBatch(writes, author)
  return { applied: !invalid, files: report, counts: countOf(report) }

  function checkFile(
    file: UploadedFile,
    taken: Set<string>,
  ): { result: ImportedFile; write?: { id: string; text: string } } {
    if (!file.name.endsWith('.md')) {
      return {
        result: {
          file: file.name,
          status: 'invalid',
          reason: 'not a runbook: only .md files (or one .zip of them) are imported',
        },
      }
    }
    const id = file.name.slice(0, -'.md'.length)
    if (taken.has(id)) {
      return {
        result: {
          file: file.name,
          id,
          status: 'invalid',
          reason: `a second file for "${id}" in the same import`,
        },
      }
    }
    taken.add(id)
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(file.bytes).replace(/^\uFEFF/, '')
    } catch {
      return { result: { file: file.name, id, status: 'invalid', reason: 'not UTF-8 text' } }
    }
    const checked = validateRunbookText(text, id)
    if (!checked.ok) {
      const first = checked.problems[0]
      return {
        result: {
          file: file.name,
          id,
          status: 'invalid',
          reason: `${checked.problems.length} problem(s), first: ${first?.field}${first?.line ? ` (line ${first.line})` : ''}: ${first?.reason}`,
          problems: checked.problems,
        },
      }
    }
    const current = library.current(id)
    if (current?.text === text) return { result: { file: file.name, id, status: 'unchanged' } }
    return {
      result: { file: file.name, id, status: current ? 'updated' : 'added' },
      write: { id, text },
    }
  }
}

/** The current runbooks as a zip of `<id>.md` files, the format of `data/instructions/`. */
export function exportRunbooks(library: RunbookLibrary): Uint8Array {
  const files: Record<string, Uint8Array> = {}
  for (const [id, version] of library.currentVersions()) files[`${id}.md`] = strToU8(version.text)
  return zipSync(files, { level: 6 })
}

function isZip(file: UploadedFile): boolean {
  return ZIP_MAGIC.every((byte, index) => file.bytes[index] === byte)
}

function hidden(name: string): boolean {
  return name.split('/').some((part) => part.startsWith('.') || part === '__MACOSX')
}

function countOf(files: readonly ImportedFile[]): Record<ImportStatus, number> {
  const counts: Record<ImportStatus, number> = { added: 0, updated: 0, unchanged: 0, invalid: 0 }
  for (const file of files) counts[file.status] += 1
  return counts
}
