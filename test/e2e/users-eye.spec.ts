import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Locator, type Page } from '@playwright/test'
import { expect, test } from './file-page'
import { contrastOf } from './legibility'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * A person's first hour in a small window (1024×700): what they would stumble on, asserted as they would
 * notice it. Names in the sidebar are not cut while there is room for them; a run's verdict is in view when it
 * ends and the focus stays on the runner's button; a long response header leaves its value room; an imported
 * collection shows where the person looks; Code and Save read as two buttons.
 */

const vendorPostman = fileURLToPath(
  new URL('../fixtures/samples/postman/vendor-v21.postman_collection.json', import.meta.url),
)
const LONG_HEADER = 'x-very-long-vendor-header-name-that-keeps-going-and-going-and-going-on'

let server: Server
let base = ''
let root = ''
let shop = ''
let host: RunningWebHost

test.beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://fixture.invalid').pathname
    const status = /^\/status\/(\d{3})$/.exec(path)
    res.writeHead(status ? Number(status[1]) : 200, {
      'content-type': 'application/json',
      [LONG_HEADER]: 'v'.repeat(300),
    })
    res.end('{"ok":true}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  root = mkdtempSync(join(tmpdir(), 'fd-e2e-users-eye-'))
  shop = join(root, 'shop')
  const write = (rel: string, text: string): void => {
    mkdirSync(join(shop, rel, '..'), { recursive: true })
    writeFileSync(join(shop, rel), text)
  }
  write('collection.yaml', `flightdeck: 1\nname: Shop\nvariables:\n  base: ${base}\n`)
  write('payments/recurring.yaml', 'name: List recurring details\nmethod: GET\nurl: "{{base}}/json"\n')
  // A tree taller than the sidebar, so what is imported below it starts out of view.
  for (let i = 1; i <= 30; i++)
    write(`catalogue/item-${i}.yaml`, `name: Item ${i}\nmethod: GET\nurl: "{{base}}/json"\n`)
  // A folder to run: two of its six requests answer 503 and fail their status check.
  for (let i = 1; i <= 6; i++) {
    write(
      `checks/check-${i}.yaml`,
      `name: Check ${i}\nmethod: GET\nurl: "{{base}}/status/${i % 3 === 0 ? 503 : 200}"\n` +
        'assertions:\n  - kind: status\n    equals: 200\n',
    )
  }
  host = await startBuiltWebHost(15_000, { args: ['--collections', shop] })
})

test.afterAll(async () => {
  await host?.stop()
  await new Promise<void>((resolve) => server?.close(() => resolve()))
  if (root) rmSync(root, { recursive: true, force: true })
})

/** Whether the element's text is cut (wider than its box). */
async function isCut(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el.scrollWidth > el.clientWidth)
}

async function start(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1024, height: 700 })
  await page.goto(host.url)
  await expect(page.getByRole('complementary', { name: 'Collections' }).getByText('Shop')).toBeVisible()
}

test('names in the sidebar are whole when they fit, the row buttons over their end', async ({ page }) => {
  await start(page)
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  const recurring = sidebar.getByRole('treeitem', { name: 'List recurring details' })
  await expect(recurring).toBeVisible()
  // 22 characters in a 260px sidebar: room enough, with the row's buttons hidden until hover.
  expect(await isCut(recurring.locator('.request-name'))).toBe(false)
  // Hovered, the row's buttons are there to click.
  await recurring.hover()
  await expect(sidebar.getByRole('button', { name: 'Rename List recurring details' })).toBeVisible()
  const head = sidebar.getByRole('button', { name: 'Shop', exact: true })
  expect(await isCut(head)).toBe(false)
  // The links at the sidebar's top fit its width.
  const links = ['Files…', 'Import…', 'Open…'].map((name) => sidebar.getByRole('button', { name }))
  const sidebarBox = await sidebar.boundingBox()
  for (const link of links) {
    const box = await link.boundingBox()
    if (!box || !sidebarBox) throw new Error('no box')
    expect(box.x + box.width).toBeLessThanOrEqual(sidebarBox.x + sidebarBox.width - 2)
  }
})

