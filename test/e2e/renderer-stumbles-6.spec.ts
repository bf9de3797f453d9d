import { expect, test, type Locator, type Page } from '@playwright/test'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { openShop, startShop, type UsersEyeShop } from './users-eye-steps'

/**
 * What was cut in a 768 px wide window (the sidebar open): the composer ran past its edge ("Send ×N" cut, the
 * composer 51 px too wide), the timeline's toolbar was cut at "Follow live", and with the details on the right
 * a stream's message log left its data column a dozen pixels ("{."). Each is whole now: the request line and the
 * toolbar take a second row, the narrow log gives the size column's room to the data.
 * Pictures go to each test's output folder, light and dark, at 768 and 1024.
 */

let shop: UsersEyeShop
let sse: SseFixture

test.beforeAll(async () => {
  ;[shop, sse] = await Promise.all([
    startShop('renderer-stumbles-6', (req, res) => {
      req.resume()
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    }),
    startSseServer(),
  ])
  sse.route('/two', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    res.end('retry: 600000\n\ndata: {"n":1}\n\ndata: {"n":2}\n\n')
  })
})

test.afterAll(async () => {
  await Promise.all([shop?.stop(), sse?.close()])
})

const SIZES = [
  { width: 768, height: 768 },
  { width: 1024, height: 768 },
] as const

/** `<name>-<width>-light.png` and `-dark.png` at each size (the test's own size last), the pointer out of the way. */
async function pictures(page: Page, name: string): Promise<void> {
  const own = page.viewportSize() ?? SIZES[0]
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

/** px that `what` runs past the right edge of `within` (0 or less when it is whole inside it). */
async function pastRight(what: Locator, within: Locator): Promise<number> {
  const [box, outer] = await Promise.all([what.boundingBox(), within.boundingBox()])
  if (box === null || outer === null) return Infinity
  return Math.round(box.x + box.width - (outer.x + outer.width))
}

/** px an element's content runs past its own box sideways. */
const sideways = (el: Locator) => el.evaluate((e) => e.scrollWidth - e.clientWidth)

test('at 768 px the request line and the timeline toolbar take a second row, nothing cut', async ({
  page,
}) => {
  await openShop(page, shop.host, 768, 768)
  const composer = page.getByRole('region', { name: 'Request' })
  const burst = composer.getByRole('button', { name: /^Send ×\d/ })
  await expect(burst).toBeVisible()
  expect(await sideways(composer), 'px the composer runs past its edge').toBeLessThanOrEqual(0)
  expect(await pastRight(burst, composer), 'px of "Send ×N" past the composer').toBeLessThanOrEqual(0)
  expect(await pastRight(composer.getByRole('textbox', { name: 'URL' }), composer)).toBeLessThanOrEqual(0)

  const toolbar = page.getByRole('toolbar', { name: 'Timeline tools' })
  const follow = toolbar.getByRole('button', { name: 'Follow live' })
  await expect(follow).toBeVisible()
  expect(await sideways(toolbar), 'px the timeline toolbar runs past its edge').toBeLessThanOrEqual(0)
  expect(await pastRight(follow, toolbar), 'px of "Follow live" past the toolbar').toBeLessThanOrEqual(0)
  // A send still works from the wrapped line and its row shows under the two-row toolbar.
  await page.getByRole('textbox', { name: 'URL' }).fill(`${shop.base}/ok`)
  await burst.click()
  await expect(
    page.getByRole('grid', { name: 'Timeline' }).locator('[role="row"][data-sid]').first(),
  ).toContainText('200')
  await pictures(page, 'request-line-and-toolbar')
})

test("with the details on the right at 768 px a stream message's data is read whole", async ({ page }) => {
  await openShop(page, shop.host, 768, 768)
  await page.getByRole('button', { name: 'Details on the right' }).click()
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'SSE' })
  const field = page.getByRole('textbox', { name: 'URL' })
  await field.fill(`${sse.url}/two`)
  await field.press('Enter')
  await page.getByRole('grid', { name: 'Timeline' }).locator('[role="row"][data-sid^="e"]').first().click()
  const log = page.getByRole('region', { name: 'Stream details' }).getByRole('grid', { name: 'Messages' })
  const data = log.locator('.c-data')
  await expect(data).toHaveCount(2)
  await expect(data.first()).toHaveText('{"n":1}')
  expect(await sideways(data.first()), 'px of the data cut off').toBeLessThanOrEqual(0)
  await pictures(page, 'message-log-right')
  await page.getByRole('button', { name: 'Details below' }).click()
})
