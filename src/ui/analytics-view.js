// The analytics report drawn into a container: the totals, then one panel per table of
// GET /api/analytics, with a uPlot chart where a chart helps and always the table itself, which
// is the chart's text for screen readers (the chart says so in its label). Server text only
// reaches the page through textContent. Kept apart from the page's sign-in and form (analytics.js)
// so that the workspace shell can host it as it is.

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

function el(tag, className, text, children = []) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined && text !== null) node.textContent = String(text)
  for (const child of children) if (child) node.append(child)
  return node
}

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

function total(label, value, note) {
  return el('div', 'total', undefined, [
    el('dt', '', label),
    el('dd', '', value, [note ? el('span', 'total-note', note) : undefined]),
  ])
}

function totals(report) {
  const figures = report.totals
  return el('dl', 'totals', undefined, [
    total('Conversations', figures.conversations),
    total('Requests', figures.requests),
    total(
      'Resolved with no technician',
      percent(figures.resolvedShare),
      `${figures.resolvedWithoutTechnician} of ${figures.conversations}`,
    ),
    total(
      'Handed off',
      percent(figures.handedOffShare),
      `${figures.handedOff} of ${figures.conversations}`,
    ),
    total(
      'Approval turnaround (p50)',
      minutes(figures.approvalP50Minutes),
      `p90 ${minutes(figures.approvalP90Minutes)} · ${figures.approvalsRequested} requested`,
    ),
    total('Time saved', minutes(figures.minutesSaved)),
    total('Replies rated', `${figures.thumbsUp} up`, `${figures.thumbsDown} down`),
  ])
}

function tableOf(table) {
  const numeric = table.columns.map((_, index) =>
    table.rows.every((row) => row[index] === null || typeof row[index] === 'number'),
  )
  const head = el(
    'tr',
    '',
    undefined,
    table.columns.map((column, index) => {
      const th = el('th', numeric[index] ? 'number' : '', column)
      th.scope = 'col'
      return th
    }),
  )
  const body = table.rows.map((row) =>
    el(
      'tr',
      '',
      undefined,
      row.map((value, index) =>
        el('td', numeric[index] ? 'number' : '', cellText(table.columns[index], value)),
      ),
    ),
  )
  // A table wider than a phone scrolls sideways: keyboard users reach it by Tab, named.
  const scroller = el('div', 'table-scroll', undefined, [
    el('table', '', undefined, [
      // The panel's heading shows the title: the caption names the table for screen readers.
      el('caption', 'visually-hidden', table.title),
      el('thead', '', undefined, [head]),
      el('tbody', '', undefined, body),
    ]),
  ])
  scroller.tabIndex = 0
  scroller.setAttribute('role', 'region')
  scroller.setAttribute('aria-label', table.title)
  return scroller
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

function panel(definition, table, download, charts) {
  const headingId = `panel-${definition.section}`
  const heading = el('h2', '', table.title)
  heading.id = headingId
  const csv = el('button', 'button button-small', 'CSV')
  csv.type = 'button'
  csv.setAttribute('aria-label', `Download "${table.title}" as CSV`)
  csv.addEventListener('click', () => void download(definition.section, csv))
  const section = el('section', `panel${definition.wide ? ' panel-wide' : ''}`, undefined, [
    el('div', 'panel-head', undefined, [heading, csv]),
  ])
  section.setAttribute('aria-labelledby', headingId)
  if (definition.chart && table.rows.length > 0) {
    const holder = el('div', 'chart')
    holder.setAttribute('role', 'img')
    holder.setAttribute(
      'aria-label',
      `Chart of ${table.title.toLowerCase()}; the table below has the same figures.`,
    )
    if (definition.legend) {
      const legend = el(
        'ul',
        'chart-legend',
        undefined,
        definition.legend.map((name, index) =>
          el('li', index === 0 ? 'legend-first' : 'legend-second', name),
        ),
      )
      // The table names the same series: the legend is for the eye.
      legend.setAttribute('aria-hidden', 'true')
      section.append(legend)
    }
    section.append(holder)
    charts.push({ holder, build: (width) => definition.chart(table, width) })
  }
  if (table.rows.length === 0) section.append(el('p', 'empty', 'Nothing in this range.'))
  else section.append(tableOf(table))
  return section
}

let drawn = []
let resizing

/**
 * Draws `report` into `container`, replacing what was there.
 * @param download `(section, button) => Promise` fetching one table as CSV
 */
export function renderReport(container, report, { download }) {
  for (const chart of drawn) chart.destroy()
  drawn = []
  resizing?.disconnect()
  const charts = []
  const panels = el(
    'div',
    'panels',
    undefined,
    PANELS.map((definition) =>
      panel(definition, report.tables[definition.section], download, charts),
    ),
  )
  const note = report.truncated
    ? el('p', 'analytics-note', `Partial figures: ${report.truncated}.`)
    : undefined
  container.replaceChildren(...[totals(report), note, panels].filter(Boolean))
  for (const { holder, build } of charts) {
    const { options, data } = build(Math.max(200, holder.clientWidth))
    const plot = new uPlot(options, data, holder)
    drawn.push(plot)
    plot.holder = holder
  }
  // Charts follow their panel's width (the window turned, a sidebar opened).
  resizing = new ResizeObserver(() => {
    for (const plot of drawn) {
      const width = Math.max(200, plot.holder.clientWidth)
      if (Math.abs(width - plot.width) > 4) plot.setSize({ width, height: plot.height })
    }
  })
  for (const plot of drawn) resizing.observe(plot.holder)
}
