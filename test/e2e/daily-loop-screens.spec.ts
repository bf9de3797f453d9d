import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * The daily loop in pictures, light and dark: each state driven by visible names against a local server, then
 * photographed (the viewport, not the whole page) into docs/daily-<state>.png and docs/daily-<state>-dark.png.
 * The flows themselves are asserted in daily-loop.spec.ts, body-wrap.spec.ts, reload.spec.ts and
 * timeline-room.spec.ts; here each state is checked just enough to know the picture shows it.
 */

let server: Fixture
let configDir: string
let collectionDir: string
let host: RunningWebHost | null = null

test.beforeAll(async () => {
  server = await startHttpServer()
  configDir = mkdtempSync(join(tmpdir(), 'fd-e2e-screens-config-'))
  collectionDir = mkdtempSync(join(tmpdir(), 'fd-e2e-screens-shop-'))
  mkdirSync(join(collectionDir, 'users'))
  mkdirSync(join(collectionDir, 'environments'))
  writeFileSync(join(collectionDir, 'collection.yaml'), 'flightdeck: 1\nname: Shop\n')
  writeFileSync(
    join(collectionDir, 'environments', 'local.yaml'),
    `name: Local\nvariables:\n  base: ${server.url}\n`,
  )
  writeFileSync(
    join(collectionDir, 'users', 'list.yaml'),
    'name: List users\nmethod: GET\nurl: "{{base}}/json"\n',
  )
  writeFileSync(
    join(collectionDir, 'users', 'create.yaml'),
    'name: Create user\nmethod: POST\nurl: "{{base}}/echo"\n',
  )
  writeFileSync(join(collectionDir, 'health.yaml'), 'name: Health\nmethod: GET\nurl: "{{base}}/hello"\n')
  host = await startBuiltWebHost(15_000, {
    args: ['--collections', collectionDir],
    env: { FLIGHTDECK_CONFIG_DIR: configDir },
  })
})

test.afterAll(async () => {
  await host?.stop()
  await server?.close()
  rmSync(configDir, { recursive: true, force: true })
  rmSync(collectionDir, { recursive: true, force: true })
})

/** The viewport in light, then in dark; `again` brings back a passing state (a note, a hover) before each. */
async function snap(page: Page, state: string, again?: () => Promise<void>): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    if (again) await again()
    // One frame for the canvases to repaint in the new colours.
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))')
    await page.screenshot({
      path: docsPicture(scheme === 'light' ? `daily-${state}.png` : `daily-${state}-dark.png`),
    })
  }
  await page.emulateMedia({ colorScheme: 'light' })
}

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

test.use({ permissions: ['clipboard-read', 'clipboard-write'] })

