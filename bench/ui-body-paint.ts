import type { Page } from '@playwright/test'

/**
 * ui.body_100mb_paint_ms, measured so that it can only be a first paint: a big JSON response is sent from the
 * composer, and while it downloads the details are switched to Headers, so that nothing opens its body before
 * the timed click. Then, from clicking its Response tab, the time until its first pretty-printed lines are in
 * the list and a frame with them has been painted: the body opened in the viewer, its first page read from the
 * engine (which indexes the body's lines for the pretty view) and drawn.
 *
 * It was timed with the row still followed after its send: the Response tab was already showing the body (it
 * opens when the download ends), so the click changed nothing and the figure was the next animation frame, or
 * whatever was left of a load the download's end had started (7 ms in one run, 60-101 ms in others).
 * ui.body_100mb_repaint_ms is that case on purpose: Headers, then Response again, the body's first page
 * already in the page.
 */

/** What the in-page code touches (the bench's tsconfig has no DOM lib). */
interface PaintEl {
  textContent: string | null
  click(): void
}
interface PaintGlobals {
  document: { querySelector(sel: string): PaintEl | null; body: unknown }
  requestAnimationFrame(cb: () => void): void
  setTimeout(cb: () => void, ms: number): void
  MutationObserver: new (cb: () => void) => {
    observe(target: unknown, options: { childList: boolean; subtree: boolean; characterData: boolean }): void
    disconnect(): void
  }
  __bodyShownEarly?: string | null
  __stopWatch?: () => void
}

/** What the Response tab shows for a row still downloading; anything else there means the body was opened. */
const IN_FLIGHT_NOTE = 'The body is shown once the response has finished.'

export interface BodyPaint {
  /** From the Response tab's click to a painted frame showing the body's first lines, the body never opened before. */
  firstMs: number
  /** The same click again after switching to Headers: the body's first page is already in the page. */
  againMs: number
}

/** Clicks `#details-tab-response` and resolves once a frame showing the JSON's first lines has been painted. */
async function timeResponseClick(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const g = globalThis as unknown as PaintGlobals
    const tab = g.document.querySelector('#details-tab-response')
    if (!tab) return NaN
    const t0 = performance.now()
    tab.click()
    for (let frame = 0; frame < 100_000; frame++) {
      await new Promise<void>((r) => g.requestAnimationFrame(() => r()))
      const list = g.document.querySelector('[aria-label="Response body"]')
      if (list?.textContent?.includes('"records": [')) {
        // In the frame's animation callbacks the lines are in the DOM but not yet on screen: a task queued here
        // runs after that frame's paint.
        await new Promise<void>((r) => g.setTimeout(r, 0))
        return performance.now() - t0
      }
      if (performance.now() - t0 > 60_000) return NaN
    }
    return NaN
  })
}

/** Send `${serverUrl}/big.json?mb=${mb}` once and time the first paint of its body (see above). */
export async function bodyFirstPaint(page: Page, serverUrl: string, mb: number): Promise<BodyPaint> {
  // A burst before this opens its first copy's response (as a single Send does): put that body out of the page
  // first, so the watch below sees only the big send's panel.
  const headersTab = page.locator('#details-tab-headers')
  if (await headersTab.isVisible()) {
    await headersTab.click()
    await page.locator('#details-panel-response').waitFor({ state: 'detached' })
  }
  // Watched from before the send, in the page (a local 100 MB download can end before a click from here lands):
  // as soon as the sent row's Response tab shows it downloading, Headers is clicked; if that panel ever shows
  // anything else first, the body was opened before the timed click and the figure would not be a first paint.
  await page.evaluate((note) => {
    const g = globalThis as unknown as PaintGlobals
    g.__bodyShownEarly = null
    let switched = false
    const check = (): void => {
      if (switched) return
      const panel = g.document.querySelector('#details-panel-response')
      if (!panel) return
      const text = panel.textContent ?? ''
      if (!text.includes(note)) {
        g.__bodyShownEarly ??= text.slice(0, 80)
        return
      }
      switched = true
      g.document.querySelector('#details-tab-headers')?.click()
    }
    const observer = new g.MutationObserver(check)
    observer.observe(g.document.body, { childList: true, subtree: true, characterData: true })
    g.__stopWatch = () => observer.disconnect()
  }, IN_FLIGHT_NOTE)
  await page.getByRole('spinbutton', { name: 'Count' }).fill('1')
  await page.getByRole('textbox', { name: 'URL' }).fill(`${serverUrl}/big.json?mb=${mb}`)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const big = page.getByRole('grid', { name: 'Timeline' }).getByRole('row', { name: /big\.json.* 200$/ })
  await big.waitFor({ timeout: 180_000 })
  const early = await page.evaluate(() => {
    const g = globalThis as unknown as PaintGlobals
    g.__stopWatch?.()
    return g.__bodyShownEarly ?? null
  })
  if (early !== null)
    throw new Error(
      `the ${mb} MB body was shown before its Response tab was clicked ("${early}": it downloaded before the switch to Headers): no first paint to time`,
    )
  const firstMs = await timeResponseClick(page)
  await page.locator('#details-tab-headers').click()
  await page.getByRole('list', { name: 'Response body' }).waitFor({ state: 'detached' })
  const againMs = await timeResponseClick(page)
  return { firstMs, againMs }
}
