import { readFile } from 'node:fs/promises'
import { expect, test, type Page } from '@playwright/test'
import { har as validateHar, type HarValidationError } from 'har-validator'
import type { HarDocument } from '../../src/engine/har/har-types'
import { startScaleServer, statusFor, type ScaleServer } from './scale-server'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * The timeline at scale, through the browser host in Chromium: 2,000 requests (each its own URL, fired through
 * the composer) at a concurrency of 200 against a local server; every row arrives and ends in the state the
 * server answered; the filters count what they should; the timeline exports as a HAR that validates and adds
 * up, and imports back onto the waterfall. Also the README's pictures of a busy waterfall and the response
 * viewer.
 */

const TOTAL = 2000
const CONCURRENCY = 200

let server: ScaleServer
let host: RunningWebHost

test.beforeAll(async () => {
  server = await startScaleServer()
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await server?.close()
})

/** The bits of the DOM the in-page code touches (this tsconfig has no DOM lib). */
interface El {
  getAttribute(name: string): string | null
  querySelector(sel: string): El | null
  textContent: string | null
  scrollTop: number
  scrollHeight: number
  clientHeight: number
}
interface Doc {
  querySelector(sel: string): El | null
  querySelectorAll(sel: string): ArrayLike<El>
}
interface UrlField {
  dispatchEvent(event: Event): boolean
  form: { requestSubmit(): void } | null
}
interface Api {
  invoke(name: string, payload: unknown): Promise<{ ok: boolean }>
}

async function setConcurrency(page: Page, n: number): Promise<void> {
  const ok = await page.evaluate(async (limit) => {
    const api = (globalThis as unknown as { api: Api }).api
    const res = await api.invoke('settings.set', { globalConcurrency: limit, perOriginConcurrency: limit })
    return res.ok
  }, n)
  expect(ok).toBe(true)
}

/** Fire one request per URL through the composer, as Enter in the URL field does, all in one task. */
async function sendAll(page: Page, urls: string[]): Promise<void> {
  const url = page.getByRole('textbox', { name: 'URL' })
  await url.evaluate((el, list) => {
    const input = el as unknown as UrlField
    const setValue = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(input), 'value')?.set
    for (const u of list) {
      setValue?.call(input, u)
      input.dispatchEvent(new Event('input', { bubbles: true }))
      input.form?.requestSubmit()
    }
  }, urls)
}

interface SeenRow {
  path: string
  status: string
  state: string
}

/** Scroll the virtualised grid from top to bottom and read every row it shows. */
async function readAllRows(page: Page): Promise<SeenRow[]> {
  return page.evaluate(async () => {
    const doc = (globalThis as unknown as { document: Doc }).document
    const frame = (): Promise<void> =>
      new Promise((r) =>
        (globalThis as unknown as { requestAnimationFrame(cb: () => void): void }).requestAnimationFrame(() =>
          r(),
        ),
      )
    const scroller = doc.querySelector('.tl-scroll')
    if (!scroller) return []
    const seen = new Map<string, SeenRow>()
    const step = Math.max(22, scroller.clientHeight - 44)
    for (let top = 0, n = 0; n < 5000; n++, top += step) {
      scroller.scrollTop = top
      await frame()
      await frame()
      const rows = Array.from(doc.querySelectorAll('[role="grid"] [role="row"][data-sid]'))
      for (const el of rows) {
        seen.set(el.getAttribute('data-sid') ?? '', {
          path: el.querySelector('.path')?.textContent ?? '',
          status: el.getAttribute('data-status') ?? '',
          state: el.getAttribute('data-state') ?? '',
        })
      }
      if (top >= scroller.scrollHeight - scroller.clientHeight) break
    }
    return [...seen.values()]
  })
}

