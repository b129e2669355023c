/**
 * @module chat/step-states
 * What each step of a reply's plan cards shows, derived from the turn's results and the approval
 * requests opened for its held steps. Results come in plan order and a group request has a card
 * per machine with the same step ids, so each result lands on the first card still waiting for
 * that step. Pure functions: the components draw what these return.
 */

import { shortId } from './format.js'

/** Transport failures that mean the machine could not be reached (approval-preconditions.ts). */
const NOT_CONNECTED = new Set(['CONNECT_FAILED', 'HOST_KEY_MISMATCH', 'AUTHENTICATION_FAILED'])

/** The key of a held step: its id on its card's machine. */
export function heldKey(stepId, target) {
  return `${stepId}@${target ?? ''}`
}

/** The machine a plan card is for ('' when its steps name none). */
export function cardTarget(plan) {
  return plan.steps.find((step) => step.target)?.target ?? ''
}

/** "awaiting approval (request 7d4e7432)" once the approval request for the step is known. */
function awaitingText(approval) {
  return approval ? `awaiting approval (request ${shortId(approval.id)})` : 'awaiting approval'
}

function resultState(result, approval) {
  const status = result.status
  const state = {
    text:
      status === 'dry_run'
        ? 'dry run: nothing changed'
        : status === 'awaiting_approval'
          ? awaitingText(approval)
          : status.replaceAll('_', ' '),
    status,
    title: result.errorMessage || undefined,
    errorCode: result.errorCode || undefined,
    approvalId: approval && status === 'awaiting_approval' ? approval.id : undefined,
  }
  if (status === 'succeeded' || status === 'failed') {
    const text = [result.stdout, result.stderr, result.errorMessage].filter(Boolean).join('\n')
    state.output = { failed: status === 'failed', text: text.trimEnd() || '(no output)' }
  }
  return state
}

/**
 * The state of every step of every card: `states[card][step]` is { text, status, title,
 * errorCode, approvalId, output } (status undefined: no result yet, "pending").
 * `held`: step key -> the approval request opened for it; `confirmed`: approval id -> the step
 * results of its Confirm on this page; `finished`: the turn is over (a held step that no request
 * was opened for, because a check could not reach its machine, says so).
 */
export function stepStates(plans, results, { held = new Map(), confirmed = new Map(), finished }) {
  const states = plans.map((plan) => plan.steps.map(() => ({ text: 'pending' })))
  for (const result of results) {
    search: for (const [cardIndex, plan] of plans.entries()) {
      for (const [stepIndex, step] of plan.steps.entries()) {
        if (step.id !== result.stepId || states[cardIndex][stepIndex].status) continue
        const approval = held.get(heldKey(result.stepId, cardTarget(plan)))
        states[cardIndex][stepIndex] = resultState(result, approval)
        break search
      }
    }
  }
  for (const [cardIndex, plan] of plans.entries()) {
    const card = states[cardIndex]
    for (const [stepIndex, step] of plan.steps.entries()) {
      const state = card[stepIndex]
      const ran = state.approvalId && confirmed.get(state.approvalId)
      const result = ran?.find((each) => each.stepId === step.id)
      if (!result) continue
      // What its Confirm ran: the status only, as the card showed it before.
      card[stepIndex] = {
        ...state,
        text: result.status.replaceAll('_', ' '),
        status: result.status,
        title: result.errorMessage || state.title,
      }
    }
    if (!finished) continue
    const unreachable = card.some(
      (state) => state.status === 'failed' && NOT_CONNECTED.has(state.errorCode),
    )
    if (!unreachable) continue
    for (const [stepIndex, state] of card.entries()) {
      if (state.status !== 'awaiting_approval' || state.approvalId) continue
      card[stepIndex] = {
        ...state,
        text: 'not asked for: the machine could not be reached',
        status: 'skipped',
      }
    }
  }
  return states
}
