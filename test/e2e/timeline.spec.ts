import { expect, test, type Page } from '@playwright/test'
import { startHeldDelayServer, type HeldDelayServer } from '../fixtures/held-delay-server'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startBuiltWebHost, waterfallBarRights, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * The main journey, through the browser host in Chromium: fire 20 requests whose server delays differ,
 * watch them all in flight at once, see the bars end in the order of their delays, read one body, and leave a
 * screenshot of the timeline for the README.
 */

let fixture: Fixture
/** Holds each /delay?ms=N until the test releases it: answers in delay order, each after the last was seen done. */
let held: HeldDelayServer
let host: RunningWebHost

test.beforeAll(async () => {
  fixture = await startHttpServer()
  held = await startHeldDelayServer()
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await held?.close()
  await fixture?.close()
})

/**
 * Delays 600..4400 ms in steps of 200, sent in a scrambled order (7 is coprime with 20, so i*7 mod 20 visits
 * every step once). The server holds all twenty until each has arrived, then answers them shortest first, each
 * no sooner than its delay and only once the one before it shows done: the end order must be the delay order,
 * however slowly a loaded machine sends or answers.
 */
/** The bits of the URL <input> the in-page sender touches (this tsconfig has no DOM lib). */
interface UrlField {
  dispatchEvent(event: Event): boolean
  form: { requestSubmit(): void } | null
}

const COUNT = 20
const delays = Array.from({ length: COUNT }, (_, i) => 600 + 200 * ((i * 7) % COUNT))

test('20 concurrent requests end in the order of their delays, and a body can be read', async ({ page }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))

  // The README picture: the composer at its floor (as if dragged there; an HTTP tab is otherwise sized from the
  // window) and the details pane on the right, beside all twenty rows (below, they would not fit 800 px).
  await page.addInitScript(() => localStorage.setItem('flightdeck.pane.composer', '210'))
  await page.goto(host.url)
  const url = page.getByRole('textbox', { name: 'URL' })
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  const rows = timeline.getByRole('row')
  await expect(url).toBeVisible()
  await page.getByRole('button', { name: 'Details on the right' }).click()
  await expect(page.getByRole('combobox', { name: 'Method', exact: true })).toHaveValue('GET')
  await expect(page.getByRole('button', { name: 'Send', exact: true })).toBeEnabled()
  // The bridge took the token out of the address bar; the tab keeps it (no cookie) from here on.
  expect(page.url()).not.toContain('token=')

  // Send the 20 through the composer as Enter in the URL field does, in one task, so they leave within a few
  // ms of each other. (Twenty Playwright fill+press round trips take seconds, which would blur "at once".)
  const sendingTook = await url.evaluate(
    (el, { base, list }) => {
      const input = el as unknown as UrlField
      const setValue = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(input), 'value')?.set
      const t0 = performance.now()
      for (const ms of list) {
        // React tracks the value through the native setter; then the same input event typing makes.
        setValue?.call(input, `${base}/delay?ms=${ms}`)
        input.dispatchEvent(new Event('input', { bubbles: true }))
        input.form?.requestSubmit()
      }
      return performance.now() - t0
    },
    { base: held.url, list: delays },
  )
  await expect(rows).toHaveCount(COUNT)

  // Fired without waiting on each other: the server holds all twenty at once, none answered yet.
  await expect
    .poll(() => held.held(), { message: `sending took ${sendingTook} ms`, timeout: 20_000 })
    .toBe(COUNT)
  await expect(timeline.locator('[role="row"][data-state="active"]')).toHaveCount(COUNT)

  await held.release(async (ms) => {
    await expect(rows.filter({ hasText: `/delay?ms=${ms}` })).toHaveAttribute('data-state', 'done')
  })
  await expect(timeline.locator('[role="row"][data-state="done"]')).toHaveCount(COUNT)

  const barRights = await waterfallBarRights(page)
  const measured = await rows.evaluateAll((els) =>
    els.map((el) => {
      const path = el.querySelector('.path')?.textContent ?? ''
      return {
        sid: el.getAttribute('data-sid') ?? '',
        delay: Number(/ms=(\d+)/.exec(path)?.[1] ?? NaN),
        end: Number(el.getAttribute('data-end')),
        start: Number(el.getAttribute('data-start')),
        status: el.getAttribute('data-status'),
      }
    }),
  )
  expect(measured.map((m) => m.status)).toEqual(Array(COUNT).fill('200'))
  expect(measured.map((m) => m.delay).sort((a, b) => a - b)).toEqual([...delays].sort((a, b) => a - b))

  // Rows are listed in send order; sorted by when they ended, they must be sorted by delay.
  const byEnd = [...measured].sort((a, b) => a.end - b.end)
  expect(byEnd.map((m) => m.delay)).toEqual([...delays].sort((a, b) => a - b))
  // Each took at least its server delay.
  for (const m of measured) expect(m.end - m.start).toBeGreaterThanOrEqual(m.delay - 5)
  // And the bars show it: their right edges on the shared axis (painted on the waterfall canvas) follow the
  // same order. Two requests the machine's load made end within a few ms of each other (a 800 ms one queued
  // until the 1000 ms one's end) may share a pixel, so the order is non-decreasing, and the 3.8 s between the
  // first and the last ends is most of the axis.
  const rights = byEnd.map((m) => barRights[m.sid] ?? NaN)
  for (let i = 1; i < rights.length; i++) expect(rights[i]).toBeGreaterThanOrEqual(rights[i - 1] ?? Infinity)
  expect((rights.at(-1) ?? NaN) - (rights[0] ?? NaN)).toBeGreaterThan(100)

  // Open one (the 1800 ms request) and read its body.
  const chosen = rows.filter({ hasText: '/delay?ms=1800' })
  await chosen.click()
  await expect(chosen).toHaveAttribute('aria-selected', 'true')
  await page.getByRole('tab', { name: 'Response', exact: true }).click()
  await expect(page.getByLabel('Response body')).toHaveText('delayed 1800')

  await page.getByRole('tab', { name: 'Overview' }).click()
  await page.screenshot({ path: docsPicture('timeline.png') })

  expect(pageErrors).toEqual([])
})

