/**
 * A `FileUploader` for a fleet of inventory names on one host (the loopback sshd): the engine
 * sends every machine's copy to the same `<destination>.helpdesk-upload`, which on separate
 * machines is separate files but here would be one file written by all at once. This puts the
 * target's name before the file's name (`DIR/NAME.BASE`), as the sample workflow keeps each
 * name's state in `NAME.*` files, and hands the upload to the real uploader unchanged otherwise.
 * Test and benchmark use only; the server never builds it.
 * @module
 */
import path from 'node:path'
import type { Target } from '../../inventory/inventory-schema.ts'
import type {
  FileUploader,
  FileUploadOptions,
  FileUploadRequest,
  FileUploadResult,
} from '../../transports/file-upload.ts'
import type { RemoteSession } from '../../transports/remote-shell.ts'

export class PerNameUploader implements FileUploader {
  private readonly inner: FileUploader

  constructor(options: { inner: FileUploader }) {
    this.inner = options.inner
  }

  upload(
    target: Target,
    upload: FileUploadRequest,
    options: FileUploadOptions,
    session?: RemoteSession,
  ): Promise<FileUploadResult> {
    return this.inner.upload(
      target,
      { ...upload, remotePath: perNamePath(upload.remotePath, target.name) },
      options,
      session,
    )
  }
}

/** `/state/conf.helpdesk-upload` for NODE-001 -> `/state/NODE-001.conf.helpdesk-upload`. */
export function perNamePath(remotePath: string, name: string): string {
  return path.posix.join(
    path.posix.dirname(remotePath),
    `${name}.${path.posix.basename(remotePath)}`,
  )
}
