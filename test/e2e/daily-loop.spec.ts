import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Page } from '@playwright/test'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { expect, test } from './file-page'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * The everyday loop of an API client, driven by visible names: paste a curl and send it, copy the request
 * out as code, open a curl from Import → Paste without any collection. What matters is checked at the server.
 */

let server: Fixture
let configDir: string
let host: RunningWebHost | null = null

test.beforeAll(async () => {
  server = await startHttpServer()
  configDir = mkdtempSync(join(tmpdir(), 'fd-e2e-daily-'))
  host = await startBuiltWebHost(15_000, { env: { FLIGHTDECK_CONFIG_DIR: configDir } })
})

test.afterAll(async () => {
  await host?.stop()
  await server?.close()
  rmSync(configDir, { recursive: true, force: true })
})

/*
 * Page-side code is passed as text: this file is typechecked without the DOM library (it runs in Node), and
 * these few lines run in the page.
 */

/** What a Ctrl/Cmd+V delivers to the focused element: a paste event carrying the text. */
async function pasteInto(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector).focus()
  await page.evaluate(`(() => {
    const data = new DataTransfer()
    data.setData('text/plain', ${JSON.stringify(text)})
    const event = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })
    document.querySelector(${JSON.stringify(selector)}).dispatchEvent(event)
  })()`)
}

const readClipboard = (page: Page): Promise<string> =>
  page.evaluate('navigator.clipboard.readText()') as Promise<string>
const writeClipboard = (page: Page, text: string): Promise<unknown> =>
  page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(text)})`)
const selectedText = (page: Page): Promise<string> =>
  page.evaluate('String(window.getSelection() ?? "")') as Promise<string>

test('a curl pasted into the URL field becomes the request, and sends what it said', async ({ page }) => {
  if (!host) throw new Error('no host')
  await page.goto(host.url)
  const curl =
    `curl -X PUT '${server.url}/echo?from=paste' -H 'X-Trace: t-42' ` +
    `-H 'Content-Type: application/json' -u ann:s3cret --data-raw '{"name":"Ann"}'`
  await pasteInto(page, 'input[aria-label="URL"]', curl)
  await expect(page.getByRole('textbox', { name: 'URL' })).toHaveValue(`${server.url}/echo?from=paste`)
  await expect(page.getByRole('combobox', { name: 'Method', exact: true })).toHaveValue('PUT')

  const before = server.requests.length
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => server.requests.length).toBeGreaterThan(before)
  const got = server.requests[before]
  expect(got?.method).toBe('PUT')
  expect(got?.url).toBe('/echo?from=paste')
  expect(got?.headers['x-trace']).toBe('t-42')
  expect(got?.headers['content-type']).toMatch(/application\/json/)
  expect(got?.headers['authorization']).toBe(`Basic ${Buffer.from('ann:s3cret').toString('base64')}`)
  expect(JSON.parse(got?.body.toString('utf8') ?? '')).toEqual({ name: 'Ann' })
})

test('Code works on an unsaved request and keeps its JSON type', async ({ page }) => {
  if (!host) throw new Error('no host')
  await page.goto(host.url)
  await page.getByRole('button', { name: 'New request tab' }).click()
  await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/echo`)
  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
  await page.getByRole('tab', { name: /^Body/ }).click()
  await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('JSON', { exact: true }).click()
  await page.getByRole('textbox', { name: 'Body JSON' }).fill('{"a":1}')
  await page.getByRole('button', { name: 'Code', exact: true }).click()
  const snippet = page.getByRole('textbox', { name: 'Snippet' })
  await expect(snippet).toHaveValue(/curl/)
  await expect(snippet).toHaveValue(/content-type: application\/json/i)
  await expect(snippet).toHaveValue(/\{"a":1\}/)
})

test('Import → Paste with no collection opens a curl in a new tab', async ({ page }) => {
  if (!host) throw new Error('no host')
  await page.goto(host.url)
  const tabsBefore = await page.getByRole('tab', { name: /Untitled|GET|POST/ }).count()
  await page.getByRole('button', { name: 'Import…' }).click()
  await page.getByRole('textbox', { name: 'Text to import' }).fill(`curl '${server.url}/hello?via=import'`)
  await page.getByRole('textbox', { name: 'Import into folder' }).fill('')
  await page.getByRole('button', { name: 'Open in a new tab' }).click()
  await expect(page.getByRole('textbox', { name: 'URL' })).toHaveValue(`${server.url}/hello?via=import`)
  expect(await page.getByRole('tab', { name: /Untitled|GET|POST/ }).count()).toBeGreaterThan(tabsBefore)
})

