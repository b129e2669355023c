// The analytics report as Preact components: the totals, then one panel per table of
// GET /api/analytics, with a uPlot chart where a chart helps and always the table itself, which
// is the chart's text for screen readers (the chart says so in its label). Server text only
// reaches the page as text. uPlot draws each chart into its own canvas inside a holder the
// `Chart` component gives it (and takes back when the report changes); the analytics screen
// (workspace/analytics.js) hosts the report.

import { html, useEffect, useRef } from '/ui/vendor/preact-htm.js'
import uPlot from '/ui/vendor/uPlot.esm.js'

const ACCENT = '#1d4ed8'
const SECOND = '#b45309'
const THIRD = '#4a5568'
const DAY_SECONDS = 86_400

/** Panels in order: which table, whether it spans both columns, how it is charted. */
const PANELS = [
  {
    section: 'requests-by-day',
    wide: true,
    chart: dayChart,
    legend: ['requests', 'conversations'],
  },
  { section: 'requests-by-type', chart: (table, width) => barChart(table, width, [1]) },
  { section: 'outcomes', chart: (table, width) => barChart(table, width, [1], outcomeLabel) },
  { section: 'approval-turnaround' },
  { section: 'time-saved' },
  { section: 'failing-steps' },
  { section: 'failing-machines' },
  { section: 'feedback', wide: true },
]

function percent(share) {
  return share === null || share === undefined ? '–' : `${Math.round(share * 1000) / 10}%`
}

function minutes(value) {
  if (value === null || value === undefined) return '–'
  if (value < 120) return `${value} min`
  return `${Math.round((value / 60) * 10) / 10} h`
}

function cellText(column, value) {
  if (value === null || value === undefined) return '–'
  if (column === 'share') return percent(value)
  return String(value)
}

function Total({ label, value, note }) {
  return html`<div class="total">
    <dt>${label}</dt>
    <dd>${value}${note ? html`<span class="total-note">${note}</span>` : null}</dd>
  </div>`
}

function Totals({ figures }) {
  return html`<dl class="totals">
    <${Total} label="Conversations" value=${String(figures.conversations)} />
    <${Total} label="Requests" value=${String(figures.requests)} />
    <${Total}
      label="Resolved with no technician"
      value=${percent(figures.resolvedShare)}
      note=${`${figures.resolvedWithoutTechnician} of ${figures.conversations}`}
    />
    <${Total}
      label="Handed off"
      value=${percent(figures.handedOffShare)}
      note=${`${figures.handedOff} of ${figures.conversations}`}
    />
    <${Total}
      label="Approval turnaround (p50)"
      value=${minutes(figures.approvalP50Minutes)}
      note=${`p90 ${minutes(figures.approvalP90Minutes)} · ${figures.approvalsRequested} requested`}
    />
    <${Total} label="Time saved" value=${minutes(figures.minutesSaved)} />
    <${Total} label="Replies rated" value=${`${figures.thumbsUp} up`} note=${`${figures.thumbsDown} down`} />
  </dl>`
}

