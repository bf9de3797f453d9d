import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Page } from '@playwright/test'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'
import { expect, test } from './file-page'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * Streams through the browser host in Chromium: an SSE stream (an LLM-style answer, assembled) and a WebSocket
 * session side by side with two HTTP requests on one timeline; messages sent and received appear in order in
 * the log; a screenshot for the README.
 */

let http: Fixture
let sse: SseFixture
let ws: WsFixture
let host: RunningWebHost

test.beforeAll(async () => {
  http = await startHttpServer()
  sse = await startSseServer()
  ws = await startWsServer()
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await ws?.close()
  await sse?.close()
  await http?.close()
})

/** The bits of a log row the in-page reader touches (this tsconfig has no DOM lib). */
interface CellRow {
  querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>
}

async function open(page: Page, mode: 'HTTP' | 'SSE' | 'WebSocket', url: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: mode })
  const field = page.getByRole('textbox', { name: 'URL' })
  await field.fill(url)
  await field.press('Enter')
}

test('an SSE stream and a WebSocket beside two HTTP requests, messages in order', async ({ page }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1400, height: 860 })
  // The picture: the composer at its floor (as if dragged there; an HTTP tab is sized from the window), so the
  // stream's pane on the right is tall enough for its whole message log.
  await page.addInitScript(() => localStorage.setItem('flightdeck.pane.composer', '210'))
  await page.goto(host.url)
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  const rows = timeline.getByRole('row')
  await page.getByRole('button', { name: 'Details on the right' }).click()

  await open(page, 'HTTP', `${http.url}/delay?ms=300`)
  // An LLM answer ends with the stream: no reconnect (the default follows EventSource and would reconnect).
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'SSE' })
  await page
    .getByRole('group', { name: 'SSE options' })
    .getByRole('checkbox', { name: 'Reconnect' })
    .uncheck()
  await open(page, 'SSE', `${sse.url}/llm?n=40&every=80`)
  await open(page, 'WebSocket', `${ws.url}/echo`)
  await open(page, 'HTTP', `${http.url}/delay?ms=900`)
  await expect(rows).toHaveCount(4)

  // The WebSocket lane: open it, send three messages of different kinds, see them echoed in order.
  const wsRow = timeline.locator('[role="row"][data-sid^="w"]')
  await wsRow.click()
  const details = page.getByRole('region', { name: 'Stream details' })
  await expect(details).toHaveAttribute('data-state', 'open')
  // The empty log of an open WebSocket says where to send from, one click away.
  await details.getByRole('button', { name: 'send one from the Send tab' }).click()
  await expect(details.getByRole('tab', { name: 'Send' })).toHaveAttribute('aria-selected', 'true')
  const box = details.getByRole('textbox', { name: 'Message to send' })
  await box.fill('hello')
  await details.getByRole('button', { name: 'Send', exact: true }).click()
  await details.locator('label.segment', { hasText: 'JSON' }).click()
  await box.fill('{"op":"subscribe","topics":["a","b"]}')
  await details.getByRole('button', { name: 'Save message' }).click()
  await details.getByRole('button', { name: 'Send', exact: true }).click()
  await details.locator('label.segment', { hasText: 'Hex' }).click()
  await box.fill('de ad be ef')
  await details.getByRole('button', { name: 'Send', exact: true }).click()

  const log = details.getByRole('grid', { name: 'Messages' })
  const logRows = log.getByRole('row')
  await expect(logRows).toHaveCount(6)
  const readSummary = async (): Promise<string[]> => {
    const lines = await logRows.evaluateAll((els) =>
      (els as unknown as CellRow[]).map((el) =>
        Array.from(el.querySelectorAll('[role="gridcell"]')).map((c) => c.textContent ?? ''),
      ),
    )
    return lines.map((cells) => `${cells[1]} ${cells[2]} ${cells[4]}`)
  }
  // A row is drawn at once and filled when its entry has been read from the engine: wait for all six.
  await expect
    .poll(async () => (await readSummary()).filter((l) => l.startsWith('↑') || l.startsWith('↓')).length)
    .toBe(6)
  const summary = await readSummary()
  // Each message is logged when it is sent, its echo after it; the three go out in the order they were sent.
  expect(summary.filter((l) => l.startsWith('↑'))).toEqual([
    '↑ text hello',
    '↑ text {"op":"subscribe","topics":["a","b"]}',
    '↑ binary de ad be ef',
  ])
  expect(summary.filter((l) => l.startsWith('↓'))).toEqual([
    '↓ text hello',
    '↓ text {"op":"subscribe","topics":["a","b"]}',
    '↓ binary de ad be ef',
  ])
  expect(summary[0]).toBe('↑ text hello')
  expect(ws.received.slice(0, 2)).toEqual(['hello', '{"op":"subscribe","topics":["a","b"]}'])
  // The saved message is kept for this URL.
  await expect(details.getByRole('list', { name: 'Saved messages' }).getByRole('listitem')).toHaveCount(1)
  // A binary message opens as a hex dump.
  await logRows.filter({ hasText: 'binary' }).last().click()
  await expect(details.getByLabel('Message data')).toContainText('00000000  de ad be ef')

  // The SSE lane: its log fills in order and the assemble view reads the answer.
  const sseRow = timeline.locator('[role="row"][data-sid^="e"]')
  await sseRow.click()
  const sseDetails = page.getByRole('region', { name: 'Stream details' })
  // The log follows the stream: the rows on screen are consecutive events, oldest first.
  const sseLog = sseDetails.getByRole('grid', { name: 'Messages' })
  await expect(sseLog.getByRole('row')).not.toHaveCount(0)
  // A row is drawn at once ("…") and filled when its entry has been read from the engine: wait for them.
  const readWords = async (): Promise<number[]> => {
    const words = await sseLog
      .getByRole('row')
      .evaluateAll((els) => els.map((el) => /"content":"w(\d+) "/.exec(el.textContent ?? '')?.[1] ?? null))
    return words.filter((w): w is string => w !== null).map(Number)
  }
  const filled = (n: number[]): boolean => n.length > 2 && n.every((v, i) => v === (n[0] ?? 0) + i)
  await expect.poll(async () => filled(await readWords())).toBe(true)
  const nums = await readWords()
  expect(nums).toEqual(nums.map((_, i) => (nums[0] ?? 0) + i))
  await sseDetails.getByRole('tab', { name: 'Assemble' }).click()
  const text = sseDetails.getByLabel('Assembled text')
  await expect(text).toContainText('w0 w1 w2 w3')
  await expect(sseDetails.getByTestId('ttft')).toHaveText(/\d+(\.\d+)? (ms|s)/)
  // Its figures sit beside their labels, as in every details pane (they were drawn at the pane's far right).
  const ttftGap = await sseDetails.getByTestId('ttft').evaluate((value) => {
    const text = document.createRange()
    text.selectNodeContents(value)
    return (
      text.getBoundingClientRect().left - (value.previousElementSibling?.getBoundingClientRect().right ?? 0)
    )
  })
  expect(ttftGap).toBeLessThan(80)

  // Both HTTP requests finished on the same timeline while the streams were live.
  await expect(timeline.locator('[role="row"][data-sid^="s"][data-state="done"]')).toHaveCount(2)
  // Leave the WebSocket selected with its log for the screenshot, the SSE still streaming beside it.
  await wsRow.click()
  await page.getByRole('region', { name: 'Stream details' }).getByRole('tab', { name: 'Send' }).click()
  await page.waitForTimeout(300)
  await page.screenshot({ path: docsPicture('streams.png') })

  // The SSE stream ends by itself ([DONE] then the server closes); the WebSocket closes with a code and reason.
  await expect(sseRow).toHaveAttribute('data-state', 'done', { timeout: 15_000 })
  await sseRow.click()
  await page.getByRole('region', { name: 'Stream details' }).getByRole('tab', { name: 'Assemble' }).click()
  await expect(page.getByLabel('Assembled text')).toHaveText(
    Array.from({ length: 40 }, (_, i) => `w${i} `).join(''),
  )
  await wsRow.click()
  const wsDetails = page.getByRole('region', { name: 'Stream details' })
  await wsDetails.getByRole('tab', { name: 'Send' }).click()
  await wsDetails.getByRole('spinbutton', { name: 'Close code' }).fill('4001')
  await wsDetails.getByRole('textbox', { name: 'Close reason' }).fill('bye')
  await wsDetails.getByRole('button', { name: 'Close with code' }).click()
  await expect(wsRow).toHaveAttribute('data-state', 'done')
  await expect.poll(() => ws.closes).toContainEqual({ code: 4001, reason: 'bye' })
  expect(pageErrors).toEqual([])
})

