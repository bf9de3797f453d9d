import { expect, test } from '@playwright/test'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * A Socket.IO session's Emit box while another tab is shown, through the browser host in Chromium: it lists the
 * saved emits of the request the session was opened from (naming it), says so once that tab is closed, and fits
 * the details pane beside the timeline (its bars wrap; the pane never scrolls sideways hiding the Event field).
 */

let io: SocketIoFixture
let host: RunningWebHost

test.beforeAll(async () => {
  io = await startSocketIoServer()
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await io?.close()
})

test("a session's Emit box lists its own request's saved emits, whichever tab is shown, and fits its pane", async ({
  page,
}) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1400, height: 860 })
  await page.goto(host.url)
  await page.getByRole('button', { name: 'Details on the right' }).click()
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'Socket.IO' })
  const url = page.getByRole('textbox', { name: 'URL' })
  await url.fill(io.url)
  await url.press('Enter')
  const details = page.getByRole('region', { name: 'Stream details' })
  await expect(details).toHaveAttribute('data-state', 'open')
  await details.getByRole('tab', { name: 'Emit' }).click()
  await details.getByRole('textbox', { name: 'Event' }).fill('echo')
  await details.getByRole('textbox', { name: 'Arguments (JSON)' }).fill('["hi"]')
  await details.getByRole('textbox', { name: 'Name to save the emit under' }).fill('echo hi')
  await details.getByRole('button', { name: 'Add to saved' }).click()
  const saved = details.getByRole('combobox', { name: 'Saved emits' })
  await expect(saved.locator('option')).toHaveText(['Saved emits (1)', 'echo hi'])

  // Another Socket.IO tab shown, with nothing saved: the session's box still lists its own request's emit.
  await page.getByRole('button', { name: 'New request tab' }).click()
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'Socket.IO' })
  await page.locator('[role="row"][data-sid^="io"]').click()
  await details.getByRole('tab', { name: 'Emit' }).click()
  await expect(saved.locator('option')).toHaveText(['Saved emits of Untitled 1 (1)', 'echo hi'])
  await saved.selectOption({ label: 'echo hi' })
  await expect(details.getByRole('textbox', { name: 'Arguments (JSON)' })).toHaveValue('["hi"]')
  // The whole box inside the pane: nothing cut at its start, no sideways scroll.
  const panel = details.getByRole('tabpanel')
  const sideways = await panel.evaluate((el) => el.scrollWidth - el.clientWidth)
  expect(sideways, 'the Emit tab scrolls sideways').toBeLessThanOrEqual(0)
  const paneBox = await details.boundingBox()
  for (const name of ['Event', 'Name to save the emit under']) {
    const box = await details.getByRole('textbox', { name }).boundingBox()
    if (!box || !paneBox) throw new Error(`no ${name} field`)
    expect(box.x, `${name} starts inside the pane`).toBeGreaterThanOrEqual(paneBox.x)
    expect(box.x + box.width, `${name} ends inside the pane`).toBeLessThanOrEqual(
      paneBox.x + paneBox.width + 1,
    )
  }
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await details.screenshot({ path: test.info().outputPath(`emit-box-other-tab-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })

  // The session's tab closed: the box says so instead of listing the shown tab's (none) as the session's.
  await page.getByRole('button', { name: 'Close Untitled' }).first().click()
  await page.locator('[role="row"][data-sid^="io"]').click()
  await details.getByRole('tab', { name: 'Emit' }).click()
  await expect(details.getByRole('group', { name: 'Saved emits' })).toHaveText(
    'The tab this session was opened from is closed: its saved emits are not listed',
  )
  expect(pageErrors).toEqual([])
})