test('the daily loop, state by state, in light and dark', async ({ page }) => {
  if (!host) throw new Error('no host')
  test.setTimeout(120_000)
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(host.url)
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  const details = page.getByRole('region', { name: 'Details' })
  const url = page.getByRole('textbox', { name: 'URL' })
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  const send = page.getByRole('button', { name: 'Send', exact: true })

  // Send: the body shows at once, below the timeline.
  await page.getByRole('combobox', { name: 'Environment' }).selectOption('local')
  await sidebar.getByRole('treeitem', { name: 'List users' }).click()
  await send.click()
  await expect(details.getByRole('tab', { name: 'Response' })).toHaveAttribute('aria-selected', 'true')
  await expect(details.getByRole('list', { name: 'Response body' })).toContainText('"items"')
  await snap(page, 'send')

  // Reading a long line: details beside the timeline, Wrap on, the line found with the body's search.
  await page.getByRole('button', { name: 'Details on the right' }).click()
  await sidebar.getByRole('treeitem', { name: 'Create user' }).click()
  await page.getByRole('tab', { name: /^Body/ }).click()
  await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('JSON', { exact: true }).click()
  const note = `${'The quick brown fox jumps over the lazy dog. '.repeat(6)}END-OF-LINE`
  await page.getByRole('textbox', { name: 'Body JSON' }).fill(JSON.stringify({ name: 'Ann', note }))
  await send.click()
  await expect(details.getByRole('list', { name: 'Response body' })).toContainText('"method"')
  const wrap = details.getByRole('button', { name: 'Wrap', exact: true })
  if ((await wrap.getAttribute('aria-pressed')) !== 'true') await wrap.click()
  const search = details.getByRole('searchbox', { name: 'Search in body' })
  await search.fill('END-OF-LINE')
  await search.press('Enter')
  await expect(details.getByText('1 of 1')).toBeVisible()
  await snap(page, 'wrap')

  // Copy: the whole body on the clipboard, and the note saying so.
  const copy = details.getByRole('button', { name: 'Copy', exact: true })
  await snap(page, 'copy', async () => {
    await copy.click()
    await expect(details.getByRole('status').filter({ hasText: 'Copied the body' })).toBeVisible()
  })

  // A pasted curl fills a new tab: method, URL, headers, body.
  await page.getByRole('button', { name: 'New request tab' }).click()
  const curl =
    `curl -X PUT '${server.url}/echo?from=paste' -H 'X-Trace: t-42' -H 'Accept: application/json' ` +
    `-H 'Content-Type: application/json' -u ann:s3cret --data-raw '{"name":"Ann","role":"admin"}'`
  await pasteInto(page, 'input[aria-label="URL"]', curl)
  await expect(url).toHaveValue(`${server.url}/echo?from=paste`)
  await page
    .getByRole('tab', { name: /^Headers/ })
    .first()
    .click()
  await expect(page.getByRole('textbox', { name: 'Headers name 1' })).toHaveValue(/X-Trace/i)
  await snap(page, 'paste')

  // Ctrl+S on the Untitled tab asks where and under what name.
  await url.press('Control+s')
  const dialog = page.getByRole('dialog', { name: 'Save request' })
  await expect(dialog).toBeVisible()
  await expect(dialog.getByRole('textbox', { name: 'Request name' })).not.toHaveValue('')
  await snap(page, 'save-as')
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  await expect(dialog).toBeHidden()

  // A reload: the tabs with the unsaved draft, the environment and the timeline come back.
  await page.reload()
  await expect(timeline.getByRole('row')).toHaveCount(2)
  await expect(url).toHaveValue(`${server.url}/echo?from=paste`)
  await expect(page.getByRole('tab', { name: /unsaved/ }).first()).toBeVisible()
  await snap(page, 'reload')

  // Quick-open: Ctrl+K, a word, the matches by name, URL and folder.
  await page.keyboard.press('Control+k')
  const finder = page.getByRole('combobox', { name: 'Find a request' })
  await expect(finder).toBeFocused()
  await finder.fill('user')
  await expect(page.getByRole('listbox', { name: 'Matching requests' }).getByRole('option')).toHaveCount(2)
  await snap(page, 'quick-open')
  await page.keyboard.press('Escape')

  // The waterfall's room at 1440×900: details below, a few sends one at a time and a burst.
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.getByRole('button', { name: 'Details below' }).click()
  await sidebar.getByRole('treeitem', { name: 'Health' }).click()
  // From a cleared timeline, so the picture's time axis is these sends and not the pauses before them.
  await page.getByRole('button', { name: 'Clear', exact: true }).click()
  await expect(timeline.getByRole('row')).toHaveCount(0)
  for (const ms of [120, 300, 60]) {
    await url.fill(`${server.url}/delay?ms=${ms}`)
    await url.press('Control+Enter')
    await expect(timeline.getByRole('row').last()).toHaveAttribute('data-state', 'done', { timeout: 10_000 })
  }
  await url.fill(`${server.url}/delay?ms=400`)
  await page.getByRole('spinbutton', { name: 'Count' }).fill('5')
  await page.getByRole('button', { name: /Send ×/ }).click()
  await expect(timeline.locator('[role="row"][data-state="done"]')).toHaveCount(8, { timeout: 15_000 })
  await snap(page, 'waterfall')

  // A bar's card: hover the middle of a row on the waterfall.
  const row = timeline.getByRole('row').nth(3)
  await snap(page, 'tooltip', async () => {
    const rb = await row.boundingBox()
    const cb = await page.getByTestId('waterfall').boundingBox()
    if (!rb || !cb) throw new Error('no row or canvas box')
    await page.mouse.move(cb.x + 2, rb.y + rb.height / 2)
    await page.mouse.move(cb.x + cb.width * 0.3, rb.y + rb.height / 2)
    await expect(page.getByRole('tooltip')).toBeVisible()
  })
  expect(pageErrors).toEqual([])
})