test(`${TOTAL} requests at concurrency ${CONCURRENCY}: every row arrives in the server's final state; HAR out and back in`, async ({
  page,
}) => {
  test.setTimeout(180_000)
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.goto(host.url)
  await expect(page.getByRole('textbox', { name: 'URL' })).toBeVisible()
  await setConcurrency(page, CONCURRENCY)

  const urls = Array.from({ length: TOTAL }, (_, i) => `${server.url}/item/${i}`)
  await sendAll(page, urls)

  const grid = page.getByRole('grid', { name: 'Timeline' })
  await expect(grid).toHaveAttribute('aria-rowcount', String(TOTAL), { timeout: 60_000 })
  await expect(page.getByText(`${TOTAL.toLocaleString('en-US')} requests`, { exact: true })).toBeVisible()
  // All done: nothing left in flight, in the toolbar or in the "In flight" filter.
  await expect(page.locator('.toolbar-stats .in-flight')).toHaveCount(0, { timeout: 60_000 })
  expect(server.answered.size).toBe(TOTAL)
  expect(server.peakInFlight()).toBeLessThanOrEqual(CONCURRENCY)

  // Every row, read off the virtualised grid, ended with the status the server answered for its URL.
  const rows = await readAllRows(page)
  expect(rows).toHaveLength(TOTAL)
  const mismatches = rows.filter((r) => {
    const answered = server.answered.get(r.path)
    const i = Number(/\/item\/(\d+)/.exec(r.path)?.[1] ?? NaN)
    return (
      r.state !== 'done' ||
      answered === undefined ||
      r.status !== String(answered) ||
      answered !== statusFor(i)
    )
  })
  expect(mismatches.slice(0, 5)).toEqual([])

  // Keys move the selection through the rows and the list scrolls to show it (from the bottom, where the rows
  // were read): Home the first row, End the last, PageUp ten rows above it.
  await grid.focus()
  const selected = grid.locator('[role="row"][aria-selected="true"]')
  for (const [key, path] of [
    ['Home', '/item/0'],
    ['End', '/item/1999'],
    ['PageUp', '/item/1989'],
    ['Home', '/item/0'],
  ] as const) {
    await page.keyboard.press(key)
    await expect(selected.locator('.path')).toHaveText(new RegExp(`${path}$`))
    await expect(selected).toBeInViewport()
  }
  expect(new Set(rows.map((r) => r.path)).size).toBe(TOTAL)

  // The filters count what the server sent.
  const count = (pred: (i: number) => boolean): number => urls.filter((_, i) => pred(i)).length
  await page.getByLabel('Status filter').selectOption('5xx')
  await expect(grid).toHaveAttribute('aria-rowcount', String(count((i) => statusFor(i) >= 500)))
  await page.getByLabel('Status filter').selectOption('4xx')
  await expect(grid).toHaveAttribute('aria-rowcount', String(count((i) => statusFor(i) === 404)))
  await page.getByLabel('Status filter').selectOption('all')
  await page.getByRole('checkbox', { name: 'Errors' }).check()
  await expect(grid).toHaveAttribute('aria-rowcount', String(count((i) => statusFor(i) >= 400)))
  await page.getByRole('checkbox', { name: 'Errors' }).uncheck()
  await page.getByRole('checkbox', { name: 'In flight' }).check()
  await expect(grid).toHaveAttribute('aria-rowcount', '0')
  await page.getByRole('checkbox', { name: 'In flight' }).uncheck()

  // Export everything as HAR: it validates, has every request, and each entry's phases add up to its time.
  await page.getByRole('button', { name: 'HAR', exact: true }).click()
  const download = page.waitForEvent('download')
  await page.getByRole('menuitem', { name: /Export all/ }).click()
  const file = await (await download).path()
  const har = JSON.parse(await readFile(file, 'utf8')) as HarDocument
  try {
    await validateHar(har)
  } catch (e) {
    throw new Error(`HAR does not validate: ${JSON.stringify((e as HarValidationError).errors?.slice(0, 3))}`)
  }
  expect(har.log.entries).toHaveLength(TOTAL)
  for (const e of har.log.entries) {
    const t = e.timings
    const pos = (x: number): number => (x > 0 ? x : 0)
    expect(
      Math.abs(pos(t.blocked) + pos(t.dns) + pos(t.connect) + t.send + t.wait + t.receive - e.time),
    ).toBeLessThan(0.002)
    const i = Number(/\/item\/(\d+)/.exec(e.request.url)?.[1] ?? NaN)
    expect(e.response.status).toBe(statusFor(i))
  }
  // With 200 connections for 2,000 requests, most requests reuse a connection: no DNS, connect or TLS.
  const reused = har.log.entries.filter((e) => e.timings.connect === -1).length
  expect(reused).toBeGreaterThan(TOTAL / 2)

  // Import it back: the same requests appear again, read-only, as one group.
  await page.getByRole('button', { name: 'HAR', exact: true }).click()
  const chooser = page.waitForEvent('filechooser')
  await page.getByRole('menuitem', { name: /Import HAR/ }).click()
  await (await chooser).setFiles(file)
  await expect(grid).toHaveAttribute('aria-rowcount', String(TOTAL * 2), { timeout: 30_000 })
  await page.getByLabel('Group by').selectOption('batch')
  await page.locator('.tl-scroll').evaluate((el) => ((el as unknown as El).scrollTop = 0))
  // Fold the live requests' group: the imported group's header comes right after it.
  await grid.getByRole('row', { name: /^Single requests \(2,000\), 2,000 requests$/ }).click()
  await expect(grid).toHaveAttribute('aria-rowcount', String(TOTAL + 2))
  await expect(grid.getByRole('row', { name: /^Imported .*\(2,000\), 2,000 requests$/ })).toHaveCount(1)

  expect(pageErrors).toEqual([])
})

