/**
 * The `FileUploader` for Windows targets: the file goes as base64 text on the standard input of
 * a few PowerShell commands (`-EncodedCommand`, through the target's own shell: WinRM, or SSH to
 * Windows OpenSSH), each decoding its lines and appending them to the file (the first creates
 * it, removing an older one); each answers the length so far, so a lost chunk stops the upload
 * at once. A last command measures the size and SHA-256 (`Get-FileHash`) on the target; on any
 * failure the file is removed. The scripts are constant text, the path bound by the one
 * PowerShell quoting function (src/rendering); base64 cannot carry code.
 *
 * Chunks are 64 KiB of file (87 KB of base64): with WS-Management's own base64 of the input, a
 * Send stays below 150 KB, the smallest MaxEnvelopeSizekb of supported Windows versions.
 * Tested against the WS-Management test endpoint, which does not run PowerShell: the scripts
 * themselves have not run on a real Windows machine here.
 * @module
 */
import { HelpdeskError } from '../errors/index.ts'
import type { Target } from '../inventory/inventory-schema.ts'
import { encodePowerShellCommand, renderPowerShell } from '../rendering/script-renderer.ts'
import type {
  FileUploader,
  FileUploadOptions,
  FileUploadRequest,
  FileUploadResult,
} from './file-upload.ts'
import { uploadFailed, uploadStopped } from './file-upload.ts'
import type { RemoteCommandResult, RemoteSession, RemoteShell } from './remote-shell.ts'

export const CHUNK_BYTES = 64 * 1024
/** Base64 characters per stdin line (3,072 bytes of file). */
const LINE_CHARACTERS = 4096

/** Appends the base64 lines on stdin to $path; `$first` = 1 starts a new file. */
export const APPEND_CHUNK_SCRIPT = `$data = [Console]::In.ReadToEnd()
if ($first -eq '1') {
  if (Test-Path -LiteralPath $path) { Remove-Item -LiteralPath $path -Force }
  $mode = [System.IO.FileMode]::CreateNew
} else {
  $mode = [System.IO.FileMode]::Append
}
$stream = [System.IO.File]::Open($path, $mode, [System.IO.FileAccess]::Write)
try {
  foreach ($line in ($data -split "\`n")) {
    $text = $line.Trim()
    if ($text.Length -gt 0) {
      $bytes = [System.Convert]::FromBase64String($text)
      $stream.Write($bytes, 0, $bytes.Length)
    }
  }
  Write-Output ('length {0}' -f $stream.Length)
} finally {
  $stream.Close()
}`

/** Prints `<size> <sha256>` of $path. */
export const MEASURE_SCRIPT = `$item = Get-Item -LiteralPath $path
$hash = (Get-FileHash -LiteralPath $path -Algorithm SHA256).Hash.ToLower()
Write-Output ('{0} {1}' -f $item.Length, $hash)`

/** Removes $path after a failed upload. */
export const REMOVE_SCRIPT = `Remove-Item -LiteralPath $path -Force -ErrorAction SilentlyContinue`

export class PowerShellChunkUploader implements FileUploader {
  private readonly shells: Partial<Record<Target['transport'], RemoteShell>>

  constructor(options: { shells: Partial<Record<Target['transport'], RemoteShell>> }) {
    this.shells = options.shells
  }

  async upload(
    target: Target,
    upload: FileUploadRequest,
    options: FileUploadOptions,
    session?: RemoteSession,
  ): Promise<FileUploadResult> {
    const started = performance.now()
    const where = `${target.name}:${upload.remotePath}`
    const shell = this.shells[target.transport]
    if (!shell) {
      throw new HelpdeskError({
        code: 'NOT_CONFIGURED',
        message: `no ${target.transport} shell is configured, so nothing can be uploaded to ${target.name}`,
      })
    }
    const deadline = Date.now() + options.timeoutMs
    let requests = 0
    const run = async (body: string, bindings: Record<string, string>, stdin?: string) => {
      if (options.signal?.aborted) throw uploadStopped(where, 'cancelled')
      const left = deadline - Date.now()
      if (left <= 0) throw uploadStopped(where, 'timeout')
      const script = renderPowerShell(
        body,
        Object.entries(bindings).map(([name, value]) => ({ name, value })),
      ).script
      const command = {
        commandLine: `powershell -NoProfile -NonInteractive -EncodedCommand ${encodePowerShellCommand(script)}`,
        ...(stdin !== undefined ? { stdin } : {}),
      }
      const runOptions = {
        timeoutMs: left,
        outputLimit: 4096,
        ...(options.signal ? { signal: options.signal } : {}),
      }
      requests++
      const result: RemoteCommandResult = session
        ? await session.run(command, runOptions)
        : await shell.run(target, command, runOptions)
      if (options.signal?.aborted) throw uploadStopped(where, 'cancelled')
      if (result.timedOut) throw uploadStopped(where, 'timeout')
      return result
    }
    let wroteAny = false
    try {
      const total = upload.bytes.length
      for (let offset = 0; offset === 0 || offset < total; offset += CHUNK_BYTES) {
        const chunk = upload.bytes.subarray(offset, Math.min(total, offset + CHUNK_BYTES))
        const base64 = chunk.toString('base64')
        const lines: string[] = []
        for (let at = 0; at < base64.length; at += LINE_CHARACTERS)
          lines.push(base64.slice(at, at + LINE_CHARACTERS))
        wroteAny = true
        const result = await run(
          APPEND_CHUNK_SCRIPT,
          { path: upload.remotePath, first: offset === 0 ? '1' : '0' },
          lines.length ? `${lines.join('\r\n')}\r\n` : '',
        )
        const length = /length (\d+)/.exec(result.stdout)?.[1]
        const expected = offset + chunk.length
        if (result.exitCode !== 0 || length === undefined || Number(length) !== expected) {
          throw uploadFailed(
            where,
            `the chunk at byte ${offset} was not written (exit ${result.exitCode}, length ${length ?? 'not reported'}, expected ${expected}): ${lastLine(result.stderr)}`,
            'UPLOAD_FAILED',
          )
        }
        if (total === 0) break
      }
      const measured = await run(MEASURE_SCRIPT, { path: upload.remotePath })
      const match = /(\d+) ([0-9a-f]{64})/.exec(measured.stdout)
      if (measured.exitCode !== 0 || !match) {
        throw uploadFailed(
          where,
          `measuring the file on the target failed (exit ${measured.exitCode}): ${lastLine(measured.stderr)}`,
          'UPLOAD_FAILED',
        )
      }
      const size = Number(match[1])
      const sha256 = match[2] ?? ''
      if (size !== total || sha256 !== upload.sha256) {
        throw uploadFailed(
          where,
          `arrived as ${size} bytes with SHA-256 ${sha256}, expected ${total} bytes with ${upload.sha256}`,
          'CHECKSUM_MISMATCH',
        )
      }
      return { size, sha256, durationMs: performance.now() - started, requests }
    } catch (error) {
      if (wroteAny && !options.signal?.aborted && Date.now() < deadline) {
        await run(REMOVE_SCRIPT, { path: upload.remotePath }).catch(() => undefined)
      }
      throw error
    }
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.slice(0, 200) ?? ''
}
