import { type Locator, type Page } from '@playwright/test'
import { expect, test } from './file-page'
import { checkAnswer, openShop, startShop, type UsersEyeShop } from './users-eye-steps'

/**
 * The runner with the details pane on the timeline's right, at 1024×700 (the pane at its least, 280px) and
 * 1280×800: its content fits the pane's width, so its buttons are in sight without scrolling sideways, and a
 * person's Tab through the results and controls (or a find in page) never slides the pane's head and the
 * requests' names out of sight. Pictures, light and dark, go to the test's output folder.
 */

let shop: UsersEyeShop

test.beforeAll(async () => {
  shop = await startShop('runner-pane-scroll', (req, res) => {
    if (checkAnswer(new URL(req.url ?? '/', 'http://x'), res)) return
    res.writeHead(404)
    res.end()
  })
})

test.afterAll(async () => {
  await shop?.stop()
})

/** How far (px) the runner's content runs past its right edge, and how far it is scrolled sideways. */
function sideways(runner: Locator): Promise<{ over: number; scrolled: number }> {
  return runner.evaluate((el) => ({ over: el.scrollWidth - el.clientWidth, scrolled: el.scrollLeft }))
}

/** Every element around the runner that is scrolled (a clipping pane moved by a focus or a find). */
function scrolledAround(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = []
    for (let el = document.querySelector('.details.runner')?.parentElement ?? null; el; el = el.parentElement)
      if (el.scrollTop !== 0 || el.scrollLeft !== 0)
        out.push(`${el.className} ${el.scrollLeft},${el.scrollTop}`)
    return out
  })
}

async function shootHere(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`${name}-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
}

for (const [width, height] of [
  [1024, 700],
  [1280, 800],
] as const) {
  test(`at ${width}×${height} beside the timeline the runner fits its pane and Tab never slides it`, async ({
    page,
  }) => {
    await openShop(page, shop.host, width, height)
    await page.getByRole('button', { name: 'Details on the right' }).click()
    const sidebar = page.getByRole('complementary', { name: 'Collections' })
    await sidebar.getByRole('treeitem', { name: 'checks', exact: true }).hover({ force: true })
    await sidebar.getByRole('button', { name: 'Run checks', exact: true }).click()
    const runner = page.getByRole('region', { name: 'Runner' })
    await expect(runner.getByRole('button', { name: 'Start run' })).toBeInViewport({ ratio: 1 })
    expect(await sideways(runner)).toEqual({ over: 0, scrolled: 0 })
    await shootHere(page, `runner-settings-${width}`)

    await runner.getByRole('button', { name: 'Start run' }).click()
    await expect(runner.getByTestId('run-state')).toHaveText('Finished', { timeout: 20_000 })
    expect(await sideways(runner)).toEqual({ over: 0, scrolled: 0 })
    // The run's own buttons at the end of its progress line, in sight where a person looks for them.
    await expect(runner.getByRole('button', { name: 'Run again' })).toBeInViewport({ ratio: 1 })
    await expect(runner.getByRole('button', { name: 'Settings' })).toBeInViewport({ ratio: 1 })
    await shootHere(page, `runner-results-${width}`)

    // Tab from Close through every control of the runner (bounded), then a find of the last request's name.
    await runner.getByRole('button', { name: 'Close' }).focus()
    const title = runner.locator('.runner-title')
    const titleLeft = (await title.boundingBox())?.x
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab')
      const inside = await runner.evaluate((el) => el.contains(document.activeElement))
      if (!inside) break
      expect((await sideways(runner)).scrolled, `after Tab ${i + 1}`).toBe(0)
    }
    expect(
      await page.evaluate(() => (window as unknown as { find(s: string): boolean }).find('Check 3')),
    ).toBe(true)
    expect(await sideways(runner)).toEqual({ over: 0, scrolled: 0 })
    expect(await scrolledAround(page)).toEqual([])
    await runner.evaluate((el) => el.scrollTo({ top: 0 }))
    expect((await title.boundingBox())?.x).toBe(titleLeft)
  })
}
