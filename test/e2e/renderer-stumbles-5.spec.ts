import { expect, test, type Page, type Route } from '@playwright/test'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { CONTROL_TEXT_PX } from './legibility'
import { openShop, runFolder, startShop, type UsersEyeShop } from './users-eye-steps'

/**
 * What a person still stumbled on after session 37: the Overview scrolled sideways at 768 px (a redirect's long
 * location did not wrap), the run charts painted one frame of the old drawing scaled after a pane resize, a
 * reconnect's separator was cut at 1024 px, the Scripts tab was an empty frame while its editors loaded, Trace's
 * on state was only its pressed look, and the tab strip's edge cue counted in 11 px text.
 * Pictures go to each test's output folder, light and dark, at 768, 1024 and 1280.
 */

let shop: UsersEyeShop
let sse: SseFixture

const PRE = "pm.variables.set('token', 'tok-' + (40 + 2))"
const POST = "pm.test('status is 200', () => pm.response.to.have.status(200))"

test.beforeAll(async () => {
  ;[shop, sse] = await Promise.all([
    startShop(
      'renderer-stumbles-5',
      (req, res) => {
        req.resume()
        if (req.url?.startsWith('/redirect')) {
          res.writeHead(302, { location: `/final/${'segment-'.repeat(16)}?token=${'x'.repeat(80)}` }).end()
          return
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
      },
      (write) =>
        write(
          'scripted.yaml',
          `name: Scripted\nmethod: GET\nurl: "{{base}}/scripted"\nscripts:\n  preRequest: ${JSON.stringify(PRE)}\n  test: ${JSON.stringify(POST)}\n`,
        ),
    ),
    startSseServer(),
  ])
  // By the Last-Event-ID sent: none, two events and the end (reconnect after 50 ms); 2, 204 (stop reconnecting).
  sse.route('/resumable', (req, res) => {
    if (req.headers['last-event-id'] === '2') {
      res.writeHead(204).end()
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    res.end('retry: 50\n\nid: 1\ndata: {"n":1}\n\nid: 2\ndata: {"n":2}\n\n')
  })
})

test.afterAll(async () => {
  await Promise.all([shop?.stop(), sse?.close()])
})

const SIZES = [
  { width: 768, height: 768 },
  { width: 1024, height: 768 },
  { width: 1280, height: 800 },
] as const

/** `<name>-<width>-light.png` and `-dark.png` at each size (the test's own size last), the pointer out of the way. */
async function pictures(page: Page, name: string): Promise<void> {
  const own = page.viewportSize() ?? SIZES[1]
  await page.mouse.move(1, 1)
  for (const size of [...SIZES.filter((s) => s.width !== own.width), own]) {
    await page.setViewportSize(size)
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      await page.screenshot({ path: test.info().outputPath(`${name}-${size.width}-${scheme}.png`) })
    }
  }
  await page.emulateMedia({ colorScheme: 'light' })
}

test("the Scripts tab shows the scripts' text while its editors load; Trace says when it is on", async ({
  page,
}) => {
  // The editors' code is held back until the test lets it go: the tab's first moment, however slow the machine.
  let release: () => void = () => undefined
  const released = new Promise<void>((resolve) => (release = resolve))
  const chunk = /\/assets\/ScriptsPanel-[^/]+\.js$/
  await page.route(chunk, async (route: Route) => {
    await released
    await route.continue()
  })
  await openShop(page, shop.host, 1024, 768)
  await page
    .getByRole('complementary', { name: 'Collections' })
    .getByRole('treeitem', { name: /Scripted/ })
    .click()
  const composer = page.getByRole('region', { name: 'Request' })
  await composer.getByRole('tab', { name: /^Scripts/ }).click()
  const loading = composer.getByRole('status', { name: 'Loading the script editors' })
  await expect(loading).toBeVisible()
  await expect(loading.getByRole('region', { name: 'Pre-request script (loading)' })).toContainText(PRE)
  await expect(loading.getByRole('region', { name: 'Post-response script (loading)' })).toContainText(POST)
  await pictures(page, 'scripts-loading')
  release()
  await expect(composer.getByRole('textbox', { name: 'Pre-request script' })).toContainText(PRE)
  await expect(loading).toHaveCount(0)
  await page.unroute(chunk)

  const trace = page.getByRole('button', { name: 'Trace', exact: true })
  await trace.click()
  await expect(trace).toHaveText('Trace on')
  await pictures(page, 'trace-on')
  await trace.click()
  await expect(trace).toHaveText('Trace')
})

test("a redirect's long location wraps: the Overview fits 768 px, no sideways scroll", async ({ page }) => {
  await openShop(page, shop.host, 768, 768)
  await page.getByRole('textbox', { name: 'URL' }).fill(`${shop.base}/redirect`)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const rows = page.getByRole('grid', { name: 'Timeline' }).locator('[role="row"][data-sid]')
  await rows.filter({ hasText: '302' }).first().click()
  const details = page.getByRole('region', { name: 'Details' })
  await details.getByRole('tab', { name: 'Overview' }).click()
  await expect(details.getByText(/302 redirect to/)).toBeVisible()
  const sideways = () =>
    details.getByRole('tabpanel').evaluate((panel) => {
      const pane = panel.closest('.details-panel') ?? panel
      return pane.scrollWidth - pane.clientWidth
    })
  for (const placement of ['Details below', 'Details on the right']) {
    await page.getByRole('button', { name: placement }).click()
    await expect.poll(sideways, `${placement}: px the Overview runs past its pane`).toBeLessThanOrEqual(0)
  }
  await pictures(page, 'overview-redirect')
  await page.getByRole('button', { name: 'Details below' }).click()
})

test('a run chart is redrawn in the frame its pane resizes in, never painted scaled', async ({ page }) => {
  await openShop(page, shop.host, 1024, 768)
  await page.getByRole('button', { name: 'Details on the right' }).click()
  await runFolder(page, 'checks')
  const runner = page.getByRole('region', { name: 'Runner' })
  await expect(runner.getByTestId('run-state')).toHaveText('Finished')
  const chart = runner.getByRole('img', { name: /^Latency histogram/ })
  await expect(chart).toBeVisible()
  // An observer made after the chart's own sees each resize just before the frame is painted: the drawing's
  // units must be pixels there (a scaled drawing is what that frame would show).
  await chart.evaluate((svg) => {
    const w = window as unknown as { chartScales: number[] }
    w.chartScales = []
    new ResizeObserver(() => {
      const s = svg as SVGSVGElement
      w.chartScales.push(s.getBoundingClientRect().width / s.viewBox.baseVal.width)
    }).observe(svg.parentElement!)
  })
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.getByRole('button', { name: 'Details below' }).click()
  await chart.scrollIntoViewIfNeeded()
  const scales = () => page.evaluate(() => (window as unknown as { chartScales: number[] }).chartScales)
  await expect.poll(async () => (await scales()).length).toBeGreaterThan(1)
  expect((await scales()).map((s) => Math.round(s * 100) / 100)).toEqual((await scales()).map(() => 1))
  await pictures(page, 'run-charts-resized')
})

test("a reconnect's separator is read whole at 1024 px with the details on the right", async ({ page }) => {
  await openShop(page, shop.host, 1024, 768)
  await page.getByRole('button', { name: 'Details on the right' }).click()
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'SSE' })
  const field = page.getByRole('textbox', { name: 'URL' })
  await field.fill(`${sse.url}/resumable`)
  await field.press('Enter')
  const row = page.getByRole('grid', { name: 'Timeline' }).locator('[role="row"][data-sid^="e"]')
  await expect(row).toHaveAttribute('data-state', 'done', { timeout: 15_000 })
  await row.click()
  const log = page.getByRole('region', { name: 'Stream details' }).getByRole('grid', { name: 'Messages' })
  const words = log.locator('.stream-log-sep .sep-words')
  await expect(words).toHaveCount(1)
  await expect(words).toContainText('Reconnect #1 · 204 No Content · sent Last-Event-ID 2')
  const cut = () =>
    words.evaluate((el) => Math.max(el.scrollWidth - el.clientWidth, el.scrollHeight - el.clientHeight))
  expect(await cut(), 'px of the words cut off').toBeLessThanOrEqual(0)
  await pictures(page, 'stream-separator')
  // At 768 px this spec's tabs no longer fit their strip: the cue at its edge counts them in the tabs' own size.
  await page.setViewportSize({ width: 768, height: 768 })
  const cue = page.locator('[data-tab-cue]').first()
  await expect(cue).toBeVisible()
  const px = await cue.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
  expect(px, "the tab strip cue's font size").toBeGreaterThanOrEqual(CONTROL_TEXT_PX)
  await page.getByRole('button', { name: 'Details below' }).click()
})
