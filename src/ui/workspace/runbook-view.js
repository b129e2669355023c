// One runbook as the manager shows it (front matter, parameters, actions with their scripts
// rendered for sample values, the prose, and Edit, History and, for admins, Delete), and the
// report of an import (each file: added, updated, unchanged or invalid with its reason).

import { formatTime } from '/ui/runbook-parts.js'
import { html } from '/ui/vendor/preact-htm.js'

export function RiskBadge({ risk }) {
  return html`<span class=${`badge risk-${risk}`}>${risk}</span>`
}

/** What an action runs, rendered for the sample values (`invocation` of the server's `sample`). */
function Invocation({ invocation }) {
  if (invocation.type === 'guidance') return html`<p>${invocation.text}</p>`
  if (invocation.type === 'operation') {
    const values = Object.entries(invocation.arguments)
      .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
      .join(', ')
    return html`<pre class="script"><code>${`${invocation.executor}.${invocation.operation}(${values})`}</code></pre>
      <p class="action-meta">${invocation.description}</p>`
  }
  return html`<pre class="script"><code>${invocation.script}</code></pre>
    <p class="action-meta">Runs as <code>${invocation.commandLine}</code></p>`
}

/** `step`: the action rendered for the sample values (absent from an older server). */
function Action({ action, step }) {
  const written =
    action.script ??
    action.text ??
    `${action.executor}.${action.operation}(${action.uses.join(', ')})`
  return html`<li class="action">
    <p class="action-title">${action.title}</p>
    <p class="action-meta">
      ${`${action.executor} · `}<${RiskBadge} risk=${action.risk} />${action.readOnly ? ' · read-only' : ''}${action.uses.length ? ` · uses ${action.uses.join(', ')}` : ''}
    </p>
    ${
      step
        ? html`<${Invocation} invocation=${step.invocation} />`
        : action.script || action.operation
          ? html`<pre class="script"><code>${written}</code></pre>`
          : html`<p>${written}</p>`
    }
  </li>`
}

/** "username = jdoe, system = active_directory": the values the actions are shown with. */
function sampleLine(values) {
  return Object.entries(values)
    .map(([name, value]) => `${name} = ${value}`)
    .join(', ')
}

/** `onEdit`, `onHistory`, `onDelete`: the buttons; Delete only when `admin`. */
export function RunbookView({ runbook, admin, onEdit, onHistory, onDelete }) {
  return html`<div class="detail-actions">
      <button type="button" class="button button-primary" onClick=${onEdit}>Edit</button>
      <button type="button" class="button button-secondary" onClick=${onHistory}>History</button>
      ${admin && html`<button type="button" class="button button-danger" onClick=${onDelete}>Delete</button>`}
    </div>
    <p class="summary">${runbook.summary}</p>
    <dl class="facts">
      <dt>Id</dt><dd>${runbook.id}</dd>
      <dt>Category</dt><dd>${runbook.category}</dd>
      <dt>Risk</dt><dd><${RiskBadge} risk=${runbook.risk} /></dd>
      ${
        runbook.version &&
        html`<dt>Version</dt><dd>${runbook.version} · ${formatTime(runbook.changedAt)} by ${runbook.changedBy}</dd>`
      }
      <dt>Keywords</dt><dd>${runbook.keywords.join(', ')}</dd>
    </dl>
    <details class="examples">
      <summary>${runbook.examples.length} example requests</summary>
      <ul>
        ${runbook.examples.map((text, index) => html`<li key=${index}>${text}</li>`)}
      </ul>
    </details>
    <h3>Parameters</h3>
    ${
      runbook.parameters.length > 0
        ? html`<ul class="parameter-list">
            ${runbook.parameters.map(
              (parameter) => html`<li key=${parameter.name}>
                <code>${parameter.name}</code>${` (${parameter.kind}${parameter.required ? ', required' : ''}): ${parameter.description}`}
              </li>`,
            )}
          </ul>`
        : html`<p class="muted">None.</p>`
    }
    <h3>Actions</h3>
    ${
      runbook.sample &&
      html`<p id="sample-values" class="sample-values">
        Every action, rendered as it would run for sample values${Object.keys(runbook.sample.values).length > 0 ? `: ${sampleLine(runbook.sample.values)}` : ''}.
        Which actions run depends on the request (each action's conditions).
      </p>`
    }
    <ol class="action-list">
      ${runbook.actions.map(
        (action, index) =>
          html`<${Action} key=${index} action=${action} step=${runbook.sample?.steps[index]} />`,
      )}
    </ol>
    <h3>Prose</h3>
    <div class="prose">
      ${runbook.sections.map(
        (section, index) => html`<h4 key=${`h${index}`}>${section.heading}</h4>
          <p key=${`p${index}`} class="prose-text">${section.text}</p>`,
      )}
    </div>`
}

/** `report`: the import's answer (`{applied, files}`), or `{failed: message}`. */
export function ImportReport({ report }) {
  if (report.failed) return html`<p class="form-error">Import failed: ${report.failed}</p>`
  return html`<p class=${report.applied ? 'import-applied' : 'form-error'}>
      ${report.applied ? 'Imported.' : 'Nothing imported: fix the invalid files and import them all again.'}
    </p>
    <ul>
      ${report.files.map(
        (file) => html`<li key=${file.file} class=${`import-${file.status}`}>
          <strong>${file.file}</strong>${` ${file.status}${file.reason ? `: ${file.reason}` : ''}`}
        </li>`,
      )}
    </ul>`
}
