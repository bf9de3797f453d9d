import { writeFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { type Locator, type Page } from '@playwright/test'
import { expect, test } from './file-page'
import { checkAnswer, openShop, runFolder, sendForNotSent, shoot, startShop } from './users-eye-steps'
import type { UsersEyeShop } from './users-eye-steps'
import type { RunningWebHost } from './web-host'

/**
 * A new user's fourth pass (1024×700 first, as a Postman user's laptop window): every option in the composer's
 * Options in reach, a stream's reconnects read whole, Esc after opening a run's row brings the runner back, a
 * "Not sent" goes at a GraphQL query's edit, a file body shows the type it will go as. Screenshots, light and
 * dark at 1024×700 and 1440×900, go to each test's output folder.
 */

let shop: UsersEyeShop
let base = ''
let host: RunningWebHost
let root = ''
let tickCalls = 0

/** A file name with RIGHT-TO-LEFT OVERRIDE in it: laid out by the browser it reads `invoiceexe.pdf`. */
const INVOICE = 'invoice\u202efdp.exe'
/** How it should read: the control as its escape, as the CLI prints it. */
const INVOICE_SHOWN = 'invoice\\u202efdp.exe'

function answer(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x')
  if (url.pathname === '/ticks' && url.searchParams.get('n') === '2') {
    if (++tickCalls > 1) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '0' })
      res.end('busy')
      return
    }
  }
  if (url.pathname === '/ticks') {
    // Two events then the end, every time: the stream reconnects until its retries are spent.
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    res.end('retry: 50\n\nid: 1\ndata: one\n\nid: 2\ndata: two\n\n')
    return
  }
  if (url.pathname === '/echo-type') {
    req.resume()
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ 'sent as': req.headers['content-type'] ?? null }))
    return
  }
  if (url.pathname === '/invoice') {
    // A header value holding RLO: Node writes header strings as latin1, so its UTF-8 bytes go as they are.
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-file': Buffer.from(INVOICE).toString('latin1'),
    })
    res.end(JSON.stringify({ file: INVOICE }))
    return
  }
  if (checkAnswer(url, res)) return
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end('{"ok":true}')
}

test.beforeAll(async () => {
  shop = await startShop('users-eye-4', answer, (write) =>
    write('names/invoice.yaml', `name: ${JSON.stringify(INVOICE)}\nmethod: GET\nurl: "{{base}}/invoice"\n`),
  )
  ;({ base, host, root } = shop)
})

test.afterAll(async () => {
  await shop?.stop()
})

const start = (page: Page, width?: number, height?: number): Promise<void> =>
  openShop(page, host, width, height)

/** How far (px) the field's bottom is below the bottom of the composer's scrolled panel; ≤ 0 is in sight. */
async function belowPanel(page: Page, name: string): Promise<number> {
  const field = page.getByRole('region', { name: 'Request' }).getByRole('spinbutton', { name })
  return field.evaluate((el) => {
    const panel = el.closest('.composer-panel')
    if (!panel) return Number.POSITIVE_INFINITY
    return el.getBoundingClientRect().bottom - panel.getBoundingClientRect().bottom
  })
}