test('a saved WebSocket request opens with its collection variables and auth; its messages live in its file', async ({
  page,
}) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const dir = mkdtempSync(join(tmpdir(), 'fd-e2e-ws-coll-'))
  const configDir = mkdtempSync(join(tmpdir(), 'fd-e2e-ws-config-'))
  writeFileSync(
    join(dir, 'collection.yaml'),
    'flightdeck: 1\nname: chat-api\nvariables:\n  room: lobby\nauth:\n  type: bearer\n  token: "{{token}}"\n',
  )
  mkdirSync(join(dir, 'environments'))
  writeFileSync(
    join(dir, 'environments', 'local.yaml'),
    `name: Local\nvariables:\n  wsBase: ${ws.url}\n  token: e2e-token\n`,
  )
  writeFileSync(
    join(dir, 'chat.yaml'),
    'name: Chat room\nkind: ws\nmethod: GET\nurl: "{{wsBase}}/echo?room={{room}}"\n' +
      'messages:\n  - name: join\n    text: \'{"join":"{{room}}"}\'\n',
  )
  const collHost = await startBuiltWebHost(15_000, {
    args: ['--collections', dir],
    env: { FLIGHTDECK_CONFIG_DIR: configDir },
  })
  try {
    await page.setViewportSize({ width: 1400, height: 860 })
    await page.goto(collHost.url)
    await page.getByRole('combobox', { name: 'Environment' }).selectOption({ label: 'Local' })
    const sidebar = page.getByRole('complementary', { name: 'Collections' })
    await sidebar.getByRole('treeitem', { name: 'Chat room' }).click()
    await expect(page.getByRole('combobox', { name: 'Session type' })).toHaveValue('ws')
    const upgrades = ws.upgrades.length
    await page.getByRole('textbox', { name: 'URL' }).press('Enter')

    // The server saw the resolved URL and the collection's bearer; the row says WS.
    const wsRow = page.getByRole('grid', { name: 'Timeline' }).locator('[role="row"][data-sid^="w"]')
    await expect(wsRow).toHaveCount(1)
    // The Method column is optional now; the row's name says WS either way.
    await expect(wsRow).toHaveAttribute('aria-label', /^WS /)
    await expect.poll(() => ws.upgrades.length).toBe(upgrades + 1)
    expect(ws.upgrades.at(-1)?.path).toBe('/echo?room=lobby')
    expect(ws.upgrades.at(-1)?.headers['authorization']).toBe('Bearer e2e-token')

    // The file's saved message is offered, and sends resolved.
    await wsRow.click()
    const details = page.getByRole('region', { name: 'Stream details' })
    await expect(details).toHaveAttribute('data-state', 'open')
    await details.getByRole('tab', { name: 'Send' }).click()
    const saved = details.getByRole('list', { name: 'Saved messages' })
    await expect(saved.getByRole('listitem')).toHaveCount(1)
    await details.getByRole('button', { name: 'Send saved message join' }).click()
    await expect.poll(() => ws.received).toContain('{"join":"lobby"}')

    // A new saved message goes into the request: Ctrl+S writes it to chat.yaml.
    await details.getByRole('textbox', { name: 'Message to send' }).fill('leave {{room}}')
    await details.getByRole('textbox', { name: 'Name for the saved message' }).fill('leave')
    await details.getByRole('button', { name: 'Save message' }).click()
    await expect(saved.getByRole('listitem')).toHaveCount(2)
    await expect(details.getByRole('heading', { name: 'Saved messages (2)' })).toBeVisible()
    await expect(details.getByText('in chat.yaml', { exact: true })).toBeVisible()
    await page.screenshot({ path: join(tmpdir(), 'fd-streams-vars.png') })
    await page.keyboard.press('Control+s')
    await expect
      .poll(() => readFileSync(join(dir, 'chat.yaml'), 'utf8'))
      .toContain('  - name: leave\n    text: leave {{room}}\n')
    expect(pageErrors).toEqual([])
  } finally {
    await collHost.stop()
    rmSync(dir, { recursive: true, force: true })
    rmSync(configDir, { recursive: true, force: true })
  }
})
