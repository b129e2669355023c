// Small pieces the workspace screens share: dates as people read them, a status badge, an error
// line, loading from the API with its error, saving a file the server sent, and a confirmation
// dialog (the native <dialog>:
// it keeps the focus inside, Escape closes it, and the focus goes back where it was; it opens on
// its confirm button even when a field comes before it).

import { html, useCallback, useEffect, useRef, useState } from '/ui/vendor/preact-htm.js'
import { api, problem, SignInNeeded } from './session.js'

export function when(iso) {
  if (!iso) return ''
  const date = new Date(iso)
  return Number.isNaN(date.getTime())
    ? ''
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

/** "awaiting_approval" as people read it. */
export function words(status) {
  return String(status ?? '').replaceAll('_', ' ')
}

export function StatusBadge({ status }) {
  return html`<span class=${`ws-status ws-status-${status}`}>${words(status)}</span>`
}

export function ErrorLine({ error }) {
  return error ? html`<p class="form-error ws-error" role="alert">${error}</p>` : null
}

export function describe(error) {
  return error instanceof Error ? error.message : String(error)
}

/**
 * GETs `path` (again whenever it changes, or `reload()` is called) and answers
 * `{ data, error, loading, reload }`; a sign-in that ended leaves the shell to show the form.
 */
export function useApi(path) {
  const [result, setResult] = useState({ data: undefined, error: '', loading: true })
  const [round, setRound] = useState(0)
  useEffect(() => {
    if (!path) return undefined
    const controller = new AbortController()
    setResult((before) => ({ ...before, loading: true }))
    void (async () => {
      try {
        const response = await api(path, { signal: controller.signal })
        if (!response.ok) throw new Error(await problem(response))
        setResult({ data: await response.json(), error: '', loading: false })
      } catch (error) {
        if (error instanceof SignInNeeded || controller.signal.aborted) return
        setResult({ data: undefined, error: describe(error), loading: false })
      }
    })()
    return () => controller.abort()
  }, [path, round])
  const reload = useCallback(() => setRound((each) => each + 1), [])
  return { ...result, reload }
}

/**
 * Saving a file the server sent (a table as CSV, the runbooks as a .zip). It is fetched with the
 * sign-in (a bearer token a plain link cannot carry), so `save(response, fallbackName)` puts the
 * body behind a download link that `link` draws (hidden, out of the Tab order) and follows it
 * once drawn; the name is the server's (Content-Disposition). Answers the name saved.
 */
export function useDownload() {
  const anchor = useRef()
  const [file, setFile] = useState()
  useEffect(() => {
    if (!file) return
    anchor.current?.click()
    // The browser reads the blob after the click returns: freed a while later, not at once.
    setTimeout(() => URL.revokeObjectURL(file.href), 10_000)
  }, [file])
  const save = useCallback(async (response, fallbackName) => {
    const name =
      /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ??
      fallbackName
    setFile({ href: URL.createObjectURL(await response.blob()), name })
    return name
  }, [])
  const link =
    file && html`<a ref=${anchor} href=${file.href} download=${file.name} hidden tabindex="-1"></a>`
  return { save, link }
}

/**
 * Asks before doing something that cannot be undone. `open`: shown; `onConfirm`/`onClose`.
 * `children`: what would happen, in words.
 */
export function ConfirmDialog({ open, title, confirmLabel, onConfirm, onClose, children }) {
  const dialog = useRef()
  useEffect(() => {
    const element = dialog.current
    if (!element) return
    if (open && !element.open) element.showModal()
    if (!open && element.open) element.close()
  }, [open])
  return html`<dialog
    ref=${dialog}
    class="ws-dialog"
    aria-labelledby="ws-dialog-title"
    onClose=${onClose}
  >
    <h2 id="ws-dialog-title">${title}</h2>
    <div class="ws-dialog-body">${children}</div>
    <div class="ws-actions">
      <button
        type="button"
        class="button button-primary ws-danger"
        autofocus
        onClick=${onConfirm}
      >
        ${confirmLabel}
      </button>
      <button type="button" class="button button-secondary" onClick=${onClose}>Keep it</button>
    </div>
  </dialog>`
}