test('an imported collection shows in the sidebar, its head whole', async ({ page }) => {
  await start(page)
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  await sidebar.getByRole('button', { name: 'Import…' }).click()
  await sidebar.getByRole('button', { name: 'File path' }).click()
  await sidebar.getByRole('textbox', { name: 'File to import' }).fill(vendorPostman)
  await sidebar.getByRole('textbox', { name: 'Import into folder' }).fill(join(root, 'vendor'))
  // Filled, the box has lost its placeholder: a label on screen still says what it is.
  await expect(
    sidebar.getByRole('form', { name: 'Import' }).getByText('Into folder', { exact: true }),
  ).toBeVisible()
  // The folder box is the panel's whole width (a path is long), not a default 20 characters.
  const widths = await sidebar.getByRole('textbox', { name: 'Import into folder' }).evaluate((box) => {
    const form = box.closest('form')
    if (!form) return { box: 0, room: 1 }
    const pad =
      parseFloat(getComputedStyle(form).paddingLeft) + parseFloat(getComputedStyle(form).paddingRight)
    return { box: box.getBoundingClientRect().width, room: form.clientWidth - pad }
  })
  expect(widths.box).toBeGreaterThanOrEqual(widths.room - 1)
  await sidebar.getByRole('button', { name: 'Import', exact: true }).click()
  const report = sidebar.getByRole('status', { name: 'Import report' })
  await expect(report).toContainText('Needs attention')
  // The report and the tree it made are both on screen, without scrolling the sidebar.
  const imported = sidebar.getByRole('region', { name: 'Vendor API (modelled)' })
  const head = imported.getByRole('button', { name: 'Vendor API (modelled)', exact: true })
  await expect(head).toBeInViewport()
  expect(await isCut(head)).toBe(false)
  await expect(head).toBeFocused()
})

test('a run with failures: the verdict in view when it ends, the focus on its button', async ({ page }) => {
  await start(page)
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  await sidebar.getByRole('treeitem', { name: 'checks', exact: true }).hover()
  await sidebar.getByRole('button', { name: 'Run checks', exact: true }).click()
  const runner = page.getByRole('region', { name: 'Runner' })
  await runner.getByRole('button', { name: 'Start run' }).click()
  // Start run leaves with its form; the focus goes to the button in its place (Cancel, then Run again).
  const action = runner.getByRole('button', { name: /^(Cancel|Cancelling…|Run again)$/ })
  await expect(action).toBeFocused()
  await expect(runner.getByTestId('run-state')).toHaveText('Finished', { timeout: 30_000 })
  await expect(action).toHaveText('Run again')
  await expect(action).toBeFocused()
  // What the person came for is on screen: the counts and the first failed request with its reason.
  await expect(runner.getByText('2 failed')).toBeInViewport()
  const failed = runner.getByRole('table', { name: 'Results per request' }).locator('tbody tr.failed')
  await expect(failed).toHaveCount(2)
  await expect(failed.first()).toContainText('status 503 is not 200')
  await expect(runner.getByRole('button', { name: 'Start run' })).toHaveCount(0)
  // Run again from the keyboard: the same button, a second run.
  await page.keyboard.press('Enter')
  await expect(runner.getByTestId('run-state')).toHaveText('Finished', { timeout: 30_000 })
  await expect(runner.getByText('2 failed')).toBeInViewport()
  // Settings brings the form back, to change and start again.
  await runner.getByRole('button', { name: 'Settings' }).click()
  await expect(runner.getByRole('spinbutton', { name: 'Concurrency' })).toBeVisible()
})

