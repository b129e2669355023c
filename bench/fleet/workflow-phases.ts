// The job benchmark's workflow cut into phases that a tool running one command on every machine
// at once can do (Ansible ad-hoc, parallel-ssh): the same step scripts, in the same order.
import type { Workflow } from '../../src/operations/workflow.ts'
import type { SshEndpoint } from './sshd.ts'

/** What a tool that runs the workflow phase by phase is given. */
export interface PhasedToolOptions {
  endpoint: SshEndpoint
  workflow: Workflow
  names: readonly string[]
  concurrency: number
  localFile: string
  /** Where a machine's upload goes, given its name as it is written in the phase. */
  uploadPath: (name: string) => string
  directory: string
}

/** Every phase script ends by printing this: a host that printed it ran the whole phase. */
export const PHASE_DONE = 'HELPDESK_PHASE_DONE'

export interface PhasedRun {
  ms: number
  /** Wall time per phase, in order. */
  phases: Array<{ title: string; ms: number }>
  failures: string[]
}

/** One ad-hoc run: a shell phase (a bash script run with the machine's name) or the file copy. */
export type Phase =
  | { kind: 'shell'; title: string; script: string }
  | { kind: 'copy'; title: string; destinationFor: string }

/**
 * The workflow as ad-hoc phases. A step's condition gates its change and verification inside
 * one shell phase ("stop where running"); a step with a file copy is three phases: its backup,
 * the `copy` module (Ansible checks the file's checksum after the transfer), then the SHA-256
 * check of the upload, the change that moves it into place and the verification.
 */
export function phasesOf(workflow: Workflow, uploadPath: (name: string) => string): Phase[] {
  const phases: Phase[] = []
  for (const step of workflow.steps) {
    const piece = (label: string, script: string | undefined, onFailure: string) =>
      script === undefined
        ? ''
        : `bash -s -- "$1" <<'HELPDESK_${label}' || ${onFailure}\n${script.endsWith('\n') ? script : `${script}\n`}HELPDESK_${label}\n`
    const condition = step.condition?.scripts.linux
    const change =
      piece('CHANGE', step.scripts.linux, 'exit 1') + piece('VERIFY', step.verify?.linux, 'exit 1')
    if (step.transfer) {
      if (condition !== undefined)
        throw new Error(`${step.id}: a copy under a condition is not run ad hoc`)
      const upload = uploadPath('"$1"')
      phases.push({
        kind: 'shell',
        title: `${step.id} backup`,
        script: piece('BACKUP', step.backup?.linux, 'exit 1'),
      })
      phases.push({
        kind: 'copy',
        title: `${step.id} copy`,
        destinationFor: uploadPath('{{ inventory_hostname }}'),
      })
      phases.push({
        kind: 'shell',
        title: `${step.id} change`,
        script: `sum=$(sha256sum < ${upload})\n[ "\${sum%% *}" = ${step.transfer.sha256} ] || exit 1\n${change}`,
      })
      continue
    }
    const body = piece('BACKUP', step.backup?.linux, 'exit 1') + change
    phases.push({
      kind: 'shell',
      title: step.id,
      script:
        condition === undefined
          ? body
          : `if bash -s -- "$1" <<'HELPDESK_CONDITION'\n${condition}HELPDESK_CONDITION\nthen\n${body}fi\n`,
    })
  }
  return phases
}
