import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { expect, test } from './file-page'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * What the page shows is what went over the wire, through the browser host in Chromium: an SSE session's
 * "received" count after the page reloads mid-stream (the replay brings the messages before the reload, live
 * batches the rest: each counted once), and a login cookie the jar refused, said above the exchange's tabs.
 * Screenshots of the cookie note light and dark into the test's output folder.
 */

let sse: SseFixture
let cookies: Server
let cookiesUrl: string
let host: RunningWebHost
let live: ServerResponse | null = null
let written = 0

test.beforeAll(async () => {
  sse = await startSseServer()
  sse.route('/drip', (req, res) => {
    if (req.index > 0) {
      res.writeHead(204).end()
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.flushHeaders()
    live = res
  })
  cookies = createServer((_req, res) => {
    res.setHeader('set-cookie', [`session=${'x'.repeat(5004)}; Path=/; HttpOnly`, 'theme=dark; Path=/'])
    res.end('{"ok":true}')
  })
  await new Promise<void>((resolve) => cookies.listen(0, '127.0.0.1', resolve))
  cookiesUrl = `http://127.0.0.1:${(cookies.address() as AddressInfo).port}`
  host = await startBuiltWebHost(15_000)
})

test.afterAll(async () => {
  await host?.stop()
  await sse?.close()
  await new Promise<void>((resolve) => cookies.close(() => resolve()))
})

/** `n` events, written as the test says (each call one chunk). */
function drip(n: number): void {
  let text = ''
  for (let i = 0; i < n; i++) text += `id: ${written + i}\ndata: {"n":${written + i}}\n\n`
  written += n
  live?.write(text)
}

test('an SSE session counts what the server sent across a reload mid-stream', async ({ page }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1400, height: 860 })
  await page.goto(host.url)
  await page.getByRole('button', { name: 'Details on the right' }).click()
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'SSE' })
  const field = page.getByRole('textbox', { name: 'URL' })
  await field.fill(`${sse.url}/drip`)
  await field.press('Enter')
  await expect.poll(() => live !== null).toBe(true)

  const timeline = page.getByRole('grid', { name: 'Timeline' })
  const row = timeline.locator('[role="row"][data-sid]').filter({ hasText: '/drip' })
  await row.click()
  const details = page.getByRole('region', { name: 'Stream details' })
  // Three chunks, each its own timeline event.
  for (const n of [15, 15, 10]) {
    drip(n)
    await expect(details).toContainText(`↓ ${written} received`)
  }

  await page.reload()
  await row.click()
  await expect(details).toContainText('↓ 40 received')
  drip(60)
  drip(1)
  live?.end()
  await expect(details).toHaveAttribute('data-state', 'closed', { timeout: 15_000 })
  await expect(details).toContainText('↓ 101 received')
  expect(pageErrors).toEqual([])
})

test('a refused login cookie is said above the exchange’s tabs', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 860 })
  await page.goto(host.url)
  await page.getByRole('button', { name: 'Details on the right' }).click()
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'HTTP' })
  const field = page.getByRole('textbox', { name: 'URL' })
  await field.fill(`${cookiesUrl}/login`)
  await field.press('Enter')
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  await timeline.locator('[role="row"][data-sid]').filter({ hasText: '/login' }).click()
  const note = page.getByTestId('cookie-jar-note')
  await expect(note).toContainText('Set-Cookie "session" refused: 5,012 bytes, over 4,096')
  await page.mouse.move(1100, 500)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`cookie-refused-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
})
