import { type Page } from '@playwright/test'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { expect, test } from './file-page'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * Stream sessions a person can inspect, through the browser host in Chromium: an SSE stream that ends after
 * two events with ids, is reconnected with Last-Event-ID and is then told to stop with 204 No Content shows a
 * separator per reconnect in its message log, every attempt in its Handshake tab, and the stream's 200 as its
 * row's status; an OpenAI-style stream with the OpenAI preset shows each message's piece in the message list.
 * Pictures of the log and the Handshake tab, light and dark, for docs/streams.md.
 */

let sse: SseFixture
let host: RunningWebHost

test.beforeAll(async () => {
  sse = await startSseServer()
  // By the Last-Event-ID sent: none, two events (ids 1, 2) and the end, with a reconnection time of 1.5 s; 2,
  // two more and the end; 4, 204 No Content (EventSource's "stop reconnecting").
  sse.route('/resumable', (req, res) => {
    const last = req.headers['last-event-id']
    if (last === '4') {
      res.writeHead(204).end()
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    const from = last === '2' ? 2 : 0
    const event = (i: number): string =>
      `id: ${i}\nevent: price\ndata: {"symbol":"FD","price":${100 + i}}\n\n`
    res.end(`${from === 0 ? 'retry: 1500\n\n' : ''}${event(from + 1)}${event(from + 2)}`)
  })
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await sse?.close()
})

/** The bits of a row the in-page reader touches (this tsconfig has no DOM lib). */
interface CellRow {
  className: string
  textContent: string | null
}

async function openSse(page: Page, url: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'SSE' })
  const field = page.getByRole('textbox', { name: 'URL' })
  await field.fill(url)
  await field.press('Enter')
}

test('reconnects are inspectable: separators in the log, every attempt in Handshake, the row says 200', async ({
  page,
}) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(host.url)
  await page.getByRole('button', { name: 'Details on the right' }).click()
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  const before = sse.requests.length

  await openSse(page, `${sse.url}/resumable`)
  const row = timeline.locator('[role="row"][data-sid^="e"]')
  await expect(row).toHaveAttribute('data-state', 'done', { timeout: 15_000 })
  // The stream's status, not the last attempt's 204.
  await expect(row.locator('.c-status')).toHaveText('200')
  expect(sse.requests.slice(before).map((r) => r.headers['last-event-id'])).toEqual([undefined, '2', '4'])

  await row.click()
  const details = page.getByRole('region', { name: 'Stream details' })
  const log = details.getByRole('grid', { name: 'Messages' })
  const logRows = log.getByRole('row')
  await expect(logRows).toHaveCount(6)
  const lines = await logRows.evaluateAll((els) =>
    (els as unknown as CellRow[]).map((el) =>
      el.className.includes('stream-log-sep') ? `-- ${el.textContent ?? ''}` : (el.textContent ?? ''),
    ),
  )
  expect(lines.map((l) => (l.startsWith('--') ? l : /"price":(\d+)/.exec(l)?.[1]))).toEqual([
    '101',
    '102',
    '-- Reconnect #1 · sent Last-Event-ID 2 · after: The server ended the stream · waited 1.5 s',
    '103',
    '104',
    // What came of a reconnect that is not a plain 200 comes first: a narrow pane cuts the line's end.
    '-- Reconnect #2 · 204 No Content · sent Last-Event-ID 4 · after: The server ended the stream · waited 1.5 s',
  ])
  // A filter shows matches only: no separators there.
  await details.getByRole('searchbox', { name: 'Search messages' }).fill('price')
  await expect(details.getByText('4 matches')).toBeVisible()
  await expect(log.locator('.stream-log-sep')).toHaveCount(0)
  await details.getByRole('searchbox', { name: 'Search messages' }).fill('')
  await expect(log.locator('.stream-log-sep')).toHaveCount(2)
  await logRows.nth(3).click()
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.waitForTimeout(150)
    await page.screenshot({
      path: docsPicture(scheme === 'light' ? 'stream-reconnects.png' : 'stream-reconnects-dark.png'),
    })
  }

  await details.getByRole('tab', { name: 'Handshake' }).click()
  const attempts = details.getByRole('table', { name: 'Connection attempts' })
  const attemptRows = attempts.locator('tbody.attempt')
  await expect(attemptRows).toHaveCount(3)
  const cells = await attemptRows.evaluateAll((els) =>
    (els as unknown as { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> }[]).map(
      (el) => Array.from(el.querySelectorAll('td')).map((c) => c.textContent ?? ''),
    ),
  )
  // Each attempt: #, time, status, Last-Event-ID, TTFB, then how it ended on a line of its own.
  expect(cells.map((c) => [c[0], c[2], c[3], c[6]?.replace(/^↳ /, '')])).toEqual([
    ['first', '200 OK', 'none', 'The server ended the stream'],
    ['#1', '200 OK', '2', 'The server ended the stream'],
    ['#2', '204 No Content', '4', 'The server answered 204 No Content: it asks the client not to reconnect'],
  ])
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.waitForTimeout(150)
    await page.screenshot({
      path: docsPicture(
        scheme === 'light' ? 'stream-reconnects-handshake.png' : 'stream-reconnects-handshake-dark.png',
      ),
    })
  }
  await page.emulateMedia({ colorScheme: 'light' })

  // A reload brings the attempts back from the engine: the separators and the attempt list return.
  await page.reload()
  await expect(row.locator('.c-status')).toHaveText('200')
  await row.click()
  await expect(log.locator('.stream-log-sep')).toHaveCount(2)
  await expect(log.locator('.stream-log-sep').first()).toContainText('sent Last-Event-ID 2')
  await details.getByRole('tab', { name: 'Handshake' }).click()
  await expect(attemptRows).toHaveCount(3)
  expect(pageErrors).toEqual([])
})

