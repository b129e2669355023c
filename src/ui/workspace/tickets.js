// The technicians' ticket queue (/tickets): the list from GET /api/tickets, one ticket with the
// conversation it came from, and Pick up, Answer and Close. The open ticket's id is in the
// address (#id), so a link opens it. On the workspace shell: its sign-in, header and roles.

import {
  html,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from '/ui/vendor/preact-htm.js'
import { describe, ErrorLine, useApi, when } from './parts.js'
import { api, problem, SignInNeeded } from './session.js'
import { mountScreen } from './shell.js'

const STATUS_LABELS = {
  open: 'Open',
  picked_up: 'Picked up',
  answered: 'Answered',
  closed: 'Closed',
}

function idFromAddress() {
  const id = window.location.hash.slice(1)
  return /^[A-Za-z0-9-]{1,80}$/.test(id) ? id : undefined
}

function whoAndWhen(ticket) {
  return `${ticket.requester}${ticket.assignee ? ` · ${ticket.assignee}` : ''} · ${when(ticket.createdAt)}`
}

function Queue({ filter, setFilter, tickets, error, currentId, onOpen, reload }) {
  return html`<section class="queue" aria-labelledby="queue-title">
    <div class="queue-head">
      <h2 id="queue-title">Queue</h2>
      <label for="queue-status" class="visually-hidden">Show</label>
      <select
        id="queue-status"
        value=${filter}
        onChange=${(event) => setFilter(event.currentTarget.value)}
      >
        <option value="">Not closed</option>
        <option value="open">Open</option>
        <option value="picked_up">Picked up</option>
        <option value="answered">Answered</option>
        <option value="closed">Closed</option>
        <option value="all">All</option>
      </select>
      <button id="queue-refresh" type="button" class="button button-small" onClick=${reload}>
        Refresh
      </button>
    </div>
    <${ErrorLine} error=${error} />
    ${tickets && tickets.length === 0 && html`<p id="queue-empty" class="tickets-note">No tickets here.</p>`}
    <ul id="queue-list" class="queue-list" aria-label="Tickets, newest first" tabindex="-1">
      ${(tickets ?? []).map(
        (ticket) => html`<li key=${ticket.id}>
          <button
            type="button"
            class="queue-item"
            data-ticket-id=${ticket.id}
            aria-current=${ticket.id === currentId ? 'true' : undefined}
            onClick=${() => onOpen(ticket.id)}
          >
            <span class="queue-subject">${ticket.number}. ${ticket.subject}</span>
            <span class=${`ticket-state ticket-state-${ticket.status}`}
              >${STATUS_LABELS[ticket.status]}</span
            >
            <span class="queue-who">${whoAndWhen(ticket)}</span>
          </button>
        </li>`,
      )}
    </ul>
  </section>`
}

function External({ copy }) {
  if (!copy) return null
  if (copy.status === 'delivered') {
    // Only an http(s) link becomes one; anything else stays text.
    const link = /^https?:\/\//.test(copy.link ?? '')
    return html`<p id="ticket-external" class="ticket-meta">
      Copied to ${copy.connector}:${' '}
      ${link ? html`<a href=${copy.link}>${copy.externalId}</a>` : copy.externalId}
    </p>`
  }
  return html`<p id="ticket-external" class="ticket-meta">
    Copy to ${copy.connector}: ${copy.status} after ${copy.attempts} attempt(s)${copy.lastError ? `: ${copy.lastError}` : ''}
  </p>`
}

function Entry({ who, text, at, className }) {
  return html`<li class=${className}>
    <span class="transcript-who">${who} · ${when(at)}</span>${text}
  </li>`
}

function metaOf(ticket) {
  const reason =
    ticket.reason === 'requested' ? 'asked for a person' : 'needs a value only a person can find'
  return (
    `${STATUS_LABELS[ticket.status]} · for ${ticket.requester}` +
    `${ticket.owner && ticket.owner !== ticket.requester ? ` (asked by ${ticket.owner})` : ''}` +
    ` · ${reason} · opened ${when(ticket.createdAt)}` +
    `${ticket.assignee ? ` · picked up by ${ticket.assignee}` : ''}`
  )
}

function Ticket({ ticket, user, focusTitle, onChanged }) {
  const [status, setStatus] = useState('')
  const [answer, setAnswer] = useState('')
  const [answerError, setAnswerError] = useState('')
  const [busy, setBusy] = useState(false)
  const title = useRef()
  const answerField = useRef()
  // A layout effect: the focus moves in the same task as the ticket appears. A plain effect
  // waits for the next frame, and a key pressed meanwhile still acted on the queue.
  useLayoutEffect(() => {
    if (focusTitle.current) title.current?.focus()
    focusTitle.current = false
  }, [ticket.id])
  useEffect(() => setStatus(''), [ticket.id])

  const act = async (path, body, done) => {
    setBusy(true)
    try {
      const response = await api(`/api/tickets/${encodeURIComponent(ticket.id)}/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      })
      if (!response.ok) {
        setStatus(await problem(response))
        return false
      }
      onChanged(await response.json())
      setStatus(done)
      return true
    } catch (error) {
      if (!(error instanceof SignInNeeded)) setStatus(describe(error))
      return false
    } finally {
      setBusy(false)
    }
  }
  const send = async (event) => {
    event.preventDefault()
    const text = answer.trim()
    if (text === '') {
      setAnswerError('Write the answer first.')
      answerField.current?.focus()
      return
    }
    setAnswerError('')
    if (await act('answer', { text }, 'Answer sent: the employee reads it in their conversation.'))
      setAnswer('')
  }

  const closed = ticket.status === 'closed'
  const picked = ticket.status === 'picked_up'
  return html`<section id="ticket" class="ticket" aria-labelledby="ticket-title">
    <h2 id="ticket-title" tabindex="-1" ref=${title}>Ticket ${ticket.number}: ${ticket.subject}</h2>
    <p id="ticket-meta" class="ticket-meta">${metaOf(ticket)}</p>
    <${External} copy=${ticket.external} />
    <div class="ticket-actions">
      <button
        id="ticket-pick-up"
        type="button"
        class="button button-secondary"
        disabled=${busy || closed || picked}
        title=${picked && ticket.assignee === user.username ? 'You have it' : undefined}
        onClick=${() => void act('pick-up', {}, 'You picked it up.')}
      >
        Pick up
      </button>
      <button
        id="ticket-close"
        type="button"
        class="button button-secondary"
        disabled=${busy || closed}
        onClick=${() => void act('close', {}, 'Closed.')}
      >
        Close
      </button>
    </div>
    <p id="ticket-status" class="ticket-status" role="status" aria-live="polite">${status}</p>
    <h3>Conversation</h3>
    <ol id="ticket-transcript" class="transcript">
      ${ticket.transcript.map(
        (line, index) => html`<${Entry}
          key=${index}
          who=${line.role === 'employee' ? ticket.requester : 'Helpdesk'}
          text=${line.text}
          at=${line.at}
          className=${line.role === 'employee' ? 'from-employee' : ''}
        />`,
      )}
    </ol>
    <h3>Answers</h3>
    ${ticket.messages.length === 0 && html`<p id="ticket-no-answers" class="tickets-note">No answer yet.</p>`}
    <ol id="ticket-messages" class="transcript">
      ${ticket.messages.map(
        (message, index) =>
          html`<${Entry} key=${index} who=${message.author} text=${message.text} at=${message.at} />`,
      )}
    </ol>
    <form id="answer-form" class="answer-form" novalidate hidden=${closed} onSubmit=${send}>
      <label for="answer-text">Your answer (the employee reads it in their conversation)</label>
      <textarea
        id="answer-text"
        ref=${answerField}
        rows="4"
        maxlength="4000"
        value=${answer}
        onInput=${(event) => setAnswer(event.currentTarget.value)}
        aria-invalid=${answerError ? 'true' : undefined}
        aria-describedby="answer-error"
      ></textarea>
      <p id="answer-error" class="form-error" role="alert">${answerError}</p>
      <button id="answer-send" type="submit" class="button button-primary" disabled=${busy}>
        Send answer
      </button>
    </form>
  </section>`
}

function TicketsScreen({ user }) {
  const [filter, setFilter] = useState('')
  const query = filter && filter !== 'all' ? `?status=${encodeURIComponent(filter)}` : ''
  const queue = useApi(`/api/tickets${query}`)
  const [ticket, setTicket] = useState()
  const [openError, setOpenError] = useState('')
  const focusTitle = useRef(false)

  const open = useCallback(async (id, focus) => {
    try {
      const response = await api(`/api/tickets/${encodeURIComponent(id)}`)
      if (!response.ok) throw new Error(await problem(response))
      focusTitle.current = focus
      setOpenError('')
      setTicket(await response.json())
      if (window.location.hash !== `#${id}`) history.replaceState(null, '', `#${id}`)
    } catch (error) {
      if (!(error instanceof SignInNeeded))
        setOpenError(`Could not open the ticket: ${describe(error)}`)
    }
  }, [])
  useEffect(() => {
    const fromAddress = idFromAddress()
    if (fromAddress) void open(fromAddress, false)
    const follow = () => {
      const id = idFromAddress()
      if (id) void open(id, false)
    }
    window.addEventListener('hashchange', follow)
    return () => window.removeEventListener('hashchange', follow)
  }, [open])

  // Without a filter the queue leaves the closed tickets out.
  const tickets = queue.data?.tickets?.filter((each) => filter !== '' || each.status !== 'closed')
  const changed = (next) => {
    setTicket(next)
    queue.reload()
  }
  return html`<div id="workspace" class="tickets-workspace">
    <${Queue}
      filter=${filter}
      setFilter=${setFilter}
      tickets=${tickets}
      error=${(queue.error && `Could not load the queue: ${queue.error}`) || openError}
      currentId=${ticket?.id}
      onOpen=${(id) => void open(id, true)}
      reload=${queue.reload}
    />
    ${ticket && html`<${Ticket} ticket=${ticket} user=${user} focusTitle=${focusTitle} onChanged=${changed} />`}
  </div>`
}

mountScreen({
  screen: 'tickets',
  title: 'Tickets',
  intro: 'Conversations the helpdesk handed to a person: pick one up, answer it, close it.',
  Screen: TicketsScreen,
})