test('after Send the final response shows without a click; a failure shows its error there too', async ({
  page,
}) => {
  if (!host) throw new Error('no host')
  await page.goto(host.url)
  const details = page.getByRole('region', { name: 'Details' })
  const url = page.getByRole('textbox', { name: 'URL' })

  // Two redirects, then JSON: the hops stay on the timeline, the details show the last answer's body.
  const target = encodeURIComponent(`/redirect-to?url=${encodeURIComponent('/json')}`)
  await url.fill(`${server.url}/redirect-to?url=${target}`)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect(details.getByRole('tab', { name: 'Response' })).toHaveAttribute('aria-selected', 'true')
  await expect(details.getByRole('tabpanel')).toContainText('"items"')
  await expect(details).toContainText('200')

  // A refused connection: the Response tab says what happened, not that no body came.
  await url.fill('http://127.0.0.1:9/refused')
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const alert = details.getByRole('tabpanel').getByRole('alert')
  await expect(alert).toContainText('The connection was refused')
  await expect(alert).toContainText('refused')

  // A tab the person picks is the one they find after a reload, on any row but a fresh send's.
  await details.getByRole('tab', { name: 'Timing' }).click()
  await page.reload()
  // The saved workspace comes back (the refused URL's tab) before typing: typed into the page's first Untitled tab
  // while it came, the URL went out as the restored tab's (the clean-clone CI at 971ea5ce, first try).
  await expect(url).toHaveValue('http://127.0.0.1:9/refused')
  await url.fill(`${server.url}/hello?n=1`)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect(details.getByRole('tab', { name: 'Response' })).toHaveAttribute('aria-selected', 'true')
  await expect(details.getByRole('tabpanel')).toContainText('hello')
  await url.fill(`${server.url}/hello?n=2`)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect(details).toHaveAttribute('data-sid', /.+/)
  // The row's first cells (its right part is the waterfall's canvas).
  await page
    .getByRole('row')
    .filter({ hasText: 'n=1' })
    .first()
    .click({ position: { x: 30, y: 8 } })
  await expect(details.getByRole('tab', { name: 'Timing' })).toHaveAttribute('aria-selected', 'true')
})