test('Send ×N fires N copies at once; Cancel stops one in flight; Clear empties the timeline', async ({
  page,
}) => {
  await page.goto(host.url)
  const url = page.getByRole('textbox', { name: 'URL' })
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  const rows = timeline.getByRole('row')
  await expect(url).toBeVisible()
  // The engine keeps the timeline across page loads: the previous test's rows come back; start from none.
  await clearTimeline(page)

  await url.fill(`${held.url}/delay?ms=1500`)
  await page.getByRole('spinbutton', { name: 'Count' }).fill('5')
  await page.getByRole('button', { name: /Send ×/ }).click()
  await expect(rows).toHaveCount(5)
  // All five are in flight together, none waiting for another: the server holds the five at once.
  await expect.poll(() => held.held()).toBe(5)
  await expect(timeline.locator('[role="row"][data-state="active"]')).toHaveCount(5)
  await held.release()
  await expect(timeline.locator('[role="row"][data-state="done"]')).toHaveCount(5, { timeout: 15_000 })

  await url.fill(`${fixture.url}/hang`)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const hanging = rows.filter({ hasText: '/hang' })
  await expect(hanging).toHaveAttribute('data-state', /queued|active/)
  await hanging.getByRole('button', { name: 'Cancel' }).click()
  await expect(hanging).toHaveAttribute('data-state', 'cancelled')
  // The status cell says the whole word, not "cancelle" cut by the column's default width.
  const status = hanging.locator('.c-status')
  await expect(status).toHaveText('cancelled')
  expect(await status.evaluate((cell) => cell.scrollWidth - cell.clientWidth)).toBeLessThanOrEqual(0)

  await page.getByRole('button', { name: 'Clear' }).click()
  await expect(rows).toHaveCount(0)

  // Bursts taller than the timeline while it follows live: the details open on the second burst's first copy,
  // listed far above the newest rows, and the timeline goes on following them; scrolling back to that copy had
  // stopped the follow.
  const follow = page.getByRole('button', { name: 'Follow live' })
  await expect(follow).toHaveAttribute('aria-pressed', 'true')
  await url.fill(`${fixture.url}/json`)
  await page.getByRole('spinbutton', { name: 'Count' }).fill('60')
  for (const total of [60, 120]) {
    await page.getByRole('button', { name: /Send ×/ }).click()
    await expect(page.getByText(`${total} requests`, { exact: true })).toBeVisible({ timeout: 15_000 })
    await expect(page.locator('.toolbar-stats .in-flight')).toHaveCount(0, { timeout: 15_000 })
  }
  await expect(page.getByRole('region', { name: 'Details' })).toHaveAttribute('data-sid', /.+/)
  await expect(follow).toHaveAttribute('aria-pressed', 'true')
  // The engine keeps the timeline across page loads: the next test starts from none.
  await page.getByRole('button', { name: 'Clear' }).click()
  await expect(rows).toHaveCount(0)
})

