import { createHash } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { isHelpdeskError } from '../errors/index.ts'
import { FilesDirectory } from './files-directory.ts'

function directory() {
  const base = mkdtempSync(path.join(tmpdir(), 'files-dir-'))
  const root = path.join(base, 'files')
  mkdirSync(path.join(root, 'nginx'), { recursive: true })
  chmodSync(root, 0o755)
  writeFileSync(path.join(root, 'motd.txt'), 'Welcome\n')
  writeFileSync(path.join(root, 'nginx', 'site.conf'), 'server {}\n')
  writeFileSync(path.join(base, 'secret.txt'), 'outside\n')
  return { base, root }
}

/** The refusal's message, or a failure when there was none. */
function refusal(run: () => unknown): { message: string; field: unknown; reason: unknown } {
  try {
    run()
  } catch (error) {
    if (!isHelpdeskError(error)) throw error
    expect(error.code).toBe('INVALID_INPUT')
    return { message: error.message, field: error.details.field, reason: error.details.reason }
  }
  throw new Error('expected a refusal')
}

describe('FilesDirectory: where file.copy takes its files from', () => {
  it('describes a file by its name relative to the directory, with size and SHA-256', () => {
    const { root } = directory()
    const files = new FilesDirectory({ directory: root })
    expect(files.describe('motd.txt')).toEqual({
      name: 'motd.txt',
      size: 8,
      sha256: createHash('sha256').update('Welcome\n').digest('hex'),
    })
    expect(files.describe('nginx/site.conf').size).toBe(10)
  })

  it.each([
    ['../secret.txt', 'not a file name'],
    ['nginx/../../secret.txt', 'not a file name'],
    ['/etc/passwd', 'not a file name'],
    ['.hidden', 'not a file name'],
    ['nginx/.git/config', 'not a file name'],
    ['motd.txt; rm -rf /', 'not a file name'],
    ['mo$(id).txt', 'not a file name'],
    ['C:\\Windows\\win.ini', 'not a file name'],
    ['motd.txt\n', 'not a file name'],
    ['', 'not a file name'],
  ])('refuses %j, naming the field', (name, words) => {
    const { root } = directory()
    const files = new FilesDirectory({ directory: root })
    const refused = refusal(() => files.describe(name))
    expect(refused.field).toBe('source')
    expect(refused.message).toMatch(/^source: /)
    expect(refused.message).toContain(words)
  })

  it('refuses a symlink that leads out of the directory, and follows one that stays inside', () => {
    const { base, root } = directory()
    symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'escape.txt'))
    symlinkSync(path.join(root, 'motd.txt'), path.join(root, 'alias.txt'))
    symlinkSync(base, path.join(root, 'up'))
    const files = new FilesDirectory({ directory: root })
    expect(refusal(() => files.describe('escape.txt')).message).toContain(
      'leads outside the files directory',
    )
    expect(refusal(() => files.describe('up/secret.txt')).message).toContain(
      'leads outside the files directory',
    )
    expect(files.describe('alias.txt').size).toBe(8)
  })

  it('refuses a missing file, a directory and a file over the size limit', () => {
    const { root } = directory()
    writeFileSync(path.join(root, 'big.bin'), Buffer.alloc(2048))
    const files = new FilesDirectory({ directory: root, maxBytes: 1024 })
    expect(refusal(() => files.describe('missing.txt')).message).toContain(
      'missing.txt is not in the files directory',
    )
    expect(refusal(() => files.describe('nginx')).message).toContain('not a regular file')
    const big = refusal(() => files.describe('big.bin'))
    expect(big.message).toContain('big.bin is 2048 bytes')
    expect(big.message).toContain('at most 1024 bytes')
  })

  it('reads only the approved bytes: a file changed since the preview is refused', () => {
    const { root } = directory()
    const files = new FilesDirectory({ directory: root })
    const approved = files.describe('motd.txt')
    expect(files.read(approved).toString()).toBe('Welcome\n')
    writeFileSync(path.join(root, 'motd.txt'), 'Welcome, attacker\n')
    const changed = refusal(() => files.read(approved))
    expect(changed.reason).toBe('SOURCE_CHANGED')
    expect(changed.message).toContain('changed since it was approved')
  })

  it('refuses a directory anyone may write to, a relative one and a missing one at start', () => {
    const { base, root } = directory()
    const before = readdirSync(root).sort()
    chmodSync(root, 0o777)
    expect(() => new FilesDirectory({ directory: root })).toThrow(/may be written by anyone/)
    expect(() => new FilesDirectory({ directory: 'files' })).toThrow(/expected an absolute path/)
    expect(() => new FilesDirectory({ directory: path.join(base, 'nope') })).toThrow(
      /HELPDESK_FILES_DIRECTORY: .* does not exist/,
    )
    // Nothing was changed by any refusal.
    expect(readdirSync(root).sort()).toEqual(before)
  })
})