function Table({ table }) {
  const numeric = table.columns.map((_, index) =>
    table.rows.every((row) => row[index] === null || typeof row[index] === 'number'),
  )
  const kind = (index) => (numeric[index] ? 'number' : undefined)
  // A table wider than a phone scrolls sideways: keyboard users reach it by Tab, named.
  return html`<div class="table-scroll" tabindex="0" role="region" aria-label=${table.title}>
    <table>
      <caption class="visually-hidden">${table.title}</caption>
      <thead>
        <tr>
          ${table.columns.map((column, index) => html`<th key=${column} scope="col" class=${kind(index)}>${column}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${table.rows.map(
          (row, rowIndex) => html`<tr key=${rowIndex}>
            ${row.map((value, index) => html`<td class=${kind(index)}>${cellText(table.columns[index], value)}</td>`)}
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`
}

function outcomeLabel(text) {
  return text.startsWith('resolved')
    ? 'resolved'
    : text.startsWith('handed')
      ? 'handed off'
      : 'other'
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

function dayLabel(seconds) {
  const date = new Date(seconds * 1000)
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}`
}

/** Requests and conversations per day: a line each, days on the x axis. */
function dayChart(table, width) {
  const xs = table.rows.map((row) => Date.parse(`${row[0]}T00:00:00Z`) / 1000)
  return {
    options: {
      width,
      height: 220,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: true }, y: { range: (_, __, max) => [0, Math.max(1, max)] } },
      axes: [
        {
          stroke: THIRD,
          space: 70,
          // Whole days only: a tick at every day, or every 2, 7, 14 or 30 as room allows.
          incrs: [1, 2, 7, 14, 30].map((days) => days * DAY_SECONDS),
          values: (_, ticks) => ticks.map(dayLabel),
        },
        {
          stroke: THIRD,
          values: (_, ticks) => ticks.map((tick) => (Number.isInteger(tick) ? tick : '')),
        },
      ],
      series: [
        { value: (_, value) => new Date(value * 1000).toISOString().slice(0, 10) },
        { label: 'requests', stroke: ACCENT, width: 2, points: { show: xs.length <= 62 } },
        {
          label: 'conversations',
          stroke: SECOND,
          width: 2,
          dash: [6, 4],
          points: { show: xs.length <= 62 },
        },
      ],
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
    },
    data: [xs, table.rows.map((row) => row[1]), table.rows.map((row) => row[2])],
    empty: table.rows.every((row) => row[1] === 0 && row[2] === 0),
    span: xs.length > 1 ? xs.at(-1) - xs[0] + DAY_SECONDS : DAY_SECONDS,
  }
}

/** A bar per row (the first column names it), of the numbers in `columns`. */
function barChart(table, width, columns, label = (text) => text) {
  const names = table.rows.map((row) => label(String(row[0])))
  const xs = names.map((_, index) => index)
  const bars = uPlot.paths.bars({ size: [0.6, 48] })
  const short = (text) => (text.length > 14 ? `${text.slice(0, 13)}…` : text)
  return {
    options: {
      width,
      height: 220,
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: { time: false, range: () => [-0.5, Math.max(0.5, names.length - 0.5)] },
        y: { range: (_, __, max) => [0, Math.max(1, max)] },
      },
      axes: [
        {
          stroke: THIRD,
          splits: () => xs,
          values: (_, ticks) => ticks.map((tick) => short(names[tick] ?? '')),
          // Slanted when the names would not fit side by side.
          rotate: width / Math.max(1, names.length) < 120 ? -30 : 0,
          size: width / Math.max(1, names.length) < 120 ? 80 : 40,
          gap: 4,
        },
        {
          stroke: THIRD,
          values: (_, ticks) => ticks.map((tick) => (Number.isInteger(tick) ? tick : '')),
        },
      ],
      series: [
        {},
        ...columns.map((column, index) => ({
          label: table.columns[column],
          stroke: index === 0 ? ACCENT : SECOND,
          fill: index === 0 ? `${ACCENT}cc` : `${SECOND}cc`,
          paths: bars,
          points: { show: false },
        })),
      ],
    },
    data: [xs, ...columns.map((column) => table.rows.map((row) => row[column]))],
    empty: table.rows.length === 0,
  }
}

/**
 * One uPlot chart: drawn into the holder once it is on the page (its width is known then), drawn
 * again when the table changes, resized with its panel, destroyed with the component.
 */
function Chart({ definition, table }) {
  const holder = useRef()
  useEffect(() => {
    const node = holder.current
    if (!node) return undefined
    const { options, data } = definition.chart(table, Math.max(200, node.clientWidth))
    const plot = new uPlot(options, data, node)
    // Charts follow their panel's width (the window turned, a sidebar opened).
    const resizing = new ResizeObserver(() => {
      const width = Math.max(200, node.clientWidth)
      if (Math.abs(width - plot.width) > 4) plot.setSize({ width, height: plot.height })
    })
    resizing.observe(node)
    return () => {
      resizing.disconnect()
      plot.destroy()
    }
  }, [definition, table])
  return html`<div
    class="chart"
    role="img"
    aria-label=${`Chart of ${table.title.toLowerCase()}; the table below has the same figures.`}
    ref=${holder}
  ></div>`
}

function Panel({ definition, table, download, downloading }) {
  const headingId = `panel-${definition.section}`
  return html`<section class=${`panel${definition.wide ? ' panel-wide' : ''}`} aria-labelledby=${headingId}>
    <div class="panel-head">
      <h2 id=${headingId}>${table.title}</h2>
      <button
        type="button"
        class="button button-small"
        aria-label=${`Download "${table.title}" as CSV`}
        aria-disabled=${downloading === definition.section ? 'true' : undefined}
        onClick=${() => {
          // Waiting, not disabled: a disabled button would drop the keyboard's focus.
          if (downloading !== definition.section) void download(definition.section)
        }}
      >
        CSV
      </button>
    </div>
    ${
      definition.chart && table.rows.length > 0
        ? [
            // The table names the same series: the legend is for the eye.
            definition.legend &&
              html`<ul class="chart-legend" aria-hidden="true">
                ${definition.legend.map((name, index) => html`<li key=${name} class=${index === 0 ? 'legend-first' : 'legend-second'}>${name}</li>`)}
              </ul>`,
            html`<${Chart} definition=${definition} table=${table} />`,
          ]
        : null
    }
    ${table.rows.length === 0 ? html`<p class="empty">Nothing in this range.</p>` : html`<${Table} table=${table} />`}
  </section>`
}

/**
 * The whole report. `download(section)`: fetches one table as CSV; `downloading`: the section
 * being fetched (its button waits).
 */
export function Report({ report, download, downloading }) {
  return html`<${Totals} figures=${report.totals} />
    ${report.truncated ? html`<p class="analytics-note">Partial figures: ${report.truncated}.</p>` : null}
    <div class="panels">
      ${PANELS.map(
        (definition) =>
          html`<${Panel} key=${definition.section} definition=${definition} table=${report.tables[definition.section]} download=${download} downloading=${downloading} />`,
      )}
    </div>`
}
