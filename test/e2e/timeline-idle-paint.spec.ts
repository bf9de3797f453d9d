import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { startScaleServer, type ScaleServer } from './scale-server'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * The waterfall repaints on a clock tick only when something on screen moves by a device pixel: a window that
 * shows none of what is in flight costs no paints while a request is held, and a short request in a window
 * that follows it is still painted on the frames it moves. A paint is counted in the page as the body canvas
 * being cleared (each paint starts so), through a wrapper put on the canvas API before the app loads. The
 * held request's test runs last: its request is still in flight on the host when it ends.
 */

let server: ScaleServer
let host: RunningWebHost

test.beforeAll(async () => {
  server = await startScaleServer()
  host = await startBuiltWebHost(15_000, {
    env: { FLIGHTDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'flightdeck-idle-paint-')) },
  })
})

test.afterAll(async () => {
  await host?.stop()
  await server?.close()
})

const COUNT_PAINTS = `
  globalThis.__wfPaints = 0
  const clear = CanvasRenderingContext2D.prototype.clearRect
  CanvasRenderingContext2D.prototype.clearRect = function (...args) {
    if (this.canvas.dataset.testid === 'waterfall') globalThis.__wfPaints++
    return clear.apply(this, args)
  }
`

interface Counted {
  __wfPaints: number
}

/** The waterfall's paints over the next `frames` animation frames. */
async function paintsOverFrames(page: Page, frames: number): Promise<number> {
  return page.evaluate(async (n) => {
    const g = globalThis as unknown as Counted
    const before = g.__wfPaints
    for (let i = 0; i < n; i++) await new Promise((r) => requestAnimationFrame(r))
    return g.__wfPaints - before
  }, frames)
}

async function sendOne(page: Page, url: string): Promise<void> {
  const field = page.getByRole('textbox', { name: 'URL' })
  await field.fill(url)
  await field.press('Control+Enter')
}

test('a short request is painted on the frames it moves, its painted window reaching "now" each time', async ({
  page,
}) => {
  await page.addInitScript(COUNT_PAINTS)
  await page.goto(host.url)
  await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/item/3?ms=600`)
  // A frame loop from before the send until it is done (bounded): per frame, whether the request was in flight,
  // whether the waterfall painted, and the painted window's right edge.
  const frames = page.evaluate(async () => {
    const g = globalThis as unknown as Counted
    const out: { live: boolean; painted: boolean; end: number }[] = []
    let seenLive = false
    let paints = g.__wfPaints
    for (let i = 0; i < 3000; i++) {
      await new Promise((r) => requestAnimationFrame(r))
      // After this frame's callbacks, once the frame's paint has run.
      await new Promise((r) => setTimeout(r, 0))
      const live = (document.querySelector('.toolbar-stats')?.textContent ?? '').includes('in flight')
      const win = (document.querySelector('canvas.wf-head') as HTMLElement | null)?.dataset.window ?? '{}'
      const end = (JSON.parse(win) as { end?: number }).end ?? 0
      out.push({ live, painted: g.__wfPaints !== paints, end })
      paints = g.__wfPaints
      if (live) seenLive = true
      else if (seenLive) break
    }
    return out
  })
  await page.getByRole('textbox', { name: 'URL' }).press('Control+Enter')
  const seen = await frames
  const live = seen.filter((f) => f.live)
  expect(live.length).toBeGreaterThanOrEqual(5)
  // 600 ms on some 800 px is under a millisecond a pixel: every frame moves the picture, so nearly every frame
  // paints (the first frame of the row may be painted by the batch that listed it, before the flag shows).
  const pattern = live.map((f) => (f.painted ? 'P' : '.')).join('')
  expect(live.filter((f) => f.painted).length, pattern).toBeGreaterThanOrEqual(live.length * 0.8)
  // The painted window's right edge (the bar's end) grows frame after frame.
  const ends = live.filter((f) => f.painted).map((f) => f.end)
  for (let i = 1; i < ends.length; i++) expect(ends[i]).toBeGreaterThanOrEqual(ends[i - 1] ?? 0)
  expect((ends[ends.length - 1] ?? 0) - (ends[0] ?? 0)).toBeGreaterThan(300)
})

test('a window frozen on the past is not repainted while a request is held beyond it', async ({ page }) => {
  await page.addInitScript(COUNT_PAINTS)
  await page.goto(host.url)
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  const rows = timeline.getByRole('row')
  // The host keeps the earlier test's rows: they are restored first.
  await expect(timeline).not.toHaveAttribute('aria-busy', 'true')
  const earlier = await rows.count()
  await sendOne(page, `${server.url}/item/1?ms=50`)
  await expect(rows).toHaveCount(earlier + 1)
  await expect(rows.last()).toHaveAttribute('data-state', 'done', { timeout: 10_000 })
  await sendOne(page, `${server.url}/item/2?ms=20000`)
  await expect(rows).toHaveCount(earlier + 2)
  const stats = page.locator('.toolbar-stats')
  await expect(stats).toContainText('in flight')
  // Following, the window's right edge is "now": the held request moves the picture, and it is painted.
  expect(await paintsOverFrames(page, 30)).toBeGreaterThanOrEqual(10)
  // Frozen (the "f" key), the window stays where it was; the held request's end moves on past its right edge.
  await timeline.focus()
  await page.keyboard.press('f')
  await paintsOverFrames(page, 5)
  expect(await paintsOverFrames(page, 60)).toBeLessThanOrEqual(1)
  await expect(stats).toContainText('in flight')
  // Anything else still paints at once: following again moves the window to "now".
  await page.keyboard.press('f')
  expect(await paintsOverFrames(page, 30)).toBeGreaterThanOrEqual(10)
})