test('with the OpenAI preset in Assemble, the message list shows each message’s piece', async ({ page }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(host.url)
  await page.getByRole('button', { name: 'Details on the right' }).click()
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'SSE' })
  await page
    .getByRole('group', { name: 'SSE options' })
    .getByRole('checkbox', { name: 'Reconnect' })
    .uncheck()
  await openSse(page, `${sse.url}/llm?n=5&every=10`)
  // By its name: the first test's stream comes back with the timeline, before or after this one.
  const row = page
    .getByRole('grid', { name: 'Timeline' })
    .locator('[role="row"][data-sid^="e"]')
    .filter({ hasText: '/llm' })
  await expect(row).toHaveAttribute('data-state', 'done', { timeout: 15_000 })
  await row.click()
  const details = page.getByRole('region', { name: 'Stream details' })
  await details.getByRole('tab', { name: 'Assemble' }).click()
  await details.getByRole('combobox', { name: 'Assemble preset' }).selectOption({ label: 'OpenAI' })
  await expect(details.getByLabel('Assembled text')).toHaveText('w0 w1 w2 w3 w4 ')
  await details.getByRole('tab', { name: 'Messages' }).click()
  const data = details.getByRole('grid', { name: 'Messages' }).locator('.c-data')
  await expect(data).toHaveCount(6)
  expect(await data.allTextContents()).toEqual(['w0 ', 'w1 ', 'w2 ', 'w3 ', 'w4 ', '[DONE]'])
  // [DONE] has no piece: its envelope, dimmed.
  await expect(data.last()).toHaveClass(/envelope/)
  // The selected message's full view still shows the whole message.
  await details.getByRole('grid', { name: 'Messages' }).getByRole('row').first().click()
  await expect(details.getByLabel('Message data')).toContainText('"content": "w0 "')
  // And the envelopes are one click away.
  await details.getByRole('button', { name: 'Show whole messages' }).click()
  await expect(data.first()).toContainText('{"choices"')
  expect(pageErrors).toEqual([])
})
