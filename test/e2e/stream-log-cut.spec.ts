import { expect, test } from '@playwright/test'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * A WebSocket flooding past its log's cut, through the browser host in Chromium: the host's stream logs keep 25
 * entries a session (FLIGHTDECK_STREAM_LOG_MAX_ENTRIES), the server sends 300 messages, and the person sees, at
 * the end of the message log and in the session's summary, how many were not kept and why. Screenshots light
 * and dark into the test's output folder.
 */

const WORDS = "276 messages not kept: this session's log is full (25 messages)"

let ws: WsFixture
let host: RunningWebHost

test.beforeAll(async () => {
  ws = await startWsServer()
  host = await startBuiltWebHost(15_000, { env: { FLIGHTDECK_STREAM_LOG_MAX_ENTRIES: '25' } })
})

test.afterAll(async () => {
  await host?.stop()
  await ws?.close()
})

test('a flood past the log cut: the last row and the summary say how many were not kept', async ({
  page,
}) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1400, height: 860 })
  await page.goto(host.url)
  await page.getByRole('button', { name: 'Details on the right' }).click()
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'WebSocket' })
  const field = page.getByRole('textbox', { name: 'URL' })
  await field.fill(`${ws.url}/flood?n=300&size=24`)
  await field.press('Enter')

  const timeline = page.getByRole('grid', { name: 'Timeline' })
  await timeline.locator('[role="row"][data-sid^="w"]').click()
  const details = page.getByRole('region', { name: 'Stream details' })
  await expect(details).toHaveAttribute('data-state', 'closed', { timeout: 15_000 })
  await expect(details.getByTestId('summary-log-cut')).toHaveText(` · ${WORDS}`)
  const log = details.getByRole('grid', { name: 'Messages' })
  // The 25 kept, then the cut.
  await expect(log).toHaveAttribute('aria-rowcount', '26')
  const cut = log.getByTestId('log-cut')
  await expect(cut).toHaveText(WORDS)
  await expect(cut).toHaveAttribute('aria-rowindex', '26')
  await expect(cut).toBeInViewport()

  // Off the timeline, whose bar shows its phases while hovered.
  await page.mouse.move(1100, 300)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`stream-log-cut-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  expect(pageErrors).toEqual([])
})