test('a long response header name leaves its value room', async ({ page }) => {
  await start(page)
  const url = page.getByRole('textbox', { name: 'URL' })
  await url.fill(`${base}/status/404`)
  await url.press('Control+Enter')
  const details = page.getByRole('region', { name: 'Details' })
  await expect(details.getByText('404 Not Found')).toBeVisible()
  await details.getByRole('tab', { name: 'Headers', exact: true }).click()
  const table = details.getByRole('table', { name: 'Response headers' })
  const longRow = table.getByRole('row').filter({ hasText: LONG_HEADER })
  const tableBox = await table.boundingBox()
  const valueBox = await longRow.getByRole('cell').first().boundingBox()
  if (!tableBox || !valueBox) throw new Error('no box')
  // The value gets at least half the table's width, not the strip the name leaves over.
  expect(valueBox.width).toBeGreaterThan(tableBox.width / 2)
  // A short header's name and value start on the same line. Each pair of boxes is read again until both come
  // from one layout: the line saying how the test scripts went lands above the tabs when they end (4 s in at
  // load 30), moving everything under it between two reads.
  const typeRow = table.getByRole('row').filter({ hasText: 'content-type' })
  await expect(async () => {
    const nameBox = await typeRow.getByRole('rowheader').boundingBox()
    const typeValue = await typeRow.getByRole('cell').first().boundingBox()
    if (!nameBox || !typeValue) throw new Error('no box')
    expect(Math.abs(nameBox.y - typeValue.y)).toBeLessThan(3)
    // One line tall: nothing in the row (its Copy button included) stands taller than its text.
    expect(typeValue.height).toBeLessThan(24)
  }).toPass({ timeout: 10_000 })
  // The body's toolbar is one line at 1024 px, Copy and Save… on it: a second line took two of the body's rows.
  await details.getByRole('tab', { name: 'Response', exact: true }).click()
  const view = details.getByRole('group', { name: 'Body view' })
  const copy = details.locator('.body-meta').getByRole('button', { name: 'Copy', exact: true })
  await expect(async () => {
    const [viewBox, copyBox] = [await view.boundingBox(), await copy.boundingBox()]
    if (!viewBox || !copyBox) throw new Error('no box')
    expect(Math.abs(copyBox.y + copyBox.height / 2 - (viewBox.y + viewBox.height / 2))).toBeLessThan(4)
  }).toPass({ timeout: 10_000 })
})

test('Code and Save are two buttons apart', async ({ page }) => {
  await start(page)
  const code = await page.getByRole('button', { name: 'Code', exact: true }).boundingBox()
  const save = await page.getByRole('button', { name: 'Save', exact: true }).boundingBox()
  if (!code || !save) throw new Error('no box')
  expect(save.x - (code.x + code.width)).toBeGreaterThanOrEqual(4)
})

test('first start with no collection: the sidebar says what to do, and Open… leads there', async ({
  page,
}) => {
  const bare = await startBuiltWebHost()
  try {
    await page.setViewportSize({ width: 1024, height: 700 })
    await page.goto(bare.url)
    const sidebar = page.getByRole('complementary', { name: 'Collections' })
    await expect(sidebar.getByText('No collection open.')).toBeVisible()
    await expect(sidebar.getByText(/Import… a Postman/)).toBeVisible()
    // Open… with the folder field already showing takes the focus there, and keeps its name.
    const open = sidebar.getByRole('button', { name: 'Open…' })
    await open.click()
    await expect(sidebar.getByRole('textbox', { name: 'Collection folder' })).toBeFocused()
    await expect(open).toHaveText('Open…')
    await page.keyboard.type(join(root, 'fresh'))
    await page.keyboard.press('Enter')
    await expect(sidebar.getByText('No collection open.')).toHaveCount(0)
    await expect(sidebar.getByRole('region', { name: 'fresh' })).toBeVisible()
    // The form left with the focus in it: the focus is on the collection just opened.
    await expect(sidebar.getByRole('button', { name: 'fresh', exact: true })).toBeFocused()
  } finally {
    await bare.stop()
  }
})

