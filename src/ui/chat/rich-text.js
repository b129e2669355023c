/**
 * @module chat/rich-text
 * How a reply reads on the chat page: paragraphs with **bold**, numbered lines as a real
 * numbered list, runbook guidance as wrapped numbered steps (never a non-wrapping code block),
 * and quick-reply buttons for a question with a fixed list of answers. Preact components: text
 * is only ever a child or an attribute value, never parsed as HTML.
 */

import { html, useState } from '/ui/vendor/preact-htm.js'

/** `line` with **bold** as <strong> (unless `plain`). */
function inline(line, plain) {
  const parts = plain ? [line] : line.split(/\*\*(.+?)\*\*/)
  return parts.flatMap((part, index) => {
    if (part === '') return []
    return [index % 2 === 1 ? html`<strong>${part}</strong>` : part]
  })
}

const NUMBERED = /^(\d{1,2})\.\s+(.*)$/

/**
 * One paragraph: lines "1. ...", "2. ..." become an <ol>, other lines are separated by line
 * breaks. `plain`: no **bold** and no list (what the user typed).
 */
export function RichText({ text, className = 'text', plain = false }) {
  const children = []
  let list
  let previousWasText = false
  for (const line of String(text ?? '').split('\n')) {
    const numbered = plain ? null : NUMBERED.exec(line)
    if (numbered) {
      if (!list) {
        list = { start: Number(numbered[1]), items: [] }
        children.push(list)
      }
      list.items.push(inline(numbered[2] ?? '', false))
      previousWasText = false
      continue
    }
    list = undefined
    if (previousWasText) children.push(html`<br />`)
    children.push(...inline(line, plain))
    previousWasText = true
  }
  return html`<div class=${className}>${children.map((child) =>
    child?.items
      ? html`<ol class="numbered" start=${child.start}>${child.items.map(
          (item) => html`<li>${item}</li>`,
        )}</ol>`
      : child,
  )}</div>`
}

/** A reply's paragraphs: its text split at blank lines. */
export function replyParagraphs(reply) {
  return String(reply ?? '')
    .split(/\n\s*\n/)
    .filter((paragraph) => paragraph.trim() !== '')
}

/** The class of a reply paragraph: the one holding `prompt` (the open question) reads as it. */
export function paragraphClass(paragraph, prompt) {
  return prompt && paragraph.includes(prompt) ? 'text prompt' : 'text'
}

/**
 * A reply's paragraphs; the one holding `prompt` is styled as the prompt, or the last one when
 * `promptLast` (a restored reply whose question is still open).
 */
export function Paragraphs({ text, prompt, promptLast = false }) {
  const paragraphs = replyParagraphs(text)
  return paragraphs.map((paragraph, index) => {
    const last = promptLast && index === paragraphs.length - 1
    return html`<${RichText} text=${paragraph} className=${last ? 'text prompt' : paragraphClass(paragraph, prompt)} />`
  })
}

/**
 * Guidance text as numbered steps: at "(1) ... (2) ..." when the runbook numbered them, else one
 * step per sentence. Mirrors src/agent/core/guidance-steps.ts `splitSteps`.
 */
export function guidanceSteps(text) {
  const flat = String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim()
  const numbered = flat.split(/\s*\(\d{1,2}\)\s+/)
  const parts =
    numbered.length > 2
      ? [`${numbered[0]} ${numbered[1]}`, ...numbered.slice(2)]
      : flat.split(/(?<=[.!?])\s+(?=[A-Z])/)
  return parts.map((part) => part.trim().replace(/[;,]$/, '')).filter(Boolean)
}

/** A guidance step's text as a wrapped numbered list, labelled for screen readers. */
export function GuidanceList({ text, label }) {
  return html`<div class="guidance">
    <p class="guidance-kind">Guidance</p>
    <ol class="guidance-steps" aria-label=${label}>
      ${guidanceSteps(text).map((step) => html`<li>${step}</li>`)}
    </ol>
  </div>`
}

/**
 * Buttons for a question's fixed answers (`missing[0].options`: { value, label, answer }). A
 * press sends the option's `answer` as the user's message; then the buttons are spent.
 * `spent`: already answered (a restored question that is no longer the open one).
 */
export function QuickReplies({ options, question, spent = false, send }) {
  const [chosen, setChosen] = useState(undefined)
  const disabled = spent || chosen !== undefined
  return html`<div class="quick-replies" role="group" aria-label=${`Answers to: ${question}`}>
    ${options.map(
      (option) => html`<button
        type="button"
        class="button button-secondary quick-reply"
        data-value=${option.value}
        disabled=${disabled}
        aria-pressed=${chosen === option.value ? 'true' : undefined}
        onClick=${() => {
          setChosen(option.value)
          void send(option.answer)
        }}
      >${option.label}</button>`,
    )}
  </div>`
}
