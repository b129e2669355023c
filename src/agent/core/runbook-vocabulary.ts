/**
 * Whether some words only say more about a runbook's own request (its title, its questions,
 * its parameters' descriptions): "just the licence" beside the Jira group answer. Split from
 * dialogue-act.ts.
 * @module
 */

import type { Instruction } from '../../knowledge/instructions/instruction.ts'

/** Words that carry no topic: "just", "the", "only a". */
const FUNCTION_WORDS = new Set(
  (
    'a an the just only for to of it its it is this that these those my our your please pls ' +
    'thanks thank you i me we us one need needs want wants would like some any yes ok okay so ' +
    'really also too as well with on in at be is are was'
  ).split(' '),
)

/**
 * "just the licence" beside the Jira group: its words are mostly the runbook's own (its title,
 * its questions), so it says more about this request rather than making another.
 */
export function aboutTheTask(instruction: Instruction, remainder: string): boolean {
  const words = remainder
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0 && !FUNCTION_WORDS.has(word))
  if (words.length === 0) return true
  const own = [
    instruction.title,
    ...instruction.parameters.flatMap((spec) => [spec.question, spec.description ?? '']),
  ]
    .join(' ')
    .toLowerCase()
  // "just a normal licence": one word of its own may qualify the runbook's ("normal"); a
  // remainder mostly of other words ("and my vpn is down") is a request of its own.
  const owned = words.filter((word) => new RegExp(`\\b${word}`).test(own)).length
  return owned > 0 && owned >= words.length - owned
}
