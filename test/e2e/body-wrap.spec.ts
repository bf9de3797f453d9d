import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Locator, type Page } from '@playwright/test'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { expect, test } from './file-page'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * A 300-character line in the response viewer: with Wrap on it is read whole inside the pane (no sideways
 * scrolling), with Wrap off it is reached by scrolling sideways; the choice survives a reload.
 */

let server: Fixture
let host: RunningWebHost | null = null
/** Serves /long-lines: 3,000 lines of about 300 characters, each ending in `END-<n>`. */
let lines: Server
let linesUrl = ''

test.beforeAll(async () => {
  server = await startHttpServer()
  lines = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
    for (let i = 1; i <= 3000; i++) res.write(`line ${i} ${'y'.repeat(280)} END-${i}\n`)
    res.end()
  })
  await new Promise<void>((resolve) => lines.listen(0, '127.0.0.1', resolve))
  linesUrl = `http://127.0.0.1:${(lines.address() as AddressInfo).port}/long-lines`
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await new Promise((resolve) => lines?.close(resolve))
  await host?.stop()
  await server?.close()
})

const LONG = `${'x'.repeat(289)}END-OF-LINE`

/**
 * Every line the response viewer shows has arrived: the body is indexed to its end (its line count has no
 * trailing '…') and no row on screen is still a placeholder waiting for its page. Nothing more comes after this
 * unless the view moves, so what is on screen then is where it settled.
 */
async function allLinesArrived(page: Page): Promise<void> {
  const details = page.getByRole('region', { name: 'Details' })
  await expect(details.getByText(/^[\d,]+ lines$/)).toBeVisible()
  await expect(page.getByRole('list', { name: 'Response body' }).locator('.line > .muted')).toHaveCount(0)
}

test.use({ permissions: ['clipboard-read', 'clipboard-write'] })

