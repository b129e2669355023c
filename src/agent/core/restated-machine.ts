/**
 * The machine said again after a plan, with no cue word: "my work laptop, the only one i have",
 * "from LT-0423", "its LT-0425 i think". No question is open, so it is no answer; it is about
 * the task in hand (planned on the machine taken for it), not a new request. Read by
 * dialogue-act.ts; helpdesk-core.ts still routes the words and lets a request of their own win
 * ("LT-0423 has no sound either").
 * @module
 */

import type { DialogueAct, DialogueContext } from './dialogue-act.ts'

/** Longer than this, the words are more than the machine said again. */
const RESTATED_WORDS = 8

/**
 * A correction (or confirmation) of the current task's machine, marked `restated`; undefined
 * when a question is open, nothing was planned, or the words name no machine.
 */
export function restatedMachineOf(
  text: string,
  context: DialogueContext,
  machineOf: (words: string) => string | undefined,
): Extract<DialogueAct, { kind: 'correction' }> | undefined {
  const current = context.current
  if (context.pending || !current) return undefined
  if (text.trim().split(/\s+/).length > RESTATED_WORDS) return undefined
  const spec = current.parameters.find((each) => each.kind === 'hostname')
  if (!spec) return undefined
  const value = machineOf(text)
  if (value === undefined) return undefined
  return {
    kind: 'correction',
    taskType: current.id,
    parameter: spec.name,
    value,
    restated: true,
  }
}
