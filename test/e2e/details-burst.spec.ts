import { type Page } from '@playwright/test'
import { expect, test } from './file-page'
import { startScaleServer, type ScaleServer } from './scale-server'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * The details pane while a burst runs, through the browser host. A click of "Send ×1,000" selects the burst's first
 * request and shows its Response tab: when that request finishes, its body viewer replaces the note saying the
 * body comes once the response has finished. Until the viewer's first lines arrive it says the body is being
 * read (it said "0 lines…" over an empty list, which reads as an empty body): every text the Response panel
 * showed is recorded by a MutationObserver. Screenshots at the start, mid-burst and done, light and dark.
 */

let server: ScaleServer
let host: RunningWebHost

test.beforeAll(async () => {
  server = await startScaleServer()
})

// A host of its own each case: the engine keeps its timeline for the page, and each case counts from none.
test.beforeEach(async () => {
  host = await startBuiltWebHost()
})

test.afterEach(async () => {
  await host?.stop()
})

test.afterAll(async () => {
  await server?.close()
})

interface Seen {
  texts: string[]
}

async function allDone(page: Page, total: number): Promise<void> {
  await expect(page.locator('.toolbar-stats')).toHaveText(
    new RegExp(`^${total.toLocaleString('en-US')} requests(?! · [\\d,]+ in flight)`),
    { timeout: 60_000 },
  )
}

/** Every text the details pane's Response panel showed from now on (bounded), read at each change. */
async function watchPanel(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as { __seen: Seen }
    w.__seen = { texts: [] }
    const details = document.querySelector('.details-wrap') as Element
    new MutationObserver(() => {
      const text = document.querySelector('.details-panel')?.textContent ?? ''
      const seen = w.__seen.texts
      if (seen.length < 5_000 && seen[seen.length - 1] !== text) seen.push(text.slice(0, 300))
    }).observe(details, { childList: true, subtree: true, characterData: true })
  })
}

for (const scheme of ['light', 'dark'] as const) {
  test(`the selected request of a burst: its body once finished, never "0 lines" (${scheme})`, async ({
    page,
  }, testInfo) => {
    await page.emulateMedia({ colorScheme: scheme })
    await page.setViewportSize({ width: 1400, height: 900 })
    await page.goto(host.url)
    const ok = await page.evaluate(async () => {
      const api = (
        globalThis as unknown as { api: { invoke(n: string, p: unknown): Promise<{ ok: boolean }> } }
      ).api
      return (await api.invoke('settings.set', { globalConcurrency: 100, perOriginConcurrency: 100 })).ok
    })
    expect(ok).toBe(true)
    await page.getByRole('button', { name: 'Details below' }).click()
    await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/item/1?ms=300`)
    await page.getByRole('spinbutton', { name: 'Count' }).fill('1000')
    await watchPanel(page)
    await page.getByRole('button', { name: /Send ×/ }).click()

    const details = page.getByRole('region', { name: 'Details' })
    await expect(page.locator('.toolbar-stats')).toContainText('in flight')
    await page.screenshot({ path: testInfo.outputPath(`details-burst-start-${scheme}.png`) })
    // The selected (first) request finishes long before the burst: its body is shown while the rest run.
    await expect(details.getByRole('list', { name: 'Response body' }).locator('.line').first()).toBeVisible({
      timeout: 30_000,
    })
    await page.screenshot({ path: testInfo.outputPath(`details-burst-mid-${scheme}.png`) })
    await allDone(page, 1000)
    await page.screenshot({ path: testInfo.outputPath(`details-burst-done-${scheme}.png`) })

    const seen = await page.evaluate(() => (globalThis as unknown as { __seen: Seen }).__seen.texts)
    expect(seen.length).toBeGreaterThan(0)
    // The size sits just before the count ("20 B0 lines…"): a 0 not preceded by a digit or a comma.
    expect(seen.filter((t) => /(?<![\d,])0 lines/.test(t))).toEqual([])
    expect(seen.some((t) => t.includes('Reading the body…'))).toBe(true)
  })
}
