import { HelpdeskError } from '../errors/index.ts'
import type { Target } from '../inventory/inventory-schema.ts'
import type { RemoteSession } from './remote-shell.ts'

/**
 * Puts a file's bytes at a path on a remote machine and proves they arrived: SFTP over the SSH
 * connection (`ssh/sftp-uploader.ts`, Linux targets) or base64 chunks through the machine's
 * shell into PowerShell (`powershell-chunk-uploader.ts`, Windows targets over WinRM or SSH).
 * The job engine picks one by the target's operating system.
 *
 * Contract (checked by `file-uploader-contract.case.test.ts` for every implementation):
 * - The file is written to `remotePath` whole, created or truncated (never appended to an
 *   older file), and only then reported: the result's `size` and `sha256` are measured on the
 *   target after the last byte, and the upload fails when they are not the expected ones.
 * - A failed or cancelled upload leaves nothing at `remotePath` where it can remove it.
 * - Failures are `HelpdeskError`s: BACKEND_UNAVAILABLE with `details.reason` CONNECT_FAILED,
 *   HOST_KEY_MISMATCH, ... as `RemoteShell` has, or UPLOAD_FAILED (the target refused a write:
 *   no such directory, no permission, disk full) or CHECKSUM_MISMATCH; a cancel or time limit
 *   gives UPLOAD_FAILED with `details.stopped` `cancelled` or `timeout`.
 * - Credentials and host keys follow the target's transport exactly as its shell does.
 */
export interface FileUploader {
  upload(
    target: Target,
    upload: FileUploadRequest,
    options: FileUploadOptions,
    session?: RemoteSession,
  ): Promise<FileUploadResult>
}

export interface FileUploadRequest {
  bytes: Buffer
  /** Lower-case hex SHA-256 of `bytes`: what must arrive. */
  sha256: string
  /** Absolute path on the target: POSIX for Linux, `C:\...` for Windows. */
  remotePath: string
  /** POSIX permission bits for a new file (default 0o644); Windows ignores it. */
  mode?: number
}

export interface FileUploadOptions {
  timeoutMs: number
  signal?: AbortSignal
}

export interface FileUploadResult {
  /** Measured on the target. */
  size: number
  sha256: string
  durationMs: number
  /** Round trips the upload took (SFTP writes, or shell commands for chunks). */
  requests: number
}

/** The contract's failure of an upload: the target refused a write, or the bytes did not match. */
export function uploadFailed(
  where: string,
  reason: string,
  code: 'UPLOAD_FAILED' | 'CHECKSUM_MISMATCH',
): HelpdeskError {
  return new HelpdeskError({
    code: 'BACKEND_UNAVAILABLE',
    category: 'THIRD_PARTY',
    message: `upload to ${where}: ${reason}`,
    details: { reason: code },
  })
}

/** The contract's stopped upload: a cancel or the step's time limit. */
export function uploadStopped(where: string, why: 'timeout' | 'cancelled'): HelpdeskError {
  return new HelpdeskError({
    code: 'BACKEND_UNAVAILABLE',
    category: 'THIRD_PARTY',
    message: `upload to ${where} stopped: ${why === 'timeout' ? "the step's time limit passed" : 'the job was cancelled'}`,
    details: { reason: 'UPLOAD_FAILED', stopped: why },
  })
}