test('pictures for the README: a busy waterfall and the response viewer', async ({ page }) => {
  test.setTimeout(120_000)
  await page.setViewportSize({ width: 1600, height: 1000 })
  await page.goto(host.url)
  await expect(page.getByRole('textbox', { name: 'URL' })).toBeVisible()
  // The engine keeps the timeline across page loads: the burst above comes back; the picture starts from none.
  await expect(page.getByRole('grid', { name: 'Timeline' })).toHaveAttribute('aria-busy', 'false')
  const clear = page.getByRole('button', { name: 'Clear', exact: true })
  if (await clear.isEnabled()) await clear.click()
  await expect(page.getByRole('grid', { name: 'Timeline' })).toHaveAttribute('aria-rowcount', '0')
  await setConcurrency(page, 40)
  // 240 requests with delays from 150 ms to 1.5 s, 40 at a time: queueing shows as the grey staircase.
  const urls = Array.from(
    { length: 240 },
    (_, i) => `${server.url}/item/${1000 + i}?ms=${150 + ((i * 37) % 10) * 150}`,
  )
  await sendAll(page, urls)
  const grid = page.getByRole('grid', { name: 'Timeline' })
  await expect(grid).toHaveAttribute('aria-rowcount', '240')
  // Mid-burst: a third or so done, the rest on the wire or queued.
  const inFlight = async (): Promise<number> =>
    Number(/(\d+) in flight/.exec((await page.locator('.toolbar-stats').textContent()) ?? '')?.[1] ?? 0)
  await expect.poll(inFlight, { timeout: 20_000, intervals: [100] }).toBeLessThan(170)
  // The first rows, where the burst began: finished bars above, live ones and the queue's staircase below.
  await grid.focus()
  await page.keyboard.press('Home')
  await page.screenshot({ path: docsPicture('waterfall.png') })
  await expect(page.locator('.toolbar-stats .in-flight')).toHaveCount(0, { timeout: 60_000 })

  // A 5 MB JSON body: pretty, folded in one place, with a search hit; the pane on the right, tall enough for it.
  await page.getByRole('button', { name: 'Details on the right' }).click()
  await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/big.json?mb=5`)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const big = grid.getByRole('row', { name: /big\.json.* 200$/ })
  await expect(big).toHaveCount(1, { timeout: 30_000 })
  await big.click()
  await page.getByRole('tab', { name: 'Response', exact: true }).click()
  const body = page.getByLabel('Response body')
  await expect(body).toContainText('"records": [')
  await page.getByLabel('Search in body').fill('user 42"')
  await page.getByLabel('Search in body').press('Enter')
  await expect(page.getByText(/^1 of \d+/)).toBeVisible({ timeout: 20_000 })
  await expect(body.locator('mark').first()).toBeVisible()
  await page
    .getByRole('button', { name: /^Fold line \d+$/ })
    .nth(2)
    .click()
  await page.screenshot({ path: docsPicture('response-viewer.png') })
})