test('dark: a row’s host and the Send button are legible', async ({ page }) => {
  await start(page)
  await page.emulateMedia({ colorScheme: 'dark' })
  const url = page.getByRole('textbox', { name: 'URL' })
  for (const path of ['/status/200?legible=1', '/status/201?legible=2']) {
    await url.fill(`${base}${path}`)
    await url.press('Control+Enter')
  }
  const rows = page
    .getByRole('grid', { name: 'Timeline' })
    .locator('[role="row"][data-sid]')
    .filter({ hasText: 'legible' })
  await expect(rows).toHaveCount(2)
  await page.mouse.move(0, 0)
  // The last send is selected; the first is not.
  const plain = rows.first().locator('.host')
  const selected = rows.last().locator('.host')
  await expect(selected).toHaveText(/127\.0\.0\.1/)
  expect(await contrastOf(plain)).toBeGreaterThanOrEqual(4.5)
  expect(await contrastOf(selected)).toBeGreaterThanOrEqual(3)
  expect(await contrastOf(page.getByRole('button', { name: 'Send', exact: true }))).toBeGreaterThanOrEqual(
    4.5,
  )
})

test('details on the right at 1024px stay inside the window', async ({ page }) => {
  await start(page)
  await page.getByRole('button', { name: 'Details on the right' }).click()
  const url = page.getByRole('textbox', { name: 'URL' })
  await url.fill(`${base}/status/200?beside=1`)
  await url.press('Control+Enter')
  const details = page.getByRole('region', { name: 'Details' })
  await expect(details.getByText('200 OK')).toBeVisible()
  const width = page.viewportSize()?.width ?? 0
  for (const control of [
    details.getByRole('button', { name: 'Copy as cURL' }),
    details.getByRole('tab', { name: 'Response' }),
    details.getByRole('searchbox', { name: 'Search in body' }),
  ]) {
    const box = await control.boundingBox()
    if (!box) throw new Error('no box')
    expect(box.x + box.width).toBeLessThanOrEqual(width)
  }
  // The timeline beside them keeps its toolbar's last control whole.
  const tools = page.getByRole('toolbar', { name: 'Timeline tools' })
  const over = await tools.evaluate((bar) => {
    const inner = bar.getBoundingClientRect().right - parseFloat(getComputedStyle(bar).paddingRight)
    const group = bar.querySelector('[aria-label="Time window"]')
    return group ? group.getBoundingClientRect().right - inner : Infinity
  })
  expect(over).toBeLessThanOrEqual(0.5)
  // Beside a 70-character header name, a short header's value keeps most of the narrow pane's line.
  await details.getByRole('tab', { name: 'Headers', exact: true }).click()
  const table = details.getByRole('table', { name: 'Response headers' })
  const tableBox = await table.boundingBox()
  const typeValue = await table
    .getByRole('row')
    .filter({ hasText: 'content-type' })
    .getByRole('cell')
    .first()
    .boundingBox()
  if (!tableBox || !typeValue) throw new Error('no box')
  expect(typeValue.width).toBeGreaterThan(tableBox.width * 0.4)
  expect(typeValue.height).toBeLessThan(24)
})