test('Ctrl+K finds a request by name, URL or folder; arrows and Enter open it', async ({ page }) => {
  if (!host) throw new Error('no host')
  const dir = join(configDir, 'shop')
  mkdirSync(join(dir, 'users'), { recursive: true })
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Shop\nvariables:\n  base: ${server.url}\n`,
  )
  writeFileSync(join(dir, 'users', 'create.yaml'), 'name: Create user\nmethod: POST\nurl: "{{base}}/echo"\n')
  writeFileSync(join(dir, 'users', 'list.yaml'), 'name: List users\nmethod: GET\nurl: "{{base}}/json"\n')
  writeFileSync(join(dir, 'health.yaml'), 'name: Health\nmethod: GET\nurl: "{{base}}/hello"\n')
  await page.goto(host.url)
  await page.getByRole('textbox', { name: 'Collection folder' }).fill(dir)
  await page.getByRole('button', { name: 'Open', exact: true }).click()
  await expect(page.getByRole('complementary', { name: 'Collections' })).toContainText('Health')

  await page.getByRole('textbox', { name: 'URL' }).click()
  await page.keyboard.press('Control+k')
  const finder = page.getByRole('combobox', { name: 'Find a request' })
  await expect(finder).toBeFocused()
  await finder.fill('users')
  const options = page.getByRole('listbox', { name: 'Matching requests' }).getByRole('option')
  await expect(options).toHaveCount(2)
  // The name that holds the words comes before the one that matched by its folder.
  await expect(options.nth(0)).toContainText('List users')
  await expect(options.nth(0)).toHaveAttribute('aria-selected', 'true')
  await expect(options.nth(1)).toContainText('Create user')
  await page.keyboard.press('ArrowDown')
  await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true')
  await page.keyboard.press('Enter')
  await expect(page.getByRole('dialog', { name: 'Open a request' })).toBeHidden()
  await expect(page.getByRole('tab', { name: /Create user/ })).toHaveAttribute('aria-selected', 'true')
  await expect(page.getByRole('textbox', { name: 'URL' })).toHaveValue('{{base}}/echo')

  // By URL, and Esc closes without opening anything.
  await page.keyboard.press('Control+k')
  await finder.fill('hello')
  await expect(options).toHaveCount(1)
  await expect(options.first()).toContainText('Health')
  await page.keyboard.press('Escape')
  await expect(page.getByRole('dialog', { name: 'Open a request' })).toBeHidden()
  await expect(page.getByRole('tab', { name: /Create user/ })).toHaveAttribute('aria-selected', 'true')
})

test.describe('reading and copying a response', () => {
  test.use({ permissions: ['clipboard-read', 'clipboard-write'] })

  test('a 300-character line scrolls into view; Copy and Ctrl+A, Ctrl+C put the whole body on the clipboard', async ({
    page,
  }) => {
    if (!host) throw new Error('no host')
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.goto(host.url)
    const long = `${'x'.repeat(290)}END-OF-LINE`
    await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/echo`)
    await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
    await page.getByRole('tab', { name: /^Body/ }).click()
    await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('JSON', { exact: true }).click()
    await page.getByRole('textbox', { name: 'Body JSON' }).fill(JSON.stringify({ note: long }))
    await page.getByRole('button', { name: 'Send', exact: true }).click()

    const body = page.getByRole('list', { name: 'Response body' })
    // Bring the long line into view, wherever the pane is, with the body's own search.
    await page.getByRole('searchbox', { name: 'Search in body' }).fill('END-OF-LINE')
    await page.getByRole('searchbox', { name: 'Search in body' }).press('Enter')
    const line = body.getByText(/END-OF-LINE/).first()
    await expect(line).toBeAttached()
    // The end of the line is reachable: scrolled far enough right, it is inside the viewer's box.
    const lineEnd = (): Promise<number> =>
      page.evaluate(`(() => {
        const line = [...document.querySelectorAll('[aria-label="Response body"] .line')].find((l) =>
          l.textContent.includes('END-OF-LINE'))
        const range = document.createRange()
        range.selectNodeContents(line)
        return range.getBoundingClientRect().right
      })()`) as Promise<number>
    const box = await body.boundingBox()
    if (!box) throw new Error('no viewer box')
    const before = await lineEnd()
    expect(before).toBeGreaterThan(box.x + box.width) // it does not fit: without sideways scrolling it is cut
    await body.evaluate((el, by) => (el.scrollLeft = by), before - (box.x + box.width) + 40)
    const after = await lineEnd()
    expect(after).toBeGreaterThan(box.x)
    expect(after).toBeLessThanOrEqual(box.x + box.width)
    await expect(line).toBeInViewport()

    const details = page.getByRole('region', { name: 'Details' })
    await details.getByRole('button', { name: 'Copy', exact: true }).click()
    await expect(details.getByRole('status').filter({ hasText: 'Copied the body' })).toBeVisible()
    const copied = JSON.parse(await readClipboard(page)) as { body: string }
    expect(JSON.parse(copied.body)).toEqual({ note: long })

    await writeClipboard(page, 'something else')
    await body.click()
    await page.keyboard.press('Control+a')
    const selected = await selectedText(page)
    expect(selected).toContain('END-OF-LINE')
    expect(selected).not.toContain('Send ×')
    await page.keyboard.press('Control+c')
    // The whole body as received (compact, as the server sent it), not just the lines on screen.
    await expect.poll(() => readClipboard(page)).toContain('"method":"POST"')
    const all = await readClipboard(page)
    expect((JSON.parse(all) as { bodyBase64: string }).bodyBase64).toBe(
      Buffer.from(JSON.stringify({ note: long })).toString('base64'),
    )

    // A header's value and the URL, each with its own button.
    await details.getByRole('tab', { name: 'Headers' }).click()
    const contentType = details
      .getByRole('table', { name: 'Response headers' })
      .getByRole('row', { name: /content-type/ })
    await contentType.hover()
    await contentType.getByRole('button', { name: 'Copy content-type' }).click()
    await expect(details.getByText('Copied the value of content-type')).toBeVisible()
    expect(await readClipboard(page)).toBe('application/json')
    await details.getByRole('button', { name: 'Copy URL' }).click()
    expect(await readClipboard(page)).toBe(`${server.url}/echo`)
  })
})

