import { box, pictures, settled, within } from './page-geometry'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { expect, test } from './file-page'

/**
 * The room in the composer, measured through the browser host in headless Chromium (no scrollbars): the Scripts
 * tab's two editors fit the panel at 1280×800 (one-line headings, side by side, grips in sight, no "more below"
 * for their empty lower part), stack in a narrower panel tall enough for both (side by side in a short one, as at
 * 1024×700), and grow with a composer dragged taller; and when the whole composer scrolls (a long send error), its
 * "more below ↓" lies under it, over none of its rows. Pictures light and dark in the test's output folder.
 */

let host: RunningWebHost

test.beforeAll(async () => {
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
})

test('the Scripts tab’s editors fit its panel: side by side, stacked when narrow and tall, growing with the composer', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(host.url)
  const composer = page.getByRole('region', { name: 'Request' })
  await composer.getByRole('tab', { name: /^Scripts/ }).click()
  const panel = composer.getByRole('tabpanel')
  const strip = page.locator('.composer-wrap > .scroll-cue-strip')
  const pre = page.getByRole('region', { name: 'Pre-request script' })
  const post = page.getByRole('region', { name: 'Post-response script' })
  const preGrip = page.getByRole('separator', { name: 'Resize Pre-request script' })
  const postGrip = page.getByRole('separator', { name: 'Resize Post-response script' })
  const hosts = page.locator('.scripts-section .code-editor-host')
  await expect(preGrip).toBeVisible()

  // 1280×800: one row of two, every editor and grip inside the panel, nothing below it, so no cue.
  await settled(page)
  const p = await box(panel)
  for (const grip of [preGrip, postGrip])
    expect(within(await box(grip), p), 'grip inside the panel').toBe(true)
  const [a, b] = [await box(pre), await box(post)]
  expect(Math.abs(a.y - b.y)).toBeLessThan(1)
  expect(b.x).toBeGreaterThan(a.x + a.width)
  // Each heading is one line, however long its explanation (cut, whole in its tooltip).
  for (const heading of await page.locator('.scripts-heading').all()) {
    expect((await box(heading)).height).toBeLessThan(20)
    await expect(heading.locator('.muted')).toHaveAttribute('title', /pm\./)
  }
  // Three lines at least.
  for (const h of await hosts.all()) expect((await box(h)).height).toBeGreaterThanOrEqual(59)
  expect(await panel.getAttribute('data-more')).toBeNull()
  await expect(strip).toBeHidden()
  await pictures(page, 'scripts-1280x800')

  // A narrower panel (1024×700), too short for two stacked editors: still side by side, both whole, no cue.
  await page.setViewportSize({ width: 1024, height: 700 })
  await settled(page)
  const [c, d] = [await box(pre), await box(post)]
  expect(Math.abs(c.y - d.y)).toBeLessThan(1)
  for (const grip of [preGrip, postGrip]) expect(within(await box(grip), await box(panel))).toBe(true)
  expect(await panel.getAttribute('data-more')).toBeNull()
  await expect(strip).toBeHidden()
  await pictures(page, 'scripts-1024x700')

  // A tall narrow window, the composer dragged 200 px taller: stacked, the editors take the room, no cue.
  await page.setViewportSize({ width: 1024, height: 1200 })
  await settled(page)
  const before = (await box(hosts.first())).height
  const splitter = page.getByRole('separator', { name: 'Resize composer' })
  const s = await box(splitter)
  await page.mouse.move(s.x + s.width / 2, s.y + s.height / 2)
  await page.mouse.down()
  await page.mouse.move(s.x + s.width / 2, s.y + s.height / 2 + 200, { steps: 5 })
  await page.mouse.up()
  await settled(page)
  const [e, f] = [await box(pre), await box(post)]
  expect(f.y).toBeGreaterThanOrEqual(e.y + e.height)
  expect((await box(hosts.first())).height).toBeGreaterThan(before)
  for (const grip of [preGrip, postGrip]) expect(within(await box(grip), await box(panel))).toBe(true)
  expect(await panel.getAttribute('data-more')).toBeNull()
  await expect(strip).toBeHidden()
  await pictures(page, 'scripts-1024x1200-taller')

  // Wider, the same composer: side by side again, each editor as tall as the panel lets it.
  await page.setViewportSize({ width: 1440, height: 1200 })
  await settled(page)
  expect((await box(hosts.first())).height).toBeGreaterThan(before + 150)
  for (const grip of [preGrip, postGrip]) expect(within(await box(grip), await box(panel))).toBe(true)
  expect(await panel.getAttribute('data-more')).toBeNull()
  await expect(strip).toBeHidden()
  await pictures(page, 'scripts-1440x1200-taller')
})

/**
 * A URL of sixteen variables no scope defines: the send's error names them all over three lines at 1024 px, and
 * their hints alone hold more than the composer's share of a 700 px window.
 */
const URL_OF_UNKNOWNS =
  'https://{{apiHost}}/v1/{{tenantIdentifier}}/orders/{{orderNumber}}/lines/{{lineNumber}}' +
  '?expand={{expandFields}}&region={{deploymentRegion}}&currency={{preferredCurrency}}' +
  '&locale={{customerLocale}}&channel={{salesChannel}}&trace={{traceSamplingRate}}' +
  '&store={{storeIdentifier}}&warehouse={{warehouseCode}}&promo={{promotionCode}}' +
  '&segment={{customerSegment}}&campaign={{marketingCampaign}}&variant={{experimentVariant}}'

test('a whole composer that scrolls says so under it, over none of its rows', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 })
  await page.goto(host.url)
  const composer = page.getByRole('region', { name: 'Request' })
  await composer.getByRole('textbox', { name: /URL/ }).first().fill(URL_OF_UNKNOWNS)
  await composer.getByRole('button', { name: 'Send', exact: true }).click()
  await expect(composer.getByRole('alert')).toContainText('Not sent: Unknown variables')
  await expect(composer).toHaveAttribute('data-more', /below/)
  // Nothing is drawn over the composer's own content (its lower edge held the tabs' row)…
  const overlay = await composer.evaluate((el) => getComputedStyle(el, '::after').content)
  expect(overlay === 'none' || overlay === 'normal', `cue drawn over the composer: ${overlay}`).toBe(true)
  // …the words are on the line under it.
  const strip = page.locator('.composer-wrap > .scroll-cue-strip')
  await expect(strip).toHaveAttribute('data-below', '')
  await expect(strip).toHaveText('more below ↓')
  const [words, whole] = [await box(strip), await box(composer)]
  expect(words.y).toBeGreaterThanOrEqual(whole.y + whole.height - 0.5)
  await pictures(page, 'send-error-scrolls')
  // Scrolled to its end (the params table cut there too), the words stay; at the panel's end too, they go.
  await composer.evaluate((el) => el.scrollTo(0, el.scrollHeight))
  const panel = composer.getByRole('tabpanel')
  await panel.evaluate((el) => el.scrollTo(0, el.scrollHeight))
  await settled(page)
  await expect(strip).not.toHaveAttribute('data-below')
})