test('every option that applies is in sight at 1024×700, and only those, whatever the session type', async ({
  page,
}) => {
  await start(page)
  const composer = page.getByRole('region', { name: 'Request' })
  const option = (name: string) => composer.locator('.options label', { hasText: name })
  // What each session type's request takes: a WebSocket upgrade or a GraphQL operation only the certificate
  // choice, an SSE stream its redirects and headers wait too; HTTP all.
  const applied: Record<string, string[]> = {
    HTTP: [
      'Follow redirects',
      'Accept invalid certificates',
      'Accept server push',
      'Total timeout (ms)',
      'Max body (MB)',
    ],
    SSE: ['Follow redirects', 'Accept invalid certificates', 'Headers timeout (ms)'],
    GraphQL: ['Accept invalid certificates'],
    WebSocket: ['Accept invalid certificates'],
  }
  const every = applied['HTTP'] ?? []
  for (const [kind, shown] of Object.entries(applied)) {
    await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: kind })
    await composer.getByRole('tab', { name: 'Options' }).click()
    for (const name of shown) await expect(option(name), `${kind}: ${name}`).toBeVisible()
    for (const name of every.filter((n) => !shown.includes(n)))
      await expect(option(name), `${kind} leaves out ${name}`).toHaveCount(0)
    // What is left out is said, not silently missing.
    await expect(composer.getByTestId('options-not-applied')).toHaveCount(kind === 'HTTP' ? 0 : 1)
    if (kind === 'HTTP') {
      // In sight without scrolling the composer: a new user does not know the panel scrolls.
      expect(await belowPanel(page, 'Max body (MB)'), kind).toBeLessThanOrEqual(0)
      expect(await belowPanel(page, 'Total timeout (ms)'), kind).toBeLessThanOrEqual(0)
    }
    if (kind === 'SSE') {
      expect(await belowPanel(page, 'Headers timeout (ms)'), kind).toBeLessThanOrEqual(0)
      // The SSE bar is one line, so the composer's tabs keep their room.
      const group = page.getByRole('group', { name: 'SSE options' })
      const bar = await group.boundingBox()
      expect(bar?.height ?? 99).toBeLessThan(40)
      // "Read as" is drawn like the number field beside it, not as the browser's own small grey picker.
      const look = (el: Element) => {
        const c = getComputedStyle(el)
        const h = el.getBoundingClientRect().height
        return { radius: c.borderTopLeftRadius, border: `${c.borderTopWidth} ${c.borderTopColor}`, h }
      }
      const pick = await group.getByRole('combobox').evaluate(look)
      const field = await group.getByRole('spinbutton').evaluate(look)
      expect({ radius: pick.radius, border: pick.border }).toEqual({
        radius: field.radius,
        border: field.border,
      })
      expect(Math.abs(pick.h - field.h)).toBeLessThanOrEqual(3)
      // A POST's reconnect note, off and on, keeps it one line too (it wrapped once "Give up after" came in).
      const method = page.getByRole('combobox', { name: 'Method', exact: true })
      await method.selectOption('POST')
      const reconnect = group.getByRole('checkbox', { name: 'Reconnect' })
      for (const on of [false, true]) {
        await reconnect.setChecked(on)
        await expect(group.getByTestId('reconnect-note')).toContainText(on ? 'On for POST' : 'Off for POST')
        expect(
          (await group.boundingBox())?.height ?? 99,
          `POST, reconnect ${on ? 'on' : 'off'}`,
        ).toBeLessThan(40)
      }
      await method.selectOption('GET')
      await shoot(page, 'sse-options')
    }
  }
  await shoot(page, 'websocket-options')
  // A new tab opens on its own first part (GraphQL's Query), not on the Options this one was left at; back on
  // this one, its Options are still open.
  const open = page.getByRole('tablist', { name: 'Open requests' })
  const parts = page.getByRole('tablist', { name: 'Request parts' })
  const left = open.getByRole('tab', { selected: true })
  const leftName = (await left.getAttribute('aria-label')) ?? ''
  await page.getByRole('button', { name: 'New request tab' }).click()
  await expect(parts.getByRole('tab', { name: 'Params' })).toHaveAttribute('aria-selected', 'true')
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'GraphQL' })
  await expect(parts.getByRole('tab', { name: 'Query' })).toHaveAttribute('aria-selected', 'true')
  await expect(page.getByRole('textbox', { name: 'GraphQL query' })).toBeVisible()
  await open.getByRole('tab', { name: leftName, exact: true }).click()
  await expect(parts.getByRole('tab', { name: 'Options' })).toHaveAttribute('aria-selected', 'true')
})

test('a binary file body shows the type its name will be sent as, and that is what goes', async ({
  page,
}) => {
  await start(page)
  const file = join(root, 'report.pdf')
  writeFileSync(file, '%PDF-1.4 a small file\n')
  const composer = page.getByRole('region', { name: 'Request' })
  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
  await page.getByRole('textbox', { name: 'URL' }).fill(`${base}/echo-type`)
  await composer.getByRole('tab', { name: 'Body' }).click()
  await composer.getByRole('radiogroup', { name: 'Body kind' }).getByText('Binary file').click()
  const type = composer.getByLabel('Content type', { exact: true })
  await expect(type).toHaveAttribute('placeholder', "by the file's name")
  await composer.getByLabel('File path', { exact: true }).fill(file)
  await expect(type).toHaveAttribute('placeholder', 'application/pdf')
  await shoot(page, 'file-body-type')
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const details = page.getByRole('region', { name: 'Details' })
  await expect(details).toContainText(/"sent as":\s*"application\/pdf"/)
  // A name the table does not know: the placeholder says the fallback.
  await composer.getByLabel('File path', { exact: true }).fill(join(root, 'data.fdunknown'))
  await expect(type).toHaveAttribute('placeholder', 'application/octet-stream')
})

