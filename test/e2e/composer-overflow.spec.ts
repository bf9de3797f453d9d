import { expect, test, type Locator } from '@playwright/test'
import { pictures } from './page-geometry'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * A short composer that holds more than it shows, through the browser host in headless Chromium (which draws no
 * scrollbars): the part that is cut says so ("more below ↓" on a line under it) and the cue goes once the end is
 * in sight, over no control; a send's error, above the variable hints, is in sight when it comes even where the
 * person had scrolled the composer down, and the unknown names it gives are not said again under the hints. At 1024×700; pictures light and dark in the test's output folder.
 */

let host: RunningWebHost

test.beforeAll(async () => {
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
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

/** Whether `what` is whole inside `within`'s box, as it is scrolled. */
async function whollyIn(what: Locator, within: Locator): Promise<boolean> {
  const [box, outer] = await Promise.all([what.boundingBox(), within.boundingBox()])
  return (
    box !== null &&
    outer !== null &&
    box.y >= outer.y - 0.5 &&
    box.y + box.height <= outer.y + outer.height + 0.5
  )
}

test('a cut composer says there is more below, and a send error comes into sight', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 })
  await page.goto(host.url)
  const composer = page.getByRole('region', { name: 'Request' })
  const panel = composer.getByRole('tabpanel')

  // The OAuth 2.0 form is taller than the composer: the panel says so, until scrolled to its end.
  await composer.getByRole('tab', { name: 'Auth' }).click()
  await page.getByRole('combobox', { name: 'Auth type' }).selectOption('oauth2')
  await expect(panel).toHaveAttribute('data-more', 'below')
  // The panel's words are on a line of their own under it (u-composer-cues: never over its rows).
  const cue = page.locator('.composer-wrap > .scroll-cue-strip')
  await expect(cue).toBeVisible()
  await expect(cue).toHaveText('more below ↓')
  await expect(cue).toHaveAttribute('data-below', '')
  await pictures(page, 'oauth-form-cut')
  await panel.evaluate((el) => el.scrollTo(0, el.scrollHeight))
  await expect(panel).toHaveAttribute('data-more', 'above')
  await expect(cue).not.toHaveAttribute('data-below')

  // A long send error and the variable hints above the tabs: the composer scrolls as a whole, and says so.
  await composer.getByRole('tab', { name: 'Params' }).click()
  const url = composer.getByRole('textbox', { name: /URL/ }).first()
  await url.fill(URL_OF_UNKNOWNS)
  const error = composer.getByRole('alert')
  const unknownLine = composer.getByRole('status').filter({ hasText: 'Unknown:' })
  await expect(unknownLine).toContainText('apiHost')
  const before = await composer.evaluate((el) => el.scrollHeight)
  await composer.getByRole('button', { name: 'Send', exact: true }).click()
  await expect(error).toContainText('Not sent: Unknown variables {{apiHost}}')
  // The names are said once, in the error the send put where the person looks.
  await expect(error).toContainText('{{experimentVariant}}')
  await expect(unknownLine).toHaveCount(0)
  await expect(composer).toHaveAttribute('data-more', /below/)
  expect(await whollyIn(error, composer)).toBe(true)
  // Its words are on the line under the composer (u31-composer-room), over none of its controls.
  await expect(cue).toHaveAttribute('data-below', '')
  const [words, whole] = await Promise.all([cue.boundingBox(), composer.boundingBox()])
  expect(words && whole && words.y >= whole.y + whole.height - 0.5).toBe(true)
  const after = await composer.evaluate((el) => el.scrollHeight)
  test.info().annotations.push({
    type: 'composer height',
    description: `${before} px before the send, ${after} after`,
  })
  await pictures(page, 'send-error-cut')

  // The composer scrolled to its end, the params table below the hints is cut: its words lie clear of the rows'
  // checkboxes and × buttons.
  await composer.evaluate((el) => el.scrollTo(0, el.scrollHeight))
  await expect(panel).toHaveAttribute('data-more', 'below')
  await expect(cue).toHaveAttribute('data-below', '')
  await pictures(page, 'params-cut')
  await composer.evaluate((el) => el.scrollTo(0, 0))

  // Scrolled down to the table, the person sends again: the new error is brought into sight.
  // (The URL field keeps the focus, so the keys send without scrolling the composer themselves.)
  await url.focus()
  await composer.evaluate((el) => el.scrollTo(0, el.scrollHeight))
  await expect(composer).toHaveAttribute('data-more', 'above')
  expect(await whollyIn(error, composer)).toBe(false)
  await page.keyboard.press('Control+Enter')
  await expect.poll(() => whollyIn(error, composer)).toBe(true)
  await pictures(page, 'send-error-again')
})
