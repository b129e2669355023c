/**
 * The workflow the engine's tests and the benchmark run: check, stop where running, copy a file
 * (backed up first, checksum verified), start, verify. Per-machine state lives in files named
 * after the machine (`$1`) under one directory, so a fleet of names on one host (the loopback
 * sshd, or local bash) behaves like separate machines: `NAME.running` is the service running,
 * `NAME.broken` makes its start fail, `NAME.slow` makes its check sleep. Every changing step's
 * change appends `NAME step-N` to `changes`, so a test can see that none ran twice.
 * @module
 */
import { createHash } from 'node:crypto'
import type { FileTransfer, Workflow, WorkflowStep } from '../../operations/workflow.ts'
import { quoteBash } from '../../rendering/quoting.ts'

export interface SampleWorkflowOptions {
  /** Directory on the machine(s) holding the state files. */
  directory: string
  targets: readonly string[]
  continueOnFailure?: boolean
  /** Base64 of the file the copy step writes (default a short text). */
  fileBase64?: string
  /**
   * Copy a real file through the engine's transfer phase instead of writing it from the script:
   * the file pinned from a files directory, its destination `DIRECTORY/conf`. On one host with
   * many names the engine must upload per name (sshd-fleet's `uploadPerName`), so each name's
   * upload lands at `DIRECTORY/NAME.conf.helpdesk-upload` and the change moves it to `NAME.conf`.
   */
  transfer?: Omit<FileTransfer, 'destination'>
  /** Seconds the check sleeps where `NAME.slow` exists (cancel and restart tests). */
  slowSeconds?: number
  /** Seconds the copy (a change) sleeps where `NAME.slowchange` exists (take-over tests). */
  slowChangeSeconds?: number
}

export function sampleWorkflow(options: SampleWorkflowOptions): Workflow {
  const dir = quoteBash(options.directory)
  const content = options.fileBase64 ?? Buffer.from('setting=new\n').toString('base64')
  const sum =
    options.transfer?.sha256 ??
    createHash('sha256').update(Buffer.from(content, 'base64')).digest('hex')
  const slowChange = `echo "$name step-3" >> "$d/changes"\nif [ -f "$d/$name.slowchange" ]; then sleep ${options.slowChangeSeconds ?? 30}; fi`
  // Written by the script (the file as base64 in it), or moved into place from the upload.
  const place = options.transfer
    ? 'mv "$d/$name.conf.helpdesk-upload" "$d/$name.conf"'
    : `base64 -d > "$d/$name.conf.new" <<'HELPDESK_FILE'\n${content.replace(/(.{76})/g, '$1\n')}\nHELPDESK_FILE\nmv "$d/$name.conf.new" "$d/$name.conf"`
  const linux = (script: string) => ({ linux: `set -u\nname="$1"\nd=${dir}\n${script}\n` })
  const step = (
    index: number,
    operation: string,
    title: string,
    changes: boolean,
    parts: Partial<WorkflowStep>,
  ): WorkflowStep => ({
    id: `step-${index}`,
    operation,
    parameters: {},
    title,
    risk: changes ? 'medium' : 'low',
    changes,
    scripts: {},
    timeoutSeconds: 60,
    ...parts,
  })
  return {
    targets: options.targets,
    continueOnFailure: options.continueOnFailure ?? true,
    steps: [
      step(1, 'service.status', 'Check the service demo', false, {
        scripts: linux(
          `echo "$name" >> "$d/checks"\nif [ -f "$d/$name.slow" ]; then echo "slow check on $name"; sleep ${options.slowSeconds ?? 30}; echo "$name" >> "$d/finished-slow"; fi\nif [ -f "$d/$name.running" ]; then echo "demo is running on $name"; else echo "demo is stopped on $name"; fi`,
        ),
      }),
      step(2, 'service.stop', 'Stop the service demo where it is running', true, {
        condition: { kind: 'only-where-running', scripts: linux('test -f "$d/$name.running"') },
        scripts: linux(
          'echo "$name step-2" >> "$d/changes"\nrm -f "$d/$name.running"\necho "stopped demo on $name"',
        ),
        verify: linux('! test -f "$d/$name.running"'),
        rollback: linux('touch "$d/$name.running"\necho "started demo again on $name"'),
      }),
      step(3, 'file.copy', 'Copy demo.conf to the machines', true, {
        backup: linux(
          'if [ -f "$d/$name.conf" ]; then cp -p "$d/$name.conf" "$d/$name.conf.bak"; fi',
        ),
        scripts: linux(`${slowChange}\n${place}\necho "copied demo.conf to $name"`),
        verify: linux(
          `sum=$(sha256sum < "$d/$name.conf")\nif [ "\${sum%% *}" != ${quoteBash(sum)} ]; then echo "checksum mismatch on $name" >&2; exit 1; fi${options.transfer ? `\necho "demo.conf on $name has SHA-256 \${sum%% *}"` : ''}`,
        ),
        ...(options.transfer
          ? { transfer: { ...options.transfer, destination: `${options.directory}/conf` } }
          : {}),
        rollback: linux(
          'if [ -f "$d/$name.conf.bak" ]; then mv "$d/$name.conf.bak" "$d/$name.conf"; else rm -f "$d/$name.conf"; fi\necho "restored demo.conf on $name"',
        ),
      }),
      step(4, 'service.start', 'Start the service demo', true, {
        scripts: linux(
          'echo "$name step-4" >> "$d/changes"\nif [ -f "$d/$name.broken" ]; then echo "demo failed to start on $name" >&2; exit 3; fi\ntouch "$d/$name.running"\necho "started demo on $name"',
        ),
        rollback: linux('rm -f "$d/$name.running"'),
      }),
      step(5, 'service.status', 'Verify the service demo is running', false, {
        scripts: linux('test -f "$d/$name.running" && echo "demo is running on $name"'),
      }),
    ],
  }
}