test('Esc on an exchange a runner row opened brings the runner back; Esc there puts it aside', async ({
  page,
}) => {
  await start(page)
  await runFolder(page, 'checks')
  const runner = page.getByRole('region', { name: 'Runner' })
  await expect(runner.getByTestId('run-state')).toHaveText('Finished', { timeout: 30_000 })
  const table = runner.getByRole('table', { name: 'Results per request' })
  await table.locator('tr[data-path="checks/check-2.yaml"] td.num').first().click()
  await expect(runner).toBeHidden()
  const details = page.getByRole('region', { name: 'Details' })
  await expect(details).toContainText('/check?n=2')
  // Looking at the response, as a person does, then Esc: back where they came from.
  await details.getByRole('tab', { name: 'Headers' }).click()
  await page.keyboard.press('Escape')
  await expect(runner.getByTestId('run-state')).toHaveText('Finished')
  await expect(runner).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(runner).toBeHidden()
  await expect(page.getByTestId('runner-return')).toBeFocused()
  // Another row chosen on the timeline: Esc there is the timeline's again (the runner stays aside).
  await page.getByTestId('runner-return').click()
  await table.locator('tr[data-path="checks/check-3.yaml"] td.num').first().click()
  await expect(details).toContainText('/check?n=3')
  await page.getByRole('grid', { name: 'Timeline' }).getByRole('row').filter({ hasText: 'n=1' }).click()
  await page.keyboard.press('Escape')
  await expect(runner).toBeHidden()
})

const TYPICAL_QUERY = `query Order($id: ID!, $first: Int) {
  order(id: $id) {
    id
    status
    total
    customer { name email }
    lines(first: $first) {
      sku
      quantity
    }
  }
}`

/** How many of a code editor's lines are drawn whole inside its visible box. */
async function linesInSight(editor: Locator): Promise<number> {
  return editor.evaluate((el) => {
    const box = (el.closest('.cm-scroller') ?? el).getBoundingClientRect()
    const lines = Array.from(el.querySelectorAll('.cm-line'))
    return lines.filter((l) => {
      const r = l.getBoundingClientRect()
      return r.height > 0 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1
    }).length
  })
}

test('a typical GraphQL query is in sight; a "Not sent" goes once the query it was about is edited', async ({
  page,
}) => {
  await start(page)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'GraphQL' })
  await page.getByRole('textbox', { name: 'URL' }).fill(`${base}/graphql`)
  const editor = page.getByRole('textbox', { name: 'GraphQL query' })
  // A typical query (a dozen lines) and its variables are in sight at 1024×700 without dragging the splitter.
  await editor.fill(TYPICAL_QUERY)
  await page.getByRole('textbox', { name: 'GraphQL variables' }).fill('{\n  "id": 1,\n  "first": 5\n}')
  expect(await linesInSight(editor)).toBeGreaterThanOrEqual(TYPICAL_QUERY.split('\n').length)
  expect(await linesInSight(page.getByRole('textbox', { name: 'GraphQL variables' }))).toBe(4)
  await shoot(page, 'graphql-typical-query')
  // A query pasted as one long line reads from its start: the editor wraps it instead of scrolling sideways.
  await editor.fill(`query Long { ${'orders(first: 10) { id status total } '.repeat(4)}}`)
  await page.getByRole('textbox', { name: 'GraphQL variables' }).click()
  const sideways = await editor.evaluate((el) => {
    const scroller = el.closest('.cm-scroller')
    return scroller ? scroller.scrollWidth - scroller.clientWidth : -1
  })
  expect(sideways).toBeLessThanOrEqual(1)
  // The runner opened beside this tall composer keeps Start run in sight, the settings scrolling above it.
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  await sidebar.getByRole('treeitem', { name: 'checks', exact: true }).hover()
  await sidebar.getByRole('button', { name: 'Run checks', exact: true }).click()
  const runner = page.getByRole('region', { name: 'Runner' })
  await expect(runner.getByRole('button', { name: 'Start run' })).toBeInViewport({ ratio: 1 })
  await shoot(page, 'graphql-runner-start')
  await runner.getByRole('button', { name: 'Close' }).click()
  await editor.fill(TYPICAL_QUERY)
  await editor.fill('')
  await editor.click()
  await page.keyboard.type('query Me($id: ID = "{{missing}}") { me }')
  const alert = await sendForNotSent(page)
  await expect(alert).toContainText('missing')
  await shoot(page, 'graphql-not-sent')
  await editor.click()
  await page.keyboard.press('End')
  await page.keyboard.type(' ')
  await expect(alert).toHaveCount(0)
  // A subscription on the default transport (HTTP, which cannot carry it): the bar offers one that can.
  const bar = page.getByRole('group', { name: 'GraphQL options' })
  const offer = bar.getByRole('button', { name: 'Subscribe over WebSocket' })
  await expect(offer).toHaveCount(0)
  await editor.fill('subscription Ticks { count(to: 2) }')
  await offer.click()
  await expect(bar.getByRole('combobox', { name: 'Transport' })).toHaveValue('ws')
  await expect(offer).toHaveCount(0)
})

