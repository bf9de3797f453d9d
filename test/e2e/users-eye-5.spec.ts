import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Page } from '@playwright/test'
import { expect, test } from './file-page'
import { openShop, sendForNotSent, shoot, startShop, type UsersEyeShop } from './users-eye-steps'
import { startBuiltWebHost } from './web-host'

/**
 * A new user's fifth pass, on the composer's height: an OAuth 2.0 form is reachable and in sight in a short
 * window, a send's error does not push the compact composer's table out of sight, and an MQTT or Socket.IO
 * request's Connection fields leave no blank band under them; the toolbar tells two collections of one name apart,
 * and the runner's Data file box says a name holding a zero-width space again with its escape. Screenshots, light and dark at 1024×700 and
 * 1440×900, go to each test's output folder.
 */

let shop: UsersEyeShop

test.beforeAll(async () => {
  shop = await startShop('users-eye-5', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  })
})

test.afterAll(async () => {
  await shop?.stop()
})

const composer = (page: Page) => page.getByRole('region', { name: 'Request' })

/** The composer's and its part panel's overflow (px scrolled out of sight), and the pane's drawn height. */
async function composerFit(page: Page): Promise<{ pane: number; composer: number; panel: number }> {
  return page.evaluate(() => {
    const pane = document.querySelector('.composer-wrap') as HTMLElement
    const box = document.querySelector('.composer') as HTMLElement
    const panel = document.querySelector('.composer-panel') as HTMLElement
    return {
      pane: pane.offsetHeight,
      composer: box.scrollHeight - box.clientHeight,
      panel: panel.scrollHeight - panel.clientHeight,
    }
  })
}

/** How far (px) the element's bottom is below the bottom of the composer's part panel; ≤ 0 is in sight. */
async function belowPanel(page: Page, label: string): Promise<number> {
  return composer(page)
    .getByLabel(label, { exact: true })
    .evaluate((el) => {
      const panel = el.closest('.composer-panel')
      if (!panel) return Number.POSITIVE_INFINITY
      return el.getBoundingClientRect().bottom - panel.getBoundingClientRect().bottom
    })
}

test('an OAuth 2.0 form takes a share of the window; every field of it can be reached', async ({ page }) => {
  await openShop(page, shop.host, 1024, 720)
  await composer(page).getByRole('tab', { name: 'Auth' }).click()
  await page.getByRole('combobox', { name: 'Auth type' }).selectOption('oauth2')
  // The floor (210 px) showed four of its eleven fields, the fifth cut in half, above an empty details pane.
  await expect.poll(async () => (await composerFit(page)).pane).toBe(255)
  await page.getByRole('combobox', { name: 'Grant type' }).selectOption('authorization_code')
  const labels = await composer(page).locator('.auth-panel .auth-label').allInnerTexts()
  expect(labels).toHaveLength(11)
  for (const label of labels) {
    const field = composer(page).getByLabel(label === 'Type' ? 'Auth type' : label, { exact: true })
    await field.scrollIntoViewIfNeeded()
    await expect(field, label).toBeInViewport({ ratio: 1 })
    expect(await belowPanel(page, label === 'Type' ? 'Auth type' : label), label).toBeLessThanOrEqual(0)
  }
  // A client credentials form is whole in a 1440×900 window, without scrolling.
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.getByRole('combobox', { name: 'Grant type' }).selectOption('client_credentials')
  await composer(page)
    .locator('.composer-panel')
    .evaluate((el) => el.scrollTo(0, 0))
  await expect.poll(async () => (await composerFit(page)).pane).toBe(360)
  expect(await belowPanel(page, 'Send the token')).toBeLessThanOrEqual(0)
  await page.setViewportSize({ width: 1024, height: 720 })
  await shoot(page, 'oauth2-form')
  // Another auth keeps the floor: a bearer token's two fields need no more.
  await page.getByRole('combobox', { name: 'Auth type' }).selectOption('bearer')
  await expect.poll(async () => (await composerFit(page)).pane).toBe(210)
})

