/**
 * Where `file.copy` takes its files from: one directory on the helpdesk server
 * (`HELPDESK_FILES_DIRECTORY`), which the helpdesk only reads. A file is named by a path relative
 * to it with a closed character set (`motd.txt`, `nginx/site.conf`: letters, digits, `.`, `_`,
 * `-`, at most 8 levels, no segment starting with a dot, so no `..` and no hidden files); it must
 * resolve, symlinks followed, to a regular file inside the directory, no larger than the limit.
 *
 * The preview pins the file by size and SHA-256; the job engine reads it again when it uploads
 * and refuses to send anything else (`read`), so what runs is what was approved even if the file
 * was changed or swapped for a symlink in between. The directory itself is refused when anyone
 * may write to it (mode o+w): a file planted there would be copied to servers as root.
 * @module
 */
import { createHash } from 'node:crypto'
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs'
import path from 'node:path'
import { HelpdeskError } from '../errors/index.ts'

/** A file in the files directory as the preview shows it and the job engine checks it. */
export interface CopySource {
  /** The name relative to the files directory, as validated. */
  name: string
  size: number
  /** Lower-case hex. */
  sha256: string
}

/** The closed set a source name is made of (also the `file_name` parameter kind). */
export const FILE_NAME_PATTERN =
  /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}(\/[A-Za-z0-9_][A-Za-z0-9._-]{0,127}){0,7}$/
/** Default for `HELPDESK_FILES_MAX_BYTES`. */
export const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024

export class FilesDirectory {
  /** The directory's real path (symlinks resolved at start). */
  readonly root: string
  readonly maxBytes: number

  /**
   * @throws {HelpdeskError} INVALID_CONFIGURATION naming HELPDESK_FILES_DIRECTORY when it is not
   *   an absolute path to an existing directory, or anyone may write to it
   */
  constructor(options: { directory: string; maxBytes?: number }) {
    const configured = options.directory
    const misconfigured = (reason: string) =>
      new HelpdeskError({
        code: 'INVALID_CONFIGURATION',
        message: `HELPDESK_FILES_DIRECTORY: ${reason}`,
        details: { variable: 'HELPDESK_FILES_DIRECTORY' },
      })
    if (!path.isAbsolute(configured))
      throw misconfigured(`expected an absolute path, got "${configured}"`)
    let real: string
    try {
      real = realpathSync(configured)
    } catch (error) {
      throw misconfigured(
        `${configured} does not exist (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      )
    }
    const stats = statSync(real)
    if (!stats.isDirectory()) throw misconfigured(`${configured} is not a directory`)
    if ((stats.mode & 0o002) !== 0)
      throw misconfigured(
        `${configured} may be written by anyone (mode o+w); files copied to servers must come from a directory only administrators change`,
      )
    this.root = real
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES
  }

  /**
   * The file a copy would send: validated name, size and SHA-256. Reads the file whole (once, for
   * the preview), synchronously: the size limit keeps that short.
   * @throws {HelpdeskError} INVALID_INPUT with `details.field` "source", naming the file and what
   *   was expected; nothing is changed
   */
  describe(name: string): CopySource {
    const { bytes, validName } = this.load(name)
    return { name: validName, size: bytes.length, sha256: sha256Of(bytes) }
  }

  /**
   * The bytes of an approved file, checked again: same name rules, and the size and SHA-256 the
   * approval saw.
   * @throws {HelpdeskError} INVALID_INPUT as `describe`; `details.reason` SOURCE_CHANGED when the
   *   file is no longer what was approved
   */
  read(source: CopySource): Buffer {
    const { bytes } = this.load(source.name)
    const sha256 = sha256Of(bytes)
    if (bytes.length !== source.size || sha256 !== source.sha256) {
      throw refused(
        `${source.name} changed since it was approved (now ${bytes.length} bytes, SHA-256 ${sha256.slice(0, 12)}..., approved ${source.size} bytes, ${source.sha256.slice(0, 12)}...); nothing was copied, ask for the copy again`,
        'SOURCE_CHANGED',
      )
    }
    return bytes
  }

  private load(name: string): { bytes: Buffer; validName: string } {
    if (typeof name !== 'string' || !FILE_NAME_PATTERN.test(name) || name.includes('..')) {
      throw refused(
        `"${String(name).slice(0, 80)}" is not a file name in the files directory: expected a path relative to it such as motd.txt or nginx/site.conf (letters, digits, . _ -, no segment starting with a dot, no ..)`,
      )
    }
    const joined = path.join(this.root, name)
    let real: string
    try {
      real = realpathSync(joined)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      throw refused(
        code === 'ENOENT'
          ? `${name} is not in the files directory (${this.root})`
          : `${name} cannot be read (${code ?? 'error'})`,
      )
    }
    if (!real.startsWith(`${this.root}${path.sep}`)) {
      throw refused(`${name} leads outside the files directory (a symlink to ${real}); refused`)
    }
    // Opened by its resolved path without following a link there, then checked on the open file,
    // so a swap between the check and the read cannot send anything else.
    let descriptor: number
    try {
      descriptor = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW)
    } catch (error) {
      throw refused(
        `${name} cannot be opened (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      )
    }
    try {
      const stats = fstatSync(descriptor)
      if (!stats.isFile()) throw refused(`${name} is not a regular file`)
      if (stats.size > this.maxBytes) {
        throw refused(
          `${name} is ${stats.size} bytes; files copied to machines may be at most ${this.maxBytes} bytes (HELPDESK_FILES_MAX_BYTES)`,
        )
      }
      const bytes = Buffer.alloc(stats.size)
      let offset = 0
      while (offset < bytes.length) {
        const read = readSync(descriptor, bytes, offset, bytes.length - offset, offset)
        if (read === 0) break
        offset += read
      }
      return { bytes: bytes.subarray(0, offset), validName: name }
    } finally {
      closeSync(descriptor)
    }
  }
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

function refused(reason: string, code = 'INVALID_SOURCE'): HelpdeskError {
  return new HelpdeskError({
    code: 'INVALID_INPUT',
    message: `source: ${reason}`,
    details: { field: 'source', reason: code },
  })
}
