import { type Page } from '@playwright/test'
import { expect, test } from './file-page'
import { startScaleServer, type ScaleServer } from './scale-server'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * Bursts onto a followed timeline, through the browser host: each click of "Send ×1,000" lists a thousand rows at
 * once and the table, following the newest, shows the bottom ones. Every request arrives as one row, the last
 * listed is the one shown at the bottom, and the rows on screen are the same elements given other sessions
 * (row-slots.ts): counted with a MutationObserver, a burst mounts no more rows than fit on the screen, where each
 * click used to remove and create every row on it (the longest tasks applying a batch).
 */

let server: ScaleServer
// A host of its own each case: the engine keeps its timeline for the page, and each case counts from none.
let host: RunningWebHost

test.beforeAll(async () => {
  server = await startScaleServer()
})

test.beforeEach(async () => {
  host = await startBuiltWebHost()
})

test.afterEach(async () => {
  await host?.stop()
})

test.afterAll(async () => {
  await server?.close()
})

interface Watch {
  mounted: number
  unmounted: number
}

async function allDone(page: Page, total: number): Promise<void> {
  await expect(page.locator('.toolbar-stats')).toHaveText(
    new RegExp(`^${total.toLocaleString('en-US')} requests(?! · [\\d,]+ in flight)`),
    {
      timeout: 60_000,
    },
  )
}

for (const scheme of ['light', 'dark'] as const) {
  test(`a burst onto followed rows shows every row once, reusing the rows on screen (${scheme})`, async ({
    page,
  }, testInfo) => {
    await page.emulateMedia({ colorScheme: scheme })
    await page.setViewportSize({ width: 1400, height: 900 })
    await page.goto(host.url)
    const ok = await page.evaluate(async () => {
      const api = (
        globalThis as unknown as { api: { invoke(n: string, p: unknown): Promise<{ ok: boolean }> } }
      ).api
      return (await api.invoke('settings.set', { globalConcurrency: 300, perOriginConcurrency: 300 })).ok
    })
    expect(ok).toBe(true)
    await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/item/1?ms=40`)
    await page.getByRole('spinbutton', { name: 'Count' }).fill('1000')
    const send = page.getByRole('button', { name: /Send ×/ })
    await send.click()
    await allDone(page, 1000)
    const onScreen = await page.locator('.tl-row').count()
    expect(onScreen).toBeGreaterThan(10)

    await page.evaluate(() => {
      const w = globalThis as unknown as { __rows: Watch }
      w.__rows = { mounted: 0, unmounted: 0 }
      const count = (nodes: NodeList): number => {
        let n = 0
        for (const node of Array.from(nodes)) if ((node as Element).classList?.contains('tl-row')) n++
        return n
      }
      new MutationObserver((records) => {
        for (const r of records) {
          w.__rows.mounted += count(r.addedNodes)
          w.__rows.unmounted += count(r.removedNodes)
        }
      }).observe(document.querySelector('.tl-grid') as Element, { childList: true })
    })
    // Three clicks, each once the one before has listed its thousand rows: three moves of the followed rows.
    for (let click = 2; click <= 4; click++) {
      await send.click()
      await expect(page.locator('.toolbar-stats')).toHaveText(
        new RegExp(`^${(click * 1000).toLocaleString('en-US')} requests`),
      )
      if (click === 3) await page.screenshot({ path: testInfo.outputPath(`burst-mid-${scheme}.png`) })
    }
    await allDone(page, 4000)
    await page.screenshot({ path: testInfo.outputPath(`burst-after-${scheme}.png`) })

    // Every request is one row: the grid counts 4,000, and the bottom row shown is the last one listed.
    await expect(page.getByRole('grid', { name: 'Timeline' })).toHaveAttribute('aria-rowcount', '4000')
    await expect(page.locator('.tl-row[aria-rowindex="4000"]')).toBeVisible()
    const rows = await page.evaluate(() => (globalThis as unknown as { __rows: Watch }).__rows)
    // Keyed by session: each click's move mounted every row on screen again (3 × onScreen and more).
    expect(rows.mounted).toBeLessThanOrEqual(onScreen)
    expect(rows.mounted - rows.unmounted).toBe((await page.locator('.tl-row').count()) - onScreen)
  })
}

test('a Pin clicked on a row does not follow its elements to another session when the row scrolls away', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1400, height: 900 })
  await page.goto(host.url)
  await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/item/1`)
  await page.getByRole('spinbutton', { name: 'Count' }).fill('300')
  await page.getByRole('button', { name: /Send ×/ }).click()
  await allDone(page, 300)

  // Pin a row in sight with the mouse: the button keeps the focus, as a clicked button does.
  const row = page.locator('.tl-row[aria-rowindex="290"]')
  const sid = await row.getAttribute('data-sid')
  expect(sid).toBeTruthy()
  await row.locator('.pin-button').click()
  await expect(row.locator('.pin-button')).toHaveAttribute('aria-pressed', 'true')

  // Scroll up by the wheel (the focus stays where it is): row 290's elements now show another session.
  await page.locator('.tl-scroll').hover()
  await page.mouse.wheel(0, -3000)
  await expect(page.locator(`.tl-row[data-sid="${sid}"]`)).toHaveCount(0)
  const focusedIn = await page.evaluate(
    () => document.activeElement?.closest('.tl-row')?.getAttribute('data-sid') ?? null,
  )
  expect(focusedIn).toBeNull()

  // Space now reaches no row's button: no other request is pinned.
  await page.keyboard.press('Space')
  await expect(page.locator('.tl-row .pin-button[aria-pressed="true"]')).toHaveCount(0)
})
