/**
 * What the workspace screens' browser tests share: the authorization matrix's world (every role,
 * approvals, audit-trail jobs, background jobs on local bash, an audit trail) served on a
 * loopback port with the app's strict CSP, Chromium through playwright-core, signing in with a
 * token the way a person does, axe-core (serious and critical violations fail), the widest
 * element (nothing wider than the window at 390 px), and screenshots into docs/screenshots/.
 * @module
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { type ServerType, serve } from '@hono/node-server'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import {
  type AuthorizationWorld,
  buildAuthorizationWorld,
  type Person,
} from './authorization-world.ts'

const CHROMIUM = '/usr/bin/chromium'
export const SCREENSHOTS = 'docs/screenshots'
const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
)

export interface WorkspaceBrowser {
  world: AuthorizationWorld
  baseUrl: string
  browser: Browser
  close(): Promise<void>
}

export async function startWorkspaceBrowser(): Promise<WorkspaceBrowser> {
  const world = await buildAuthorizationWorld()
  let server: ServerType | undefined
  const port = await new Promise<number>((resolve) => {
    server = serve(
      { fetch: world.app.fetch, port: 0, hostname: '127.0.0.1' },
      (info: AddressInfo) => resolve(info.port),
    )
  })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  })
  mkdirSync(SCREENSHOTS, { recursive: true })
  return {
    world,
    baseUrl: `http://127.0.0.1:${port}`,
    browser,
    close: async () => {
      await browser.close()
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
      await world.close()
    },
  }
}

/** A new page that records every page error and unexpected console error into `errors`. */
/**
 * One screen's test file: starts the workspace browser before its tests and stops it after; the
 * pages a test opens are closed after it, and a page error or console error fails that test.
 */
export function useWorkspaceBrowser(): {
  readonly target: WorkspaceBrowser
  newPage(width?: number): Promise<Page>
} {
  let started: WorkspaceBrowser | undefined
  const errors: string[] = []
  const opened: Page[] = []
  beforeAll(async () => {
    started = await startWorkspaceBrowser()
  }, 120_000)
  afterAll(async () => {
    await started?.close()
  })
  afterEach(async () => {
    for (const page of opened.splice(0)) await page.close()
    const seen = errors.splice(0)
    expect(seen).toEqual([])
  })
  return {
    get target() {
      if (!started) throw new Error('the workspace browser did not start')
      return started
    },
    async newPage(width) {
      const page = await newPage(this.target.browser, errors, width)
      opened.push(page)
      return page
    },
  }
}

export async function newPage(browser: Browser, errors: string[], width = 1280): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: width < 600 ? 844 : 900 } })
  page.setDefaultTimeout(30_000)
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    const expected = /^Failed to load resource: .* status of 4\d\d/.test(message.text())
    if (message.type() === 'error' && !expected) errors.push(message.text())
  })
  return page
}

/** Opens `path` and signs in with `person`'s token from the keyboard, as a person would. */
export async function signInAt(
  page: Page,
  target: WorkspaceBrowser,
  path: string,
  person: Person,
): Promise<void> {
  await page.goto(`${target.baseUrl}${path}`)
  const field = page.getByLabel(/Access token/)
  await field.waitFor()
  await field.fill(target.world.tokens[person])
  await field.press('Enter')
  await page.locator('.ws-user', { hasText: person }).waitFor()
}

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: Array<{ target: string[] }>
}

/** Fails on any serious or critical axe-core violation, naming the rule and the elements. */
export async function checkAccessibility(page: Page, where: string): Promise<void> {
  // Injected through the DevTools protocol, which the page's CSP does not apply to.
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
  expect(severe.join('\n'), where).toBe('')
}

/** The right edge of the widest element of the page: above the window's width is a bug at 390 px. */
export async function widestRight(page: Page): Promise<number> {
  return (await page.evaluate(`Math.max(...[...document.querySelectorAll('.ws-shell *')]
    .filter((node) => !node.closest('.ws-table-wrap') && !node.closest('dialog'))
    .map((node) => node.getBoundingClientRect().right))`)) as number
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
