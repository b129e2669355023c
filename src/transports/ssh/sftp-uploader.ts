/**
 * The `FileUploader` for Linux targets: SFTP (ssh2) on the connection the SSH shell makes, so the
 * pinned host key and the target's credential apply exactly as for scripts, and a job's target
 * logs in once for its scripts and its upload. The remote path is first unlinked (a link there is
 * removed, never followed) and then created exclusively (O_CREAT|O_EXCL), so a symlink planted at
 * the temporary name cannot redirect the write; the mode is set on the open handle (no umask),
 * the size read back from it, and the SHA-256 computed on the target by `sha256sum`.
 * @module
 */
import type { SFTPWrapper } from 'ssh2'
import { isHelpdeskError } from '../../errors/index.ts'
import type { Target } from '../../inventory/inventory-schema.ts'
import { quoteBash } from '../../rendering/quoting.ts'
import type {
  FileUploader,
  FileUploadOptions,
  FileUploadRequest,
  FileUploadResult,
} from '../file-upload.ts'
import { uploadFailed, uploadStopped } from '../file-upload.ts'
import type { RemoteSession } from '../remote-shell.ts'
import type { SshRemoteShell } from './ssh-remote-shell.ts'

/** Bytes per SFTP write request, and how many are in flight at once. */
const WRITE_SIZE = 32 * 1024
const IN_FLIGHT = 16

export class SftpUploader implements FileUploader {
  private readonly shell: SshRemoteShell

  constructor(options: { shell: SshRemoteShell }) {
    this.shell = options.shell
  }

  async upload(
    target: Target,
    upload: FileUploadRequest,
    options: FileUploadOptions,
    session?: RemoteSession,
  ): Promise<FileUploadResult> {
    const started = performance.now()
    const where = `${target.name}:${upload.remotePath}`
    if (options.signal?.aborted) throw uploadStopped(where, 'cancelled')
    const channel = await this.shell.openSftp(target, session)
    const { sftp } = channel
    const stop = new AbortController()
    const timer = setTimeout(() => stop.abort('timeout'), options.timeoutMs)
    const onAbort = () => stop.abort('cancelled')
    options.signal?.addEventListener('abort', onAbort, { once: true })
    // A stopped upload closes the channel: every pending request then fails at once.
    stop.signal.addEventListener('abort', () => channel.close(), { once: true })
    let created = false
    let requests = 0
    try {
      await call<void>((done) => sftp.unlink(upload.remotePath, done)).catch((error: unknown) => {
        if (sftpCode(error) !== 2) throw error // 2: no such file, nothing to remove
      })
      const handle = await call<Buffer>((done) =>
        sftp.open(upload.remotePath, 'wx', { mode: upload.mode ?? 0o644 }, done),
      )
      created = true
      requests += 2
      let next = 0
      const writer = async () => {
        while (next < upload.bytes.length) {
          const offset = next
          next += WRITE_SIZE
          const length = Math.min(WRITE_SIZE, upload.bytes.length - offset)
          await call<void>((done) => sftp.write(handle, upload.bytes, offset, length, offset, done))
          requests++
        }
      }
      await Promise.all(Array.from({ length: IN_FLIGHT }, writer))
      await call<void>((done) => sftp.fchmod(handle, upload.mode ?? 0o644, done))
      const stats = await call<{ size: number }>((done) => sftp.fstat(handle, done))
      await call<void>((done) => sftp.close(handle, done))
      requests += 3
      const sum = await channel.run(
        { commandLine: `sha256sum -- ${quoteBash(upload.remotePath)}` },
        {
          timeoutMs: Math.max(5000, options.timeoutMs - (performance.now() - started)),
          outputLimit: 4096,
          signal: stop.signal,
        },
      )
      requests++
      const sha256 = /^([0-9a-f]{64})\b/.exec(sum.stdout)?.[1]
      if (sum.exitCode !== 0 || !sha256) {
        throw uploadFailed(
          where,
          `sha256sum on the target failed (exit ${sum.exitCode}): ${sum.stderr.trim().slice(0, 200)}`,
          'UPLOAD_FAILED',
        )
      }
      if (stats.size !== upload.bytes.length || sha256 !== upload.sha256) {
        throw uploadFailed(
          where,
          `arrived as ${stats.size} bytes with SHA-256 ${sha256}, expected ${upload.bytes.length} bytes with ${upload.sha256}`,
          'CHECKSUM_MISMATCH',
        )
      }
      return { size: stats.size, sha256, durationMs: performance.now() - started, requests }
    } catch (error) {
      if (created && !stop.signal.aborted) await removeQuietly(sftp, upload.remotePath)
      if (stop.signal.aborted)
        throw uploadStopped(where, stop.signal.reason === 'timeout' ? 'timeout' : 'cancelled')
      if (isHelpdeskError(error)) throw error
      throw uploadFailed(where, describeSftpError(error), 'UPLOAD_FAILED')
    } finally {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      if (!stop.signal.aborted) channel.close()
    }
  }
}

function call<T>(
  start: (done: (error: Error | undefined | null, value: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) =>
    start((error, value) => (error ? reject(error) : resolve(value))),
  )
}

async function removeQuietly(sftp: SFTPWrapper, remotePath: string): Promise<void> {
  await call<void>((done) => sftp.unlink(remotePath, done)).catch(() => undefined)
}

/** The SFTP status code of an ssh2 error (2 no such file, 3 permission denied, 4 failure). */
function sftpCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === 'number' ? code : undefined
}

function describeSftpError(error: unknown): string {
  const code = sftpCode(error)
  const reason = error instanceof Error ? error.message : String(error)
  if (code === 2) return `the directory does not exist on the target (${reason})`
  if (code === 3) return `the target refused the write: permission denied (${reason})`
  if (code === 4)
    return `the target could not write the file: ${reason} (it may already exist, or the disk is full)`
  return reason
}