test("a stream's failed reconnect says why in words read whole at 1024 px", async ({ page }) => {
  await start(page)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'SSE' })
  const field = page.getByRole('textbox', { name: 'URL' })
  // Two events and the end, then 503 for every reconnect.
  tickCalls = 0
  await field.fill(`${base}/ticks?n=2`)
  await page.getByRole('group', { name: 'SSE options' }).getByRole('spinbutton').fill('1')
  await field.press('Enter')
  const details = page.getByRole('region', { name: 'Stream details' })
  await expect(details).toHaveAttribute('data-state', 'failed', { timeout: 15_000 })
  const sep = details.locator('.stream-log-sep[data-attempt="1"]')
  await expect(sep.locator('.sep-result')).toHaveText(
    ' · failed: The server answered 503 Service Unavailable instead of a stream',
  )
  // The outcome ends inside the line's visible box (what follows it may be cut; the title has it all).
  const overshoot = await sep.evaluate((row) => {
    const words = row.querySelector('.sep-words')
    const result = row.querySelector('.sep-result')
    if (!words || !result) return Number.POSITIVE_INFINITY
    return result.getBoundingClientRect().right - words.getBoundingClientRect().right
  })
  expect(overshoot).toBeLessThanOrEqual(0)
  await expect(sep.locator('.sep-text')).toHaveAttribute('title', /\(a stream needs a 2xx response\)/)
  // With the error said above it, the log still has room for 4 rows in the 240 px pane below the timeline.
  await expect(details.getByRole('alert')).toContainText('503 Service Unavailable')
  const rowsOfRoom = await details.evaluate((pane) => {
    const grid = pane.querySelector('.stream-log-rows')
    const row = pane.querySelector('.stream-log-row')
    if (!grid || !row) return 0
    const p = pane.getBoundingClientRect()
    const g = grid.getBoundingClientRect()
    const seen = Math.min(p.bottom, window.innerHeight, g.bottom) - Math.max(p.top, g.top)
    return seen / row.getBoundingClientRect().height
  })
  expect(rowsOfRoom).toBeGreaterThanOrEqual(4)
  await page.mouse.move(1, 1)
  await shoot(page, 'sse-reconnect-failed')
})

test('a bidirectional control in a name, a header or a body is shown as its escape, not obeyed', async ({
  page,
}) => {
  await start(page)
  const item = page
    .getByRole('complementary', { name: 'Collections' })
    .getByRole('treeitem', { name: INVOICE, exact: true })
  await item.click()
  await expect(page.getByRole('textbox', { name: 'URL' })).toHaveValue('{{base}}/invoice')
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const row = page.getByRole('grid', { name: 'Timeline' }).getByRole('row').filter({ hasText: '/invoice' })
  await expect(row).toContainText(INVOICE_SHOWN)
  const details = page.getByRole('region', { name: 'Details' })
  await details.getByRole('tab', { name: 'Headers' }).click()
  await expect(details.getByRole('table', { name: 'Response headers' })).toContainText(INVOICE_SHOWN)
  await details.getByRole('tab', { name: 'Response' }).click()
  await expect(details.locator('.line-viewer')).toContainText(`"file": "${INVOICE_SHOWN}"`)
  await expect(item).toContainText(INVOICE_SHOWN)
  await expect(page.getByRole('tablist', { name: 'Open requests' })).toContainText(INVOICE_SHOWN)
  // Nowhere on screen is the control itself left to reorder what follows it.
  expect(await page.evaluate(() => document.body.innerText.includes('\u202e'))).toBe(false)
  await shoot(page, 'bidi-escapes')
})