test("a send's error grows the compact composer: the URL, the tabs and the table stay in sight", async ({
  page,
}) => {
  await openShop(page, shop.host)
  await expect.poll(async () => (await composerFit(page)).pane).toBe(160)
  await page.getByRole('textbox', { name: 'URL' }).fill(`${shop.base}/orders/{{orderId}}`)
  const alert = await sendForNotSent(page)
  await expect(alert).toContainText('orderId')
  // The banner and the unknown variable's hint came in above the tabs and the composer scrolled: its blank
  // Params row was cut in half, 44 px of it out of sight.
  const fit = await composerFit(page)
  expect(fit.composer, 'composer scrolled').toBe(0)
  expect(fit.panel, 'table cut').toBe(0)
  expect(fit.pane).toBeGreaterThan(160)
  for (const shown of [
    page.getByRole('textbox', { name: 'URL' }),
    alert,
    composer(page).getByRole('tab', { name: 'Params' }),
    page.getByRole('textbox', { name: 'Query parameters name 1' }),
  ])
    await expect(shown).toBeInViewport({ ratio: 1 })
  await shoot(page, 'send-error-compact')
  // Once the URL is fixed the error goes on the next send, and the composer is compact again.
  await page.getByRole('textbox', { name: 'URL' }).fill(`${shop.base}/orders/7`)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect(alert).toHaveCount(0)
  await expect.poll(async () => (await composerFit(page)).pane).toBe(160)
})

test('MQTT and Socket.IO Connection fields leave no blank band under them, at 1440 and at 1024 px', async ({
  page,
}) => {
  await openShop(page, shop.host, 1440, 900)
  for (const size of [
    { width: 1440, height: 900 },
    { width: 1024, height: 700 },
  ]) {
    await page.setViewportSize(size)
    for (const kind of ['MQTT', 'Socket.IO']) {
      await page.getByRole('button', { name: 'New request tab' }).click()
      await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: kind })
      await expect(composer(page).getByRole('tab', { name: 'Connection' })).toHaveAttribute(
        'aria-selected',
        'true',
      )
      const where = `${kind} at ${size.width}`
      // Blank below the last of its fields, inside the part panel (its own bottom padding is 10 px).
      const blank = await composer(page)
        .locator('.composer-panel')
        .evaluate((panel) => {
          const bottoms = [...panel.querySelectorAll('*')].map((el) => el.getBoundingClientRect().bottom)
          return panel.getBoundingClientRect().bottom - Math.max(...bottoms)
        })
      // The floor left 72 px (MQTT) and 102 px (Socket.IO) blank at 1440.
      expect(blank, where).toBeLessThanOrEqual(12)
      const fit = await composerFit(page)
      expect(fit.composer + fit.panel, `${where}: fields cut`).toBe(0)
      if (size.width === 1440 && kind === 'MQTT') await shoot(page, 'mqtt-connection')
    }
  }
  // Its other parts keep the floor.
  await composer(page).getByRole('tab', { name: 'Acks' }).click()
  await expect.poll(async () => (await composerFit(page)).pane).toBe(210)
})

test("the toolbar tells two collections of one name apart; the runner's Data file says a hidden character", async ({
  page,
}) => {
  const work = mkdtempSync(join(tmpdir(), 'fd-e2e-users-eye-5-twins-'))
  const dirs = ['june', 'july'].map((month) => {
    const dir = join(work, month, 'shop')
    mkdirSync(join(dir, 'orders'), { recursive: true })
    writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Shop\n')
    writeFileSync(join(dir, 'orders', 'list.yaml'), `name: List\nmethod: GET\nurl: ${shop.base}/orders\n`)
    return dir
  })
  const host = await startBuiltWebHost(15_000, { args: dirs.flatMap((d) => ['--collections', d]) })
  try {
    await page.setViewportSize({ width: 1024, height: 700 })
    await page.goto(host.url)
    const toolbar = page.getByRole('banner')
    const sidebar = page.getByRole('complementary', { name: 'Collections' })
    for (const month of ['july', 'june']) {
      await sidebar
        .getByRole('region', { name: `Shop (${month}/shop)` })
        .locator('.collection-name')
        .click()
      await expect(toolbar.locator('.collection-label')).toHaveText(`Shop${month}/shop`)
      // Whole: the shared name gives way first.
      const twin = toolbar.locator('.collection-label-twin')
      await expect(twin).toBeInViewport({ ratio: 1 })
      expect(await twin.evaluate((el) => el.scrollWidth - el.clientWidth), `${month}/shop cut`).toBe(0)
    }
    const june = sidebar.getByRole('region', { name: 'Shop (june/shop)' })
    await june.getByRole('treeitem', { name: 'orders', exact: true }).hover()
    await june.getByRole('button', { name: 'Run orders', exact: true }).click()
    const runner = page.getByRole('region', { name: 'Runner' })
    await runner.getByRole('textbox', { name: 'Data file' }).fill('rows\u200b.csv')
    // The box draws the zero-width space as nothing: below it the name is said with it as its escape.
    await expect(runner.getByRole('note')).toContainText('rows\\u200b.csv')
    await shoot(page, 'twins-and-data-file')
  } finally {
    await host.stop()
    rmSync(work, { recursive: true, force: true })
  }
})
