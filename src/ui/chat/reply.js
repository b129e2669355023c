/**
 * @module chat/reply
 * The assistant's answer to one turn: its text (with the open question and its quick replies),
 * an employee's approval notes and Confirm (outside the collapsed details), and the plan cards.
 * The turn's state lives on the message object (see `newReply`); the functions below record
 * what the server said and the component draws it.
 */

import { html } from '/ui/vendor/preact-htm.js'
import { ApprovalNote } from './approval-note.js'
import { PlanCard } from './plan-card.js'
import { Paragraphs, paragraphClass, QuickReplies, RichText, replyParagraphs } from './rich-text.js'
import { cardTarget, heldKey, stepStates } from './step-states.js'

/**
 * A reply message, empty. `forWhom`: the employee a technician asks for; `employee`: the reader
 * is an employee, who reads the short reply with the plan's details collapsed.
 */
export function newReply({ forWhom, employee, working }) {
  return {
    role: 'assistant',
    kind: 'reply',
    forWhom,
    employee,
    working,
    plans: [],
    results: [],
    /** Step key -> the approval request opened for it in this turn. */
    held: new Map(),
    /** The approval requests whose notes show, in the order they came. */
    noted: [],
    /** Approval id -> the step results of its Confirm on this page. */
    confirmed: new Map(),
    result: undefined,
    answerable: true,
    finished: false,
  }
}

/** Records an approval request of the turn: its held steps, and its note (once). */
export function noteApproval(message, approval) {
  for (const stepId of approval.stepIds ?? [])
    message.held.set(heldKey(stepId, approval.target), approval)
  if (!message.noted.some((each) => each.id === approval.id)) message.noted.push(approval)
}

/**
 * Records a turn's result: the reply and question, the plan cards with their step results and
 * approval notes. Used when a turn ends and again when a stored conversation is shown
 * (`restored`: its quick replies are spent unless `answerable`, and its approval notes come from
 * the server's open requests, not from here).
 */
export function finishReply(message, result, { restored = false, answerable = true } = {}) {
  message.working = undefined
  message.result = result
  message.answerable = answerable
  message.finished = true
  if (result.outOfScope) message.className = 'message-handoff'
  const plans = result.plan ?? []
  if (message.plans.length !== plans.length) message.plans = plans
  message.results = result.results ?? message.results
  for (const approval of result.approvals ?? []) {
    if (!restored) {
      noteApproval(message, approval)
      continue
    }
    // Which request holds each step, for its status; who acts is added for open requests only.
    for (const stepId of approval.stepIds ?? [])
      message.held.set(heldKey(stepId, approval.target), approval)
  }
}

/** Whether an approval's note belongs on this card (its task, and its machine when it names one). */
function onCard(approval, plan) {
  return (
    approval.taskType === plan.taskType &&
    (!approval.target || approval.target === cardTarget(plan))
  )
}

/** The reply's text: its paragraphs, the question (if no paragraph holds it) and its answers. */
function ReplyText({ result, answerable, send }) {
  const question = result.missing?.[0]
  const prompt = question?.question
  const held = replyParagraphs(result.reply).some(
    (paragraph) => paragraphClass(paragraph, prompt) !== 'text',
  )
  return [
    html`<${Paragraphs} text=${result.reply} prompt=${prompt} />`,
    question && !held ? html`<${RichText} text=${prompt} className="text prompt" />` : null,
    question?.options?.length
      ? html`<${QuickReplies} options=${question.options} question=${prompt} spent=${!answerable} send=${send} />`
      : null,
  ]
}

/**
 * The parts of a reply bubble after its heading. `viewer`: who is signed in; `send`: sends a
 * quick reply; `onDecided(approval, results)`: a request was confirmed or cancelled here.
 */
export function Reply({ message, viewer, send, onDecided }) {
  const states = stepStates(message.plans, message.results, {
    held: message.held,
    confirmed: message.confirmed,
    finished: message.finished,
  })
  const note = (approval) =>
    html`<${ApprovalNote} key=${approval.id} approval=${approval} viewer=${viewer} onDecided=${onDecided} />`
  // An employee's details are collapsed: who acts, and their Confirm, stay in sight above them.
  const actions = message.employee
    ? html`<div class="reply-actions">
        ${message.noted.filter((approval) => message.plans.some((plan) => onCard(approval, plan))).map(note)}
      </div>`
    : null
  return [
    message.working ? html`<p class="working">${message.working}</p>` : null,
    html`<div class="reply">${
      message.result
        ? html`<${ReplyText} result=${message.result} answerable=${message.answerable} send=${send} />`
        : null
    }</div>`,
    actions,
    html`<details class="reply-details" open=${!message.employee} hidden=${message.plans.length === 0}>
      <summary>Details: plan, scripts and risk</summary>
      <div class="plans">
        ${message.plans.map(
          (plan, index) =>
            html`<${PlanCard}
              plan=${plan}
              states=${states[index]}
              forWhom=${message.forWhom}
              notes=${message.employee ? null : message.noted.filter((approval) => onCard(approval, plan)).map(note)}
            />`,
        )}
      </div>
    </details>`,
  ]
}
