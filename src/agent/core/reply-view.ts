/**
 * What a turn showed beside its reply text, kept on the conversation's history so a reload of
 * the chat page shows the plan cards, step results, quick replies and approval notes again.
 * @module
 */
import type { StepResult } from '../../executors/executor.ts'
import type { ReplyView, Session } from './session.ts'
import type { TurnResult } from './turn.ts'

/** The conversation keeps this many lines; older ones are dropped. */
const HISTORY_LIMIT = 200
/** This many of the latest replies keep their view; older ones are shown again as text. */
const VIEW_LIMIT = 20
/** A step's output is kept this long in the history; the audit log has it whole. */
const KEPT_OUTPUT_CHARACTERS = 4000

/** Adds the reply, with what it showed, to the conversation's history (not saved yet). */
export function recordReply(session: Session, result: Omit<TurnResult, 'sessionId'>): void {
  const view = replyViewOf(result)
  session.history.push({
    role: 'assistant',
    text: result.reply,
    at: new Date().toISOString(),
    ...(view ? { view } : {}),
  })
  if (session.history.length > HISTORY_LIMIT)
    session.history.splice(0, session.history.length - HISTORY_LIMIT)
  // Plans are large (their scripts): only the latest replies keep theirs; older ones show text.
  let kept = 0
  for (let index = session.history.length - 1; index >= 0; index--) {
    const entry = session.history[index]
    if (!entry?.view) continue
    if (++kept > VIEW_LIMIT) delete entry.view
  }
}

/** The parts of a result worth showing again; undefined for a turn that was text only. */
export function replyViewOf(result: Omit<TurnResult, 'sessionId'>): ReplyView | undefined {
  const view: ReplyView = {
    ...(result.tasks.length > 0 ? { tasks: result.tasks } : {}),
    ...(result.plan.length > 0 ? { plan: result.plan } : {}),
    ...(result.results.length > 0 ? { results: result.results.map(shortened) } : {}),
    ...(result.missing.length > 0 ? { missing: result.missing } : {}),
    ...(result.approvals?.length ? { approvals: result.approvals } : {}),
    ...(result.outOfScope ? { outOfScope: result.outOfScope } : {}),
    ...(result.handoff ? { handoff: result.handoff } : {}),
    ...(result.answer ? { answer: result.answer } : {}),
  }
  return Object.keys(view).length > 0 ? view : undefined
}

function shortened(step: StepResult): StepResult {
  const cut = (text: string) =>
    text.length > KEPT_OUTPUT_CHARACTERS ? `${text.slice(0, KEPT_OUTPUT_CHARACTERS)}…` : text
  return { ...step, stdout: cut(step.stdout), stderr: cut(step.stderr) }
}
