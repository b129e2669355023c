import type { InventoryData } from '../inventory/inventory-schema.ts'
import { resolveTargets } from './build-workflow.ts'
import type { ReadRequest } from './request-reader.ts'

/**
 * Work the catalog cannot express, as a configured model wrote it (ReadRequest.proposal), made
 * into the `propose_script` path's proposals: one per machine, the script of its operating
 * system, each shown in full and approved by a technician (level 3) before it runs. The reply
 * says so before anything is asked of approvals; machines without a script for their operating
 * system are named and left out.
 * @module
 */

/** One approval per machine: past this many, the request is refused with the reason. */
export const PROPOSAL_MACHINE_LIMIT = 10

export interface MachineProposal {
  language: 'bash' | 'powershell'
  script: string
  target: string
  reason: string
}

export type ProposalBuild =
  | { ok: true; proposals: MachineProposal[]; reply: string }
  | { ok: false; reason: string }

export function proposalsFor(
  read: ReadRequest,
  inventory: Pick<InventoryData, 'targets' | 'groups'>,
): ProposalBuild {
  const proposal = read.proposal
  if (!proposal) return { ok: false, reason: 'the request has no proposed script' }
  const machines = resolveTargets(read, inventory)
  if (machines.length === 0)
    return { ok: false, reason: 'none of the machines named is in the inventory' }
  if (machines.length > PROPOSAL_MACHINE_LIMIT)
    return {
      ok: false,
      reason: `a script outside the catalog is approved machine by machine, at most ${PROPOSAL_MACHINE_LIMIT} at a time, and this names ${machines.length}; name fewer machines, or ask for it as catalog operations (docs/operations.md)`,
    }
  const proposals: MachineProposal[] = []
  const without: string[] = []
  for (const machine of machines) {
    const script =
      machine.os === 'windows'
        ? proposal.scripts.windows
        : machine.os === 'linux'
          ? proposal.scripts.linux
          : undefined
    if (script === undefined) without.push(machine.name)
    else
      proposals.push({
        language: machine.os === 'windows' ? 'powershell' : 'bash',
        script,
        target: machine.name,
        reason: proposal.reason,
      })
  }
  if (proposals.length === 0)
    return {
      ok: false,
      reason: `the proposed script has no version for the operating system of ${without.join(', ')}`,
    }
  const lines = [
    'No catalog operation does this, so here is a script written for it. Nothing runs until a technician has read it in full and approved it, machine by machine (level 3).',
    '',
    `Why: ${proposal.reason}`,
  ]
  for (const [os, language] of [
    ['linux', 'bash'],
    ['windows', 'powershell'],
  ] as const) {
    const on = proposals.filter((each) => each.language === language).map((each) => each.target)
    const script = proposal.scripts[os]
    if (on.length === 0 || script === undefined) continue
    lines.push(
      '',
      `On ${os === 'linux' ? 'Linux' : 'Windows'} (${on.join(', ')}):`,
      `\`\`\`${language}`,
      script,
      '```',
    )
  }
  if (without.length > 0)
    lines.push('', `Left out (no script for their operating system): ${without.join(', ')}.`)
  if (read.unknownMachines.length > 0)
    lines.push('', `Not in the inventory, skipped: ${read.unknownMachines.join(', ')}.`)
  return { ok: true, proposals, reply: lines.join('\n') }
}