test('+ Add puts the cursor in the new row; a refused connection names the address and port it tried', async ({
  page,
}) => {
  if (!host) throw new Error('no host')
  await page.goto(host.url)
  // A tab of its own: the page's first, untouched Untitled is replaced when the host's saved workspace comes back
  // (tabs of earlier tests), which could land between the click on Headers and + Add (clean-clone CI once).
  await page.getByRole('button', { name: 'New request tab' }).click()
  await page
    .getByRole('tab', { name: /^Headers/ })
    .first()
    .click()
  await page.getByRole('button', { name: '+ Add' }).click()
  await expect(page.getByRole('textbox', { name: 'Headers name 1' })).toBeFocused()
  await page.keyboard.type('X-Typed')
  await expect(page.getByRole('textbox', { name: 'Headers name 1' })).toHaveValue('X-Typed')

  await page.getByRole('textbox', { name: 'URL' }).fill('http://127.0.0.1:9/nothing')
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const details = page.getByRole('region', { name: 'Details' })
  await details.getByRole('tab', { name: 'Overview' }).click()
  await expect(details.getByRole('tabpanel')).toContainText(
    'Remote address127.0.0.1:9 (tried; nothing was sent)',
  )
})

test('the WebSocket and SSE composers show only what applies', async ({ page }) => {
  if (!host) throw new Error('no host')
  await page.goto(host.url)
  const parts = page.getByRole('tablist', { name: 'Request parts' })
  const method = page.getByRole('combobox', { name: 'Method', exact: true })
  const burst = page.getByRole('group', { name: 'Send many' })
  await parts.getByRole('tab', { name: /^After response/ }).click()
  await expect(burst).toBeVisible()

  await page.getByRole('combobox', { name: 'Session type' }).selectOption('ws')
  await expect(method).toHaveCount(0)
  await expect(page.getByTitle('A WebSocket opens with a GET upgrade request')).toHaveText('GET')
  // The fixed GET is as wide as its word: the URL follows it as it follows the method select, no gap between.
  const afterGet = await page.evaluate(`(() => {
    const words = document.createRange()
    words.selectNodeContents(document.querySelector('[title="A WebSocket opens with a GET upgrade request"]'))
    const url = document.querySelector('input[aria-label="URL"]').getBoundingClientRect()
    return Math.round(url.left - words.getBoundingClientRect().right)
  })()`)
  expect(afterGet, 'px from GET to the URL field').toBeLessThanOrEqual(24)
  await expect(parts.getByRole('tab', { name: /^Body/ })).toHaveCount(0)
  await expect(parts.getByRole('tab', { name: /^After response/ })).toHaveCount(0)
  await expect(burst).toHaveCount(0)
  // The hidden tab that was open gives way to one that applies.
  await expect(parts.getByRole('tab', { name: 'Params' })).toHaveAttribute('aria-selected', 'true')

  await page.getByRole('combobox', { name: 'Session type' }).selectOption('sse')
  await expect(method).toBeVisible()
  await expect(parts.getByRole('tab', { name: /^Body/ })).toBeVisible()
  await expect(burst).toHaveCount(0)

  await page.getByRole('combobox', { name: 'Session type' }).selectOption('http')
  await expect(burst).toBeVisible()
  await expect(parts.getByRole('tab', { name: /^After response/ })).toBeVisible()
})

