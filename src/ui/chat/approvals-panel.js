/**
 * @module chat/approvals-panel
 * The approvals panel's own parts as Preact components: the toolbar button that opens it (with
 * the count waiting) and the panel (Refresh, the error and status lines, the decided, interrupted
 * and pending lists with their cards). They draw what approvals.js's state says; approvals.js
 * loads the lists and sends the decisions.
 */

import { html } from '/ui/vendor/preact-htm.js'
import { ApprovalCard } from './approval-card.js'
import { InterruptedCard } from './interrupted-card.js'
import { OutcomeCard } from './outcome-card.js'

/**
 * What the panel shows. `may`: a technician or admin is signed in; `count`: how many wait, once a
 * load said so; `empty`: a load found nothing at all; `busy`: a load is under way.
 */
export const EMPTY_STATE = Object.freeze({
  may: false,
  open: false,
  pending: [],
  interrupted: [],
  decided: [],
  count: undefined,
  empty: false,
  error: '',
  status: '',
  busy: false,
})

/** The topbar button: opens and closes the panel; the count says how many wait. */
export function ApprovalsToggle({ state, onToggle }) {
  const counted = state.count !== undefined && state.count > 0
  return html`<button
    id="approvals-toggle"
    type="button"
    class="button button-secondary approvals-toggle"
    aria-controls="approvals"
    aria-expanded=${String(state.may && state.open)}
    hidden=${!state.may}
    onClick=${onToggle}
  >
    Approvals${' '}<span id="approvals-count" class="count" hidden=${!counted}
      >${counted ? state.count : ''}<span class="visually-hidden"> waiting</span></span
    >
  </button>`
}

/**
 * A card is keyed by its request and version: one whose request did not change keeps its place,
 * and what is typed or focused in it stays.
 */
const keyOf = (approval) => `${approval.id}@${approval.version}`

/**
 * The panel. `panel`: what the cards call (decide, resume); `onRefresh`; `onDismiss(outcome)`
 * takes a decided card away.
 */
export function ApprovalsPanel({ state, panel, onRefresh, onDismiss }) {
  const open = state.may && state.open
  return html`<section
    id="approvals"
    class="approvals"
    aria-labelledby="approvals-title"
    aria-busy=${state.busy ? 'true' : undefined}
    hidden=${!open}
  >
    <div class="approvals-head">
      <h2 id="approvals-title" tabindex="-1">Approvals</h2>
      <button
        id="approvals-refresh"
        type="button"
        class="button button-small"
        aria-disabled=${
          // aria-disabled, not disabled: a disabled button drops keyboard focus to the page and
          // leaves the Tab order while the list loads.
          state.busy ? 'true' : undefined
        }
        onClick=${() => {
          if (!state.busy) onRefresh()
        }}
      >
        Refresh
      </button>
    </div>
    <p class="approvals-help">
      Plans waiting for a technician. Approve runs the plan at once, exactly as shown; a high or
      critical change asks a second time, naming what it does and where.
    </p>
    <p id="approvals-error" class="approvals-error" role="alert" tabindex="-1" hidden=${state.error === ''}>
      ${state.error}
    </p>
    <p id="approvals-status" class="approvals-status" role="status" aria-live="polite">${state.status}</p>
    <ul id="approvals-decided" class="approvals-list" aria-label="Decided just now">
      ${state.decided.map(
        (outcome) =>
          html`<${OutcomeCard} key=${outcome.titleId} outcome=${outcome} onDismiss=${() => onDismiss(outcome)} />`,
      )}
    </ul>
    <ul id="approvals-interrupted" class="approvals-list" aria-label="Interrupted: check and resume">
      ${state.interrupted.map(
        (approval) =>
          html`<${InterruptedCard} key=${keyOf(approval)} approval=${approval} panel=${panel} />`,
      )}
    </ul>
    <p id="approvals-empty" class="approvals-empty" hidden=${!state.empty}>No approvals waiting.</p>
    <ul id="approvals-list" class="approvals-list" aria-label="Waiting for a decision">
      ${state.pending.map(
        (approval) =>
          html`<${ApprovalCard} key=${keyOf(approval)} approval=${approval} panel=${panel} />`,
      )}
    </ul>
  </section>`
}