test('the focus stays where the person works after Save, ×, and closing a tab', async ({ page }) => {
  await start(page)
  // Save in the Variables dialog: back on the button that opened it (Esc did that already; Save did not).
  const variables = page.getByRole('button', { name: 'Variables…' })
  await variables.click()
  const dialog = page.getByRole('dialog', { name: 'Variables' })
  await dialog.getByRole('button', { name: 'Save variables' }).click()
  await expect(dialog).toBeHidden()
  await expect(variables).toBeFocused()
  // × on a header row: the row before it, and with none left, + Add.
  await page
    .getByRole('tab', { name: /^Headers/ })
    .first()
    .click()
  const add = page.getByRole('button', { name: '+ Add' })
  await add.click()
  await page.keyboard.type('X-One')
  await add.click()
  await page.keyboard.type('X-Two')
  await page.getByRole('button', { name: 'Remove X-Two' }).click()
  await expect(page.getByRole('button', { name: 'Remove X-One' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(add).toBeFocused()
  // × on a tab: the tab shown in its place.
  await page.getByRole('button', { name: 'New request tab' }).click()
  const tabs = page.getByRole('tablist', { name: 'Open requests' })
  const count = await tabs.getByRole('tab').count()
  await tabs
    .getByRole('tab')
    .last()
    .getByRole('button', { name: /^Close / })
    .click()
  await expect(tabs.getByRole('tab')).toHaveCount(count - 1)
  await expect(tabs.getByRole('tab', { selected: true })).toBeFocused()
})

test('a short composer keeps room for its panel: the SSE body kinds are whole after a refused send', async ({
  page,
}) => {
  await start(page)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'SSE' })
  const url = page.getByRole('textbox', { name: 'URL' })
  await url.fill('{{nowhere}}/events')
  await url.press('Control+Enter')
  await expect(page.getByRole('alert').filter({ hasText: 'Not sent' })).toBeVisible()
  await page.getByRole('tab', { name: /^Body/ }).click()
  const kinds = page.getByRole('radiogroup', { name: 'Body kind' })
  // Whole inside the panel that shows it, and the panel inside the composer's visible part, without scrolling.
  const panel = page.getByRole('tabpanel').filter({ has: kinds })
  const composer = page.getByRole('region', { name: 'Request' })
  await expect
    .poll(async () => {
      const [k, p, c] = [await kinds.boundingBox(), await panel.boundingBox(), await composer.boundingBox()]
      if (!k || !p || !c) return 'no box'
      if (p.height < k.height + 12) return `panel ${p.height}px`
      if (k.y < p.y - 1 || k.y + k.height > p.y + p.height + 1) return 'cut by the panel'
      if (k.y < c.y - 1 || k.y + k.height > c.y + c.height + 1) return 'below the composer'
      return 'whole'
    })
    .toBe('whole')
})

test('dark: the Session type picker and the stream options read clearly', async ({ page }) => {
  await start(page)
  await page.emulateMedia({ colorScheme: 'dark' })
  const mode = page.getByRole('combobox', { name: 'Session type' })
  for (const label of ['SSE', 'WebSocket']) {
    await mode.selectOption({ label })
    expect(await contrastOf(mode), label).toBeGreaterThanOrEqual(4.5)
  }
  await mode.selectOption({ label: 'SSE' })
  const readAs = page.getByRole('group', { name: 'SSE options' }).getByRole('combobox', { name: 'Read as' })
  expect(await contrastOf(readAs)).toBeGreaterThanOrEqual(4.5)
})

test('a collection made inside the open one shows at once as a note read whole, with a way to open it', async ({
  page,
}) => {
  await start(page)
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  // Made while the app is open (as an import into a subfolder, or `git pull`, makes one).
  mkdirSync(join(shop, 'petstore'))
  writeFileSync(join(shop, 'petstore', 'collection.yaml'), 'flightdeck: 1\nname: Petstore\n')
  writeFileSync(join(shop, 'petstore', 'pets.yaml'), `name: List pets\nmethod: GET\nurl: "${base}/json"\n`)
  const note = sidebar.getByRole('list', { name: 'Collections inside Shop' }).getByRole('note')
  await expect(note).toContainText('petstore/ is a collection of its own')
  // Nothing is broken: it is not among Shop's problems, and its words wrap at the sidebar's width.
  await expect(sidebar.getByRole('list', { name: 'Problems in Shop' })).toHaveCount(0)
  expect(await isCut(note)).toBe(false)
  await page.screenshot({ path: test.info().outputPath('inner-collection-note-1024-light.png') })
  await note.getByRole('button', { name: 'Open petstore as a collection' }).click()
  await expect(sidebar.getByRole('region', { name: 'Petstore' })).toBeVisible()
  await expect(note).toContainText('it is open below')
})