async function sendLongLine(page: Page): Promise<void> {
  await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/echo`)
  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
  await page.getByRole('tab', { name: /^Body/ }).click()
  await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('JSON', { exact: true }).click()
  await page.getByRole('textbox', { name: 'Body JSON' }).fill(JSON.stringify({ note: LONG }))
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect(page.getByRole('list', { name: 'Response body' })).toContainText('"method"')
  // Bring the long line into view, wherever the pane is, with the body's own search.
  const search = page.getByRole('searchbox', { name: 'Search in body' })
  await search.fill('END-OF-LINE')
  await search.press('Enter')
}

/**
 * The rows showing the line that holds `END-OF-LINE`: its numbered row and the wrapped rows after it, with
 * where each row's text starts and ends on screen, and the list's box.
 */
const longLineRows = (page: Page): Promise<{ texts: string[]; left: number; right: number; box: number[] }> =>
  page.evaluate(`(() => {
    const list = document.querySelector('[aria-label="Response body"]')
    const rows = [...list.querySelectorAll('.line')].sort(
      (a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
    const end = rows.findIndex((r) => r.textContent.includes('END-OF-LINE'))
    let start = end
    while (start > 0 && rows[start].classList.contains('cont')) start--
    const mine = rows.slice(start, end + 1)
    const ranges = mine.map((r) => { const g = document.createRange(); g.selectNodeContents(r); return g.getBoundingClientRect() })
    const b = list.getBoundingClientRect()
    return {
      texts: mine.map((r) => r.textContent),
      left: Math.min(...ranges.map((g) => g.left)),
      right: Math.max(...ranges.map((g) => g.right)),
      box: [b.left, b.right, list.clientWidth, list.scrollWidth],
    }
  })()`)

test('Wrap shows a 300-character line whole; without it the line scrolls sideways; the choice is remembered', async ({
  page,
}) => {
  if (!host) throw new Error('no host')
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(host.url)
  // A tall pane to read in (below the timeline at 900 px it shows only a few lines), the composer set at
  // 210px (a plain GET's 160 px and 50 more, kept once the JSON body is written).
  await page.getByRole('button', { name: 'Details on the right' }).click()
  const composerSplit = page.getByRole('separator', { name: 'Resize composer' })
  await composerSplit.focus()
  await page.keyboard.press('Shift+ArrowDown')
  await expect(composerSplit).toHaveAttribute('aria-valuenow', '210')
  await sendLongLine(page)
  const details = page.getByRole('region', { name: 'Details' })
  const wrap = details.getByRole('button', { name: 'Wrap', exact: true })
  const body = page.getByRole('list', { name: 'Response body' })
  await expect(wrap).toHaveAttribute('aria-pressed', 'false')

  // Off: one row, wider than the pane; scrolled sideways its end comes into the box.
  await expect(body.getByText(/END-OF-LINE/)).toBeAttached()
  const off = await longLineRows(page)
  expect(off.texts).toHaveLength(1)
  const [boxLeft = 0, boxRight = 0] = off.box
  expect(off.right).toBeGreaterThan(boxRight)
  await body.evaluate((el, by) => (el.scrollLeft = by), off.right - boxRight + 40)
  const scrolled = await longLineRows(page)
  expect(scrolled.right).toBeLessThanOrEqual(boxRight)
  expect(scrolled.right).toBeGreaterThan(boxLeft)

  // On: several rows, each inside the pane, nothing to scroll sideways, and together the whole line.
  await wrap.click()
  await expect(wrap).toHaveAttribute('aria-pressed', 'true')
  await expect.poll(async () => (await longLineRows(page)).texts.length).toBeGreaterThan(1)
  const on = await longLineRows(page)
  const [left = 0, right = 0, clientWidth = 0, scrollWidth = 0] = on.box
  expect(on.left).toBeGreaterThanOrEqual(left)
  expect(on.right).toBeLessThanOrEqual(right)
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth)
  expect(on.texts.join('')).toContain(LONG)
  expect(on.texts.join('')).not.toContain('…')
  await expect(body.getByText(/END-OF-LINE/)).toBeInViewport()

  // Selected with the mouse's reach (from the line's first row to its last) and copied: one line, as sent.
  await page.evaluate(`(() => {
    const rows = [...document.querySelectorAll('[aria-label="Response body"] .line')]
    const end = rows.findIndex((r) => r.textContent.includes('END-OF-LINE'))
    let start = end
    while (start > 0 && rows[start].classList.contains('cont')) start--
    const range = document.createRange()
    range.setStart(rows[start], 0)
    range.setEnd(rows[end], rows[end].childNodes.length)
    getSelection().removeAllRanges()
    getSelection().addRange(range)
  })()`)
  await page.keyboard.press('Control+c')
  await expect
    .poll(() => page.evaluate('navigator.clipboard.readText()') as Promise<string>)
    .toContain(`${LONG}\\"}`)
  expect(await page.evaluate('navigator.clipboard.readText()')).not.toContain('\n')

  // After a reload the next body opens wrapped.
  await page.reload()
  await sendLongLine(page)
  await expect(wrap).toHaveAttribute('aria-pressed', 'true')
  await expect.poll(async () => (await longLineRows(page)).texts.join('')).toContain(LONG)
})

/** The 3,000 long lines sent and shown wrapped, the details on the right; the first line has arrived. */
async function openWrappedLines(page: Page): Promise<{ details: Locator; body: Locator; wrap: Locator }> {
  if (!host) throw new Error('no host')
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(host.url)
  await page.getByRole('button', { name: 'Details on the right' }).click()
  await page.getByRole('textbox', { name: 'URL' }).fill(linesUrl)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const details = page.getByRole('region', { name: 'Details' })
  const body = page.getByRole('list', { name: 'Response body' })
  await expect(body).toContainText('END-1')
  const wrap = details.getByRole('button', { name: 'Wrap', exact: true })
  if ((await wrap.getAttribute('aria-pressed')) !== 'true') await wrap.click()
  await expect(body.locator('.line.cont').first()).toBeAttached()
  return { details, body, wrap }
}

test('wrapped, a search hit deep in a long body stays in view while the lines around it arrive', async ({
  page,
}) => {
  const { details, body } = await openWrappedLines(page)
  const search = details.getByRole('searchbox', { name: 'Search in body' })
  await search.fill('END-2500')
  await search.press('Enter')
  const hit = body.locator('mark', { hasText: 'END-2500' })
  await expect(hit).toBeInViewport()
  // The pages of lines above the hit arrive wrapped (several rows each): the hit must not be pushed away.
  await allLinesArrived(page)
  await expect(hit).toBeInViewport()
})

test('wrapped, a line scrolled to by hand stays at the top while the lines around it arrive', async ({
  page,
}) => {
  const { body, wrap } = await openWrappedLines(page)
  // The number of the line at the list's top edge (the row there, or the line that row continues: the one
  // before the next line's first row). A line whose page has not arrived yet shows its number and a
  // placeholder, one row tall until its text comes and wraps.
  const topLine = (): Promise<number> =>
    page.evaluate(`(() => {
      const list = document.querySelector('[aria-label="Response body"]')
      const top = list.getBoundingClientRect().top
      const rows = [...list.querySelectorAll('.line')].sort(
        (a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
      const at = rows.findIndex((r) => r.getBoundingClientRect().bottom > top + 0.5)
      if (at < 0) return 0
      if (!rows[at].classList.contains('cont')) return Number(rows[at].getAttribute('data-n'))
      const next = rows.slice(at).find((r) => !r.classList.contains('cont'))
      return next ? Number(next.getAttribute('data-n')) - 1 : 0
    })()`) as Promise<number>
  await expect.poll(topLine).toBeGreaterThan(0)
  const before = await topLine()
  // Scrolled by hand 20,000 px into lines not loaded yet: the line at the top is the same once their pages
  // (the long lines, several rows each where they counted one) and every other have arrived.
  await body.evaluate((el) => (el.scrollTop = el.scrollTop + 20_000))
  // The list draws the scroll on its next frame: read the top line once it shows the new place, not the old.
  await expect.poll(topLine).toBeGreaterThan(before + 100)
  const first = await topLine()
  await allLinesArrived(page)
  await expect(body).toContainText(`END-${first} `)
  expect(await topLine()).toBe(first)
  // Wrap switched off and on again (every line one row, then several): the line being read stays at the top.
  for (const pressed of ['false', 'true']) {
    await wrap.click()
    await expect(wrap).toHaveAttribute('aria-pressed', pressed)
    if (pressed === 'true') await expect(body.locator('.line.cont').first()).toBeAttached()
    else await expect(body.locator('.line.cont')).toHaveCount(0)
    await expect.poll(topLine, `Wrap ${pressed === 'true' ? 'on' : 'off'}`).toBe(first)
  }
})

test('Wrap turned on or off keeps a body search hit in view', async ({ page }) => {
  const { details, body, wrap } = await openWrappedLines(page)
  await allLinesArrived(page)
  // A shorter pane: a wrapped line here (eight rows) is half of what the list shows.
  await page.setViewportSize({ width: 1440, height: 760 })
  await wrap.click()
  await expect(wrap).toHaveAttribute('aria-pressed', 'false')
  const search = details.getByRole('searchbox', { name: 'Search in body' })
  // The hit at its line's end: unwrapped, that is out of sight sideways; its line is in view.
  await search.fill('END-2500')
  await search.press('Enter')
  const line = body.locator('.line[data-n="2500"]')
  await expect(line).toBeInViewport()
  // Wrapped, the line takes eight rows, the hit on the last: the hit is what stays in view, not the line's start.
  await wrap.click()
  await expect(body.locator('.line.cont').first()).toBeAttached()
  await expect(body.locator('mark', { hasText: 'END-2500' })).toBeInViewport()
  await wrap.click()
  await expect(body.locator('.line.cont')).toHaveCount(0)
  await expect(line).toBeInViewport()
})