test('the token is required, and a reload keeps working without a cookie', async ({ page, browser }) => {
  const bare = await browser.newContext()
  try {
    // The page holds no secret, but without the token the app cannot reach the host, and says so.
    const denied = await bare.newPage()
    await denied.goto(host.origin + '/')
    await expect(denied.locator('.host-error')).toContainText('no Flightdeck credential')
    const wrong = await denied.goto(host.origin + '/?token=wrong')
    expect(wrong?.status()).toBe(403)
    expect(await denied.textContent('body')).toContain('token')
  } finally {
    await bare.close()
  }

  await page.goto(host.url)
  await expect(page.getByRole('textbox', { name: 'URL' })).toBeVisible()
  await page.reload()
  expect(page.url()).not.toContain('token=')
  await page.getByRole('textbox', { name: 'URL' }).fill(`${fixture.url}/json`)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect(page.getByRole('grid', { name: 'Timeline' }).getByRole('row')).toHaveAttribute(
    'data-state',
    'done',
  )
})

test('the page runs only the scripts its CSP pins by hash: not an injected one, not one from its own origin', async ({
  page,
}) => {
  const violations: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) violations.push(m.text())
  })
  await page.goto(host.url)
  await expect(page.getByRole('textbox', { name: 'URL' })).toBeVisible()
  // The app itself (renderer and inlined bridge) loads without a single violation.
  expect(violations).toEqual([])

  const outcome = await page.evaluate(async () => {
    const g = globalThis as unknown as {
      document: {
        createElement(tag: string): { textContent: string; src: string }
        head: { appendChild(node: unknown): void }
        addEventListener(type: string, fn: (e: { violatedDirective: string }) => void): void
      }
      injected?: number
      location: { origin: string }
    }
    const seen: string[] = []
    g.document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective} ${(e as unknown as { blockedURI: string }).blockedURI}`),
    )
    const inline = g.document.createElement('script')
    inline.textContent = 'globalThis.injected = 1'
    g.document.head.appendChild(inline)
    // 'self' would allow this one; the hash-pinned policy does not.
    const sameOrigin = g.document.createElement('script')
    sameOrigin.src = `${g.location.origin}/favicon.ico`
    g.document.head.appendChild(sameOrigin)
    // Each refusal is reported by an event: wait for both (bounded), never a pause and a count.
    for (let i = 0; i < 200 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 25))
    return { injected: g.injected ?? 0, seen }
  })
  expect(outcome.injected).toBe(0)
  expect(outcome.seen).toEqual(
    expect.arrayContaining([
      'script-src-elem inline',
      expect.stringMatching(/^script-src-elem http:.*favicon\.ico$/),
    ]),
  )
})

/** Clear the finished rows a new page brings back from the engine (the timeline survives a reload). */
async function clearTimeline(page: Page): Promise<void> {
  // Wait for the restore to end first, so nothing comes back after the Clear.
  await expect(page.getByRole('grid', { name: 'Timeline' })).toHaveAttribute('aria-busy', 'false')
  const clear = page.getByRole('button', { name: 'Clear', exact: true })
  if (await clear.isEnabled()) await clear.click()
  await expect(page.getByRole('grid', { name: 'Timeline' }).getByRole('row')).toHaveCount(0)
}