test('Ctrl+S on an Untitled tab asks where and under what name, then writes there', async ({ page }) => {
  if (!host) throw new Error('no host')
  const dir = join(configDir, 'save-as')
  mkdirSync(join(dir, 'users'), { recursive: true })
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Save here\n')
  writeFileSync(
    join(dir, 'users', 'list.yaml'),
    'name: List users\nmethod: GET\nurl: "http://127.0.0.1:1/u"\n',
  )
  await page.goto(host.url)
  // Another test may have left a collection open (the workspace is remembered): then Open… shows the form.
  const folderField = page.getByRole('textbox', { name: 'Collection folder' })
  if (!(await folderField.isVisible())) await page.getByRole('button', { name: 'Open…' }).click()
  await folderField.fill(dir)
  await page.getByRole('button', { name: 'Open', exact: true }).click()
  await expect(page.getByRole('complementary', { name: 'Collections' })).toContainText('List users')

  await page.getByRole('button', { name: 'New request tab' }).click()
  const url = page.getByRole('textbox', { name: 'URL' })
  await url.fill(`${server.url}/users/invite`)
  await url.press('Control+s')
  const dialog = page.getByRole('dialog', { name: 'Save request' })
  await expect(dialog).toBeVisible()
  await expect(dialog.getByRole('textbox', { name: 'Request name' })).toHaveValue('GET invite')
  await dialog.getByRole('combobox', { name: 'Save into collection' }).selectOption({ label: 'Save here' })
  await dialog.getByRole('combobox', { name: 'Save into folder' }).selectOption({ label: 'users' })
  await dialog.getByRole('textbox', { name: 'Request name' }).fill('Invite someone')
  await dialog.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(dialog).toBeHidden()
  await expect(page.getByRole('tab', { name: 'Invite someone' })).toHaveAttribute('aria-selected', 'true')
  await expect
    .poll(() => readdirSync(join(dir, 'users')).sort())
    .toEqual(['invite-someone.yaml', 'list.yaml'])
  expect(readFileSync(join(dir, 'users', 'invite-someone.yaml'), 'utf8')).toContain(
    `url: ${server.url}/users/invite`,
  )
})

test('a file part completes its path from the folder typed, and the file it names is what is sent', async ({
  page,
}) => {
  if (!host) throw new Error('no host')
  const folder = join(configDir, 'uploads')
  mkdirSync(join(folder, 'images'), { recursive: true })
  writeFileSync(join(folder, 'report.csv'), 'a,b\n1,2\n')
  await page.goto(host.url)
  await page.getByRole('button', { name: 'New request tab' }).click()
  await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/echo`)
  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
  await page.getByRole('tab', { name: /^Body/ }).click()
  await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('Multipart', { exact: true }).click()
  await page.getByRole('button', { name: '+ File part' }).click()
  await page.getByRole('textbox', { name: 'Part 1 name' }).fill('report')
  const path = page.getByRole('combobox', { name: 'Part 1 file path' })
  await path.fill(`${folder}/`)
  const listId = await path.getAttribute('list')
  const options = page.locator(`datalist[id="${listId}"] option`)
  await expect
    .poll(() => options.evaluateAll((els) => els.map((o) => o.getAttribute('value'))))
    .toEqual([`${folder}/images/`, `${folder}/report.csv`])
  await path.fill(`${folder}/report.csv`)
  const before = server.requests.length
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => server.requests.length).toBeGreaterThan(before)
  expect(server.requests[before]?.body.toString('utf8')).toContain('a,b\n1,2\n')
})

test('the hex view’s ASCII column can be read in a narrow pane (it scrolls sideways)', async ({ page }) => {
  if (!host) throw new Error('no host')
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(host.url)
  await page.getByRole('button', { name: 'Details on the right' }).click()
  await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/bytes?n=512`)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const details = page.getByRole('region', { name: 'Details' })
  await details.getByRole('button', { name: 'Hex', exact: true }).click()
  const hex = page.getByRole('list', { name: 'Response body (hex)' })
  const row = hex.getByText('|0123456789:;<=>?|')
  await expect(row.first()).toBeAttached()
  const box = await hex.boundingBox()
  if (!box) throw new Error('no hex box')
  const asciiEnd = (): Promise<number> =>
    page.evaluate(`(() => {
      const line = [...document.querySelectorAll('[aria-label="Response body (hex)"] .sl-row')].find((l) =>
        l.textContent.includes('|0123456789:;<=>?|'))
      const range = document.createRange()
      range.selectNodeContents(line)
      return range.getBoundingClientRect().right
    })()`) as Promise<number>
  const before = await asciiEnd()
  await hex.evaluate((el, by) => (el.scrollLeft = by), Math.max(0, before - (box.x + box.width)) + 40)
  const after = await asciiEnd()
  expect(after).toBeGreaterThan(box.x)
  expect(after).toBeLessThanOrEqual(box.x + box.width)
})
