/**
 * What the workspace screens' browser tests share: the authorization matrix's world (every role,
 * approvals, audit-trail jobs, background jobs on local bash, an audit trail) served on a
 * loopback port with the app's strict CSP, a test-file lifecycle (`useWorkspaceBrowser`), signing
 * in with a token the way a person does, and the widest element (nothing wider than the window
 * at 390 px). Chromium, the page with its error capture, axe-core and Tab are browser-page.ts's.
 * @module
 */
import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import {
  type AuthorizationWorld,
  buildAuthorizationWorld,
  type Person,
} from './authorization-world.ts'
import { launchChromium, newPage, SCREENSHOTS } from './browser-page.ts'
import { serveOnLoopback } from './loopback-server.ts'

export { checkAccessibility, SCREENSHOTS, sideways, tabTo } from './browser-page.ts'

export interface WorkspaceBrowser {
  world: AuthorizationWorld
  baseUrl: string
  browser: Browser
  close(): Promise<void>
}

export async function startWorkspaceBrowser(): Promise<WorkspaceBrowser> {
  const world = await buildAuthorizationWorld()
  const server = await serveOnLoopback(world.app.fetch)
  const browser = await launchChromium()
  mkdirSync(SCREENSHOTS, { recursive: true })
  return {
    world,
    baseUrl: server.baseUrl,
    browser,
    close: async () => {
      await browser.close()
      await server.close()
      await world.close()
    },
  }
}

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
      const page = await newPage(this.target.browser, errors, width ? { width } : {})
      opened.push(page)
      return page
    },
  }
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

/** The right edge of the widest element of the page: above the window's width is a bug at 390 px. */
export async function widestRight(page: Page): Promise<number> {
  return (await page.evaluate(`Math.max(...[...document.querySelectorAll('.ws-shell *')]
    .filter((node) => !node.closest('.ws-table-wrap') && !node.closest('dialog'))
    .map((node) => node.getBoundingClientRect().right))`)) as number
}
