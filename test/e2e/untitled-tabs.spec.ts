import { expect, test } from '@playwright/test'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * Two unsaved tabs through the browser host in Chromium: the tab strip names them apart (Untitled 1, Untitled 2)
 * and a WebSocket session's Send tab heads its saved messages as the Publish / Emit boxes head theirs; a reload
 * brings each unsaved tab back under its own name. Light and dark pictures go to the test's output folder.
 */

let ws: WsFixture
let host: RunningWebHost

test.beforeAll(async () => {
  ws = await startWsServer()
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await ws?.close()
})

test('unsaved tabs are named apart; the WebSocket saved messages have a heading', async ({ page }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1400, height: 860 })
  await page.goto(host.url)
  await page.getByRole('button', { name: 'Details on the right' }).click()

  const strip = page.getByRole('tablist', { name: 'Open requests' })
  await page.getByRole('button', { name: 'New request tab' }).click()
  await expect(strip.locator('.tab-name')).toHaveText(['Untitled 1', 'Untitled 2'])
  await expect(strip.getByRole('tab', { name: 'Untitled 2 (not saved)' })).toHaveAttribute(
    'aria-selected',
    'true',
  )

  // A WebSocket session from the second tab: its Send tab says it has no saved messages, then counts them.
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'WebSocket' })
  const url = page.getByRole('textbox', { name: 'URL' })
  await url.fill(`${ws.url}/echo`)
  await url.press('Enter')
  const details = page.getByRole('region', { name: 'Stream details' })
  await expect(details).toHaveAttribute('data-state', 'open')
  await details.getByRole('tab', { name: 'Send' }).click()
  await expect(details.getByRole('heading', { name: 'No saved messages' })).toBeVisible()
  await details.getByRole('textbox', { name: 'Message to send' }).fill('{"op":"subscribe"}')
  await details.getByRole('textbox', { name: 'Name for the saved message' }).fill('subscribe')
  await details.getByRole('button', { name: 'Save message' }).click()
  const heading = details.getByRole('heading', { name: 'Saved messages (1)' })
  await expect(heading).toBeVisible()
  await expect(details.getByText('kept for this URL in this browser')).toBeVisible()
  // The heading sits right above its list.
  const headBox = await heading.boundingBox()
  const listBox = await details.getByRole('list', { name: 'Saved messages' }).boundingBox()
  if (!headBox || !listBox) throw new Error('no heading or list')
  expect(listBox.y).toBeGreaterThanOrEqual(headBox.y + headBox.height - 1)
  expect(listBox.y - (headBox.y + headBox.height)).toBeLessThan(24)

  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await strip.screenshot({ path: test.info().outputPath(`untitled-tabs-${scheme}.png`) })
    await details.screenshot({ path: test.info().outputPath(`ws-saved-heading-${scheme}.png`) })
  }

  // A third tab, the first closed, a reload: each comes back under its own name, and a new tab takes a free one.
  await page.getByRole('button', { name: 'New request tab' }).click()
  await expect(strip.locator('.tab-name')).toHaveText(['Untitled 1', 'Untitled 2', 'Untitled 3'])
  await strip.getByRole('button', { name: 'Close Untitled 1' }).click()
  await expect(strip.locator('.tab-name')).toHaveText(['Untitled 2', 'Untitled 3'])
  await page.reload()
  await expect(strip.locator('.tab-name')).toHaveText(['Untitled 2', 'Untitled 3'])
  await page.getByRole('button', { name: 'New request tab' }).click()
  await expect(strip.locator('.tab-name')).toHaveText(['Untitled 2', 'Untitled 3', 'Untitled 1'])
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await strip.screenshot({ path: test.info().outputPath(`untitled-tabs-reloaded-${scheme}.png`) })
  }
  expect(pageErrors).toEqual([])
})
