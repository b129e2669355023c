/**
 * What every browser test shares: Chromium through playwright-core (with a clear error when it
 * is not installed), a new page that records each page error and unexpected console error (a
 * CSP violation is one) into the test's list, axe-core (serious and critical violations fail,
 * named in full), the page's sideways scroll, and Tab until an element has the focus.
 * Browser-side code is passed as strings: the project's TypeScript has no DOM library.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { type Browser, type ConsoleMessage, chromium, type Page } from 'playwright-core'
import { expect } from 'vitest'

export const CHROMIUM = '/usr/bin/chromium'
export const SCREENSHOTS = 'docs/screenshots'
const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
)

/** Chromium, headless, with nothing of its own on the network. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}; run \`bash scripts/install-test-deps.sh\` first`,
    )
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

export interface PageOptions {
  /** The window's width in CSS pixels (1280 unless said); the height follows (844 on a phone). */
  width?: number
  height?: number
  /** A bearer token put where the pages keep it before any page script runs. */
  token?: string
  /** Console errors this test expects besides the 4xx answers Chromium logs. */
  expectedConsole?: (message: ConsoleMessage) => boolean
}

/**
 * A new page whose page errors and unexpected console errors go into `errors` (the test's
 * afterEach expects it empty). Chromium logs every 4xx answer as a console error: those are
 * expected, script errors and CSP violations are not.
 */
export async function newPage(
  browser: Browser,
  errors: string[],
  options: PageOptions = {},
): Promise<Page> {
  const width = options.width ?? 1280
  const page = await browser.newPage({
    viewport: { width, height: options.height ?? (width < 600 ? 844 : 900) },
  })
  page.setDefaultTimeout(30_000)
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    const expected =
      /^Failed to load resource: .* status of 4\d\d/.test(message.text()) ||
      (options.expectedConsole?.(message) ?? false)
    if (message.type() === 'error' && !expected) errors.push(message.text())
  })
  if (options.token !== undefined)
    await page.addInitScript(
      (token) => localStorage.setItem('helpdesk.token', token),
      options.token,
    )
  return page
}

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: Array<{ target: string[] }>
}

/**
 * Runs axe-core on the page as it is now and fails on any serious or critical violation, naming
 * the rule and the elements. The engine is injected through the DevTools protocol, which the
 * page's Content-Security-Policy does not apply to.
 */
export async function checkAccessibility(page: Page, where: string): Promise<void> {
  if (!(await page.evaluate("typeof window.axe !== 'undefined'"))) await page.evaluate(AXE_SOURCE)
  const violations = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations)",
  )) as AxeViolation[]
  const severe = violations
    .filter((each) => each.impact === 'serious' || each.impact === 'critical')
    .map(
      (each) =>
        `${each.id} (${each.impact}): ${each.help} at ${each.nodes
          .slice(0, 3)
          .map((node) => node.target.join(' '))
          .join(', ')}`,
    )
  // As one string, so a failure names every rule and element in full.
  expect(severe.join('\n'), where).toBe('')
}

/** How far the page scrolls sideways: above 0 is a bug at 390 px. */
export async function sideways(page: Page): Promise<number> {
  return (await page.evaluate(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  )) as number
}

/** Presses Tab until the focused element matches `selector` (at most `limit` presses). */
export async function tabTo(page: Page, selector: string, limit = 60): Promise<void> {
  for (let press = 0; press < limit; press++) {
    await page.keyboard.press('Tab')
    const focused = `document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`
    if (await page.evaluate(focused)) return
  }
  throw new Error(`Tab never reached ${selector}`)
}
