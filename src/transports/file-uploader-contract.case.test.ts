/**
 * The contract every `FileUploader` keeps (src/transports/file-upload.ts), run by each
 * implementation's own test against its real peer: the SFTP uploader on the loopback sshd, the
 * PowerShell chunk uploader through the real WinRM client to the WS-Management test endpoint.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto'
import { expect, it } from 'vitest'
import { isHelpdeskError } from '../errors/index.ts'
import type { Target } from '../inventory/inventory-schema.ts'
import type { FileUploader } from './file-upload.ts'

export interface UploaderWorld {
  uploader: FileUploader
  target: Target
  /** A fresh absolute path on the target whose directory exists. */
  freshPath(name: string): string
  /** What is at the path on the target now, or undefined when nothing is. */
  readRemote(remotePath: string): Promise<Buffer | undefined>
  /** Puts bytes at the path on the target (an older file the upload must replace). */
  writeRemote(remotePath: string, bytes: Buffer): Promise<void>
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

export function fileUploaderContract(world: () => UploaderWorld): void {
  it('uploads the bytes whole (several chunks) and reports the size and SHA-256 measured there', async () => {
    const { uploader, target, freshPath, readRemote } = world()
    const bytes = randomBytes(200 * 1024 + 17)
    const remotePath = freshPath('whole.bin')
    const result = await uploader.upload(
      target,
      { bytes, sha256: sha256(bytes), remotePath },
      { timeoutMs: 60_000 },
    )
    expect(result.size).toBe(bytes.length)
    expect(result.sha256).toBe(sha256(bytes))
    expect(result.requests).toBeGreaterThan(2)
    expect((await readRemote(remotePath))?.equals(bytes)).toBe(true)
  })

  it('uploads an empty file', async () => {
    const { uploader, target, freshPath, readRemote } = world()
    const bytes = Buffer.alloc(0)
    const remotePath = freshPath('empty.txt')
    const result = await uploader.upload(
      target,
      { bytes, sha256: sha256(bytes), remotePath },
      { timeoutMs: 60_000 },
    )
    expect(result.size).toBe(0)
    expect((await readRemote(remotePath))?.length).toBe(0)
  })

  it('replaces an older, longer file at the path instead of appending to it', async () => {
    const { uploader, target, freshPath, readRemote, writeRemote } = world()
    const remotePath = freshPath('older.txt')
    await writeRemote(remotePath, Buffer.from('an older and much longer upload left behind\n'))
    const bytes = Buffer.from('new\n')
    await uploader.upload(
      target,
      { bytes, sha256: sha256(bytes), remotePath },
      { timeoutMs: 60_000 },
    )
    expect((await readRemote(remotePath))?.toString()).toBe('new\n')
  })

  it('fails with CHECKSUM_MISMATCH when what arrived is not the expected file, and leaves nothing', async () => {
    const { uploader, target, freshPath, readRemote } = world()
    const remotePath = freshPath('mismatch.txt')
    const bytes = Buffer.from('these bytes\n')
    const error = await uploader
      .upload(
        target,
        { bytes, sha256: sha256(Buffer.from('other bytes\n')), remotePath },
        { timeoutMs: 60_000 },
      )
      .catch((caught: unknown) => caught)
    expect(isHelpdeskError(error) && error.details.reason).toBe('CHECKSUM_MISMATCH')
    expect(await readRemote(remotePath)).toBeUndefined()
  })

  it('fails with UPLOAD_FAILED, naming the machine and path, when the directory does not exist', async () => {
    const { uploader, target, freshPath } = world()
    const remotePath = freshPath('no-such-directory/file.txt')
    const bytes = Buffer.from('x')
    const error = await uploader
      .upload(target, { bytes, sha256: sha256(bytes), remotePath }, { timeoutMs: 60_000 })
      .catch((caught: unknown) => caught)
    expect(isHelpdeskError(error) && error.details.reason).toBe('UPLOAD_FAILED')
    expect(isHelpdeskError(error) && error.message).toContain(`${target.name}:${remotePath}`)
  })

  it('stops when cancelled before it starts, sending nothing', async () => {
    const { uploader, target, freshPath, readRemote } = world()
    const remotePath = freshPath('cancelled.txt')
    const bytes = Buffer.from('x')
    const error = await uploader
      .upload(
        target,
        { bytes, sha256: sha256(bytes), remotePath },
        { timeoutMs: 60_000, signal: AbortSignal.abort() },
      )
      .catch((caught: unknown) => caught)
    expect(isHelpdeskError(error) && error.details.stopped).toBe('cancelled')
    expect(await readRemote(remotePath)).toBeUndefined()
  })
}
