import type { ServerResponse } from 'node:http'
import { type Page } from '@playwright/test'
import { expect, test } from './file-page'
import { openShop, startShop, type UsersEyeShop } from './users-eye-steps'

/**
 * What a person still stumbled on in session 37's pass at 1024×768: the timeline toolbar's menus (HAR, the
 * legend, More, Columns) closed only when the pointer left them, so one opened from the keyboard, or left without
 * the pointer going in, stayed open over the rows; Esc did nothing to them (and cancelled the selected request).
 * Pictures go to each test's output folder, light and dark.
 */

let shop: UsersEyeShop
/** Answers to /hold, sent when the test lets them go. */
const held: ServerResponse[] = []
/** /hold requests whose connection closed before their answer (a cancel). */
let cancelled = 0

test.beforeAll(async () => {
  shop = await startShop('renderer-stumbles-4', (req, res) => {
    req.resume()
    if (req.url?.startsWith('/hold')) {
      held.push(res)
      res.on('close', () => {
        if (!res.writableEnded) cancelled++
      })
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
  })
})

test.afterAll(async () => {
  for (const res of held.splice(0)) res.end()
  await shop?.stop()
})

/** `<name>-<width>-light.png` and `-dark.png` in the test's output folder, the pointer out of the way. */
async function pictures(page: Page, name: string): Promise<void> {
  const width = page.viewportSize()?.width ?? 0
  await page.mouse.move(1, 1)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`${name}-${width}-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
}

test("the timeline toolbar's menus close on Esc and on a press outside; Esc cancels nothing then", async ({
  page,
}) => {
  await openShop(page, shop.host, 1024, 768)
  // A request in flight, selected: the window's Esc would cancel it.
  await page.getByRole('textbox', { name: 'URL' }).fill(`${shop.base}/hold`)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => held.length).toBe(1)
  const selected = page.getByRole('grid', { name: 'Timeline' }).locator('[role="row"][aria-selected="true"]')
  await expect(selected).toHaveCount(1)
  const state = await selected.getAttribute('data-state')

  const menus: [button: string, menu: string][] = [
    ['HAR', 'HAR'],
    ['Legend', 'Waterfall legend'],
    ['More', 'More filters'],
    ['Columns', 'Columns'],
  ]
  for (const [button, menu] of menus) {
    const open = page.getByRole('button', { name: button, exact: true })
    // Opened from the keyboard, closed by Esc: the focus goes back to its button.
    await open.focus()
    await page.keyboard.press('Enter')
    await expect(page.getByLabel(menu, { exact: true })).toBeVisible()
    await page.keyboard.press('Escape')
    await expect(page.getByLabel(menu, { exact: true }), `${button}: Esc`).toBeHidden()
    await expect(open).toBeFocused()
    // Opened by a click, the pointer moved away without going in, closed by a press outside it.
    await open.click()
    await expect(page.getByLabel(menu, { exact: true })).toBeVisible()
    await page.mouse.move(600, 700)
    if (button === 'Columns') await pictures(page, 'columns-menu-open')
    await page.mouse.down()
    await page.mouse.up()
    await expect(page.getByLabel(menu, { exact: true }), `${button}: a press outside`).toBeHidden()
  }
  // Esc went to the menus: the request is still in flight.
  await expect(selected).toHaveAttribute('data-state', state ?? '')
  expect(cancelled).toBe(0)
  for (const res of held.splice(0)) res.end()
})

test("the More menu's filters show their choice whole at 1024", async ({ page }) => {
  await openShop(page, shop.host, 1024, 768)
  await page.getByRole('button', { name: 'More', exact: true }).click()
  const menu = page.getByLabel('More filters', { exact: true })
  await expect(menu).toBeVisible()
  // Each select against a copy of it at its own width (its widest choice and its arrow).
  const cut = await menu.locator('select').evaluateAll((selects) =>
    selects
      .filter((el) => el.checkVisibility())
      .flatMap((el) => {
        const copy = el.cloneNode(true) as HTMLSelectElement
        copy.style.maxWidth = 'none'
        copy.style.width = 'auto'
        el.after(copy)
        const needs = copy.getBoundingClientRect().width
        copy.remove()
        const has = el.getBoundingClientRect().width
        return has + 0.5 < needs
          ? [`${el.getAttribute('aria-label')}: ${Math.round(has)} of ${Math.round(needs)} px`]
          : []
      }),
  )
  // "No groups" was cut to "No group" (the toolbar's 84 px cap applied in the menu too).
  expect(cut).toEqual([])
  await pictures(page, 'more-menu')
  await page.keyboard.press('Escape')
})
