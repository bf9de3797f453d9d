import type { IncomingMessage, ServerResponse } from 'node:http'
import { type Page } from '@playwright/test'
import { expect, test } from './file-page'
import { checkAnswer, openShop, runFolder, sendForNotSent, shoot, startShop } from './users-eye-steps'
import type { UsersEyeShop } from './users-eye-steps'
import type { RunningWebHost } from './web-host'

/**
 * A new user's third pass (1024×700, as a Postman user would come): the runner's results lead to their exchanges
 * and Esc puts the runner aside without stopping its run; a "Not sent" goes once the request changes; the
 * Variables dialog has a title; a secret's value is masked with an eye and a Copy; the empty-secret note names
 * the environment and leads to the folder that declares the secret; an SSE stream's headers timeout is set in
 * Options, its default in sight. Screenshots of each state, light and dark, go to each test's output folder.
 */

let shop: UsersEyeShop
let base = ''
let host: RunningWebHost
/** Requests to /hold, answered when the test says. */
const held: ServerResponse[] = []
/** Streams to /never: their status line never comes (the test ends them). */
const silent: ServerResponse[] = []

function answer(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x')
  if (checkAnswer(url, res)) return
  if (url.pathname === '/hold') {
    held.push(res)
    return
  }
  if (url.pathname === '/never') {
    silent.push(res)
    return
  }
  const auth = req.headers.authorization ?? ''
  const key = req.headers['x-api-key'] ?? ''
  const ok = auth.length > 'Bearer '.length || key !== ''
  res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' })
  res.end(ok ? '{"me":"alice"}' : '{"error":"missing credentials"}')
}

test.beforeAll(async () => {
  shop = await startShop('users-eye-3', answer, (write) => {
    // The environment's file is staging.yaml (its id); people know it by its name.
    write('environments/staging.yaml', 'name: Staging EU\nvariables:\n  token:\n    secret: true\n')
    write('slow/wait.yaml', 'name: Wait for it\nmethod: GET\nurl: "{{base}}/hold"\n')
    write(
      'me.yaml',
      'name: Who am I\nmethod: GET\nurl: "{{base}}/me"\nheaders:\n  - name: Authorization\n    value: "Bearer {{token}}"\n',
    )
    // A folder's own secret, declared in its folder.yaml: its value is set in the folder's settings.
    write('partner/folder.yaml', 'name: Partner\nvariables:\n  apikey:\n    secret: true\n')
    write(
      'partner/orders.yaml',
      'name: Partner orders\nmethod: GET\nurl: "{{base}}/orders"\nheaders:\n  - name: X-Api-Key\n    value: "{{apikey}}"\n',
    )
  })
  ;({ base, host } = shop)
})

test.afterAll(async () => {
  for (const res of [...held, ...silent]) res.destroy()
  await shop?.stop()
})

const start = (page: Page, width?: number, height?: number): Promise<void> =>
  openShop(page, host, width, height)

for (const [width, height] of [
  [1024, 700],
  [1440, 900],
] as const) {
  test(`a runner's result row opens its exchange, and the toolbar leads back (${width}×${height})`, async ({
    page,
  }) => {
    await start(page, width, height)
    await runFolder(page, 'checks')
    const runner = page.getByRole('region', { name: 'Runner' })
    await expect(runner.getByTestId('run-state')).toHaveText('Finished', { timeout: 30_000 })
    const table = runner.getByRole('table', { name: 'Results per request' })
    await expect(table.locator('tr[data-path]')).toHaveCount(3)
    await page.mouse.move(1, 1)
    await shoot(page, 'runner-results', { width, height })
    // The failed one, as a person would: a click on its row (not only on its name).
    await table.locator('tr[data-path="checks/check-2.yaml"] td.num').first().click()
    await expect(runner).toBeHidden()
    const details = page.getByRole('region', { name: 'Details' })
    await expect(details).toContainText('/check?n=2')
    await expect(details).toContainText('500')
    const selected = page
      .getByRole('grid', { name: 'Timeline' })
      .locator('[role="row"][aria-selected="true"]')
    await expect(selected).toContainText('n=2')
    // Back to the run from the toolbar, its results as they were; the name opens Check 3's exchange too.
    const back = page.getByTestId('runner-return')
    await expect(back).toHaveText('Run checks: finished 3/3, 1 failed')
    await page.mouse.move(1, 1)
    await shoot(page, 'runner-row-opened', { width, height })
    await back.click()
    await expect(runner.getByTestId('run-state')).toHaveText('Finished')
    await runner.getByRole('button', { name: "Open Check 3's exchange" }).click()
    await expect(details).toContainText('/check?n=3')
  })
}

test('Esc puts the runner aside and the run keeps going; the toolbar brings it back', async ({ page }) => {
  await start(page)
  // A GraphQL tab's taller composer leaves the runner a short pane: its header must still show at the top.
  await page.getByRole('button', { name: 'New request tab' }).click()
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'GraphQL' })
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  await sidebar.getByRole('treeitem', { name: 'slow', exact: true }).hover()
  await sidebar.getByRole('button', { name: 'Run slow', exact: true }).click()
  const runner = page.getByRole('region', { name: 'Runner' })
  // Esc on the configuration closes it, as it closes a dialog.
  await expect(runner.getByRole('button', { name: 'Start run' })).toBeFocused()
  const head = await runner.getByRole('button', { name: 'Close', exact: true }).boundingBox()
  const pane = await runner.boundingBox()
  expect(head && pane ? head.y - pane.y : -1).toBeGreaterThanOrEqual(0)
  await page.mouse.move(1, 1)
  await shoot(page, 'runner-config')
  await page.keyboard.press('Escape')
  await expect(runner).toBeHidden()
  await expect(page.getByTestId('runner-return')).toHaveCount(0)

  const before = held.length
  await runFolder(page, 'slow')
  await expect.poll(() => held.length, { timeout: 15_000 }).toBe(before + 1)
  await expect(runner.getByRole('button', { name: 'Cancel' })).toBeFocused()
  // Esc while it runs: the runner steps aside, the run is not cancelled, and the focus is on the way back.
  await page.keyboard.press('Escape')
  await expect(runner).toBeHidden()
  const back = page.getByTestId('runner-return')
  await expect(back).toBeFocused()
  await expect(back).toHaveText('Run slow: running 0/1')
  await page.mouse.move(1, 1)
  await shoot(page, 'runner-aside')
  held.at(-1)?.end('ok')
  await expect(back).toHaveText('Run slow: finished 1/1')
  await page.keyboard.press('Enter')
  await expect(runner.getByTestId('run-state')).toHaveText('Finished')
  await expect(runner.getByRole('progressbar', { name: 'Requests done' })).toHaveAttribute(
    'aria-valuenow',
    '1',
  )
  // A click on the runner's words (nothing focusable there), then Esc: it is the runner's Esc still.
  await runner.getByTestId('run-state').click()
  await page.keyboard.press('Escape')
  await expect(runner).toBeHidden()
  await expect(page.getByTestId('runner-return')).toBeFocused()
})

test('a "Not sent" goes once the URL it was about is changed', async ({ page }) => {
  await start(page)
  const url = page.getByRole('textbox', { name: 'URL' })
  await url.fill(`${base}/check?n={{missing}}`)
  const alert = await sendForNotSent(page)
  await expect(alert).toContainText('missing')
  await shoot(page, 'not-sent')
  await page
    .getByRole('region', { name: 'Request' })
    .getByRole('tab', { name: /^Headers/ })
    .click()
  await expect(alert).toBeVisible()
  await url.fill(`${base}/check?n=1`)
  await expect(alert).toHaveCount(0)
})

test('the Variables dialog has a title; a secret is masked, with an eye and a Copy', async ({ page }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: host.origin })
  await start(page)
  await page.getByRole('button', { name: 'Variables…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Variables' })
  await expect(dialog.getByRole('heading', { name: 'Variables' })).toBeVisible()
  await dialog.getByRole('button', { name: '+ Add variable' }).click()
  await page.keyboard.type('password')
  await dialog.getByRole('checkbox', { name: 'Secret password' }).check()
  // Row 2: the collection's own `base` is row 1.
  const value = dialog.getByLabel('Variable value 2')
  await value.fill('s3cr3t-value')
  await expect(value).toHaveAttribute('type', 'password')
  const eye = dialog.getByRole('button', { name: 'Show the value of password' })
  await expect(eye).toHaveAttribute('aria-pressed', 'false')
  await shoot(page, 'secret-masked')
  await eye.click()
  await expect(eye).toHaveAttribute('aria-pressed', 'true')
  await expect(value).toHaveAttribute('type', 'text')
  await shoot(page, 'secret-shown')
  await eye.click()
  await expect(value).toHaveAttribute('type', 'password')
  // Copy works while masked (a browser copies nothing out of a password field).
  await dialog.getByRole('button', { name: 'Copy the value of password' }).click()
  await expect(dialog.getByRole('status')).toHaveText('Copied the value of password')
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('s3cr3t-value')
  // The secret's placeholder still says what a blank does, whole, beside the two buttons.
  await value.fill('')
  const room = await value.evaluate((el) => {
    const input = el as HTMLInputElement
    const style = getComputedStyle(input)
    const ctx = document.createElement('canvas').getContext('2d')
    if (!ctx) return -1
    ctx.font = style.font
    const inner = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
    return inner - ctx.measureText(input.placeholder).width
  })
  expect(room).toBeGreaterThanOrEqual(0)
  await expect(dialog.getByRole('button', { name: 'Copy the value of password' })).toBeDisabled()
})

test('the empty-secret note names the environment, and a folder’s secret leads to the folder', async ({
  page,
}) => {
  await start(page)
  await page.getByRole('combobox', { name: 'Environment' }).selectOption({ label: 'Staging EU' })
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  const details = page.getByRole('region', { name: 'Details' })
  const notice = details.getByRole('note', { name: 'Sent with empty secrets' })
  const grid = page.getByRole('grid', { name: 'Timeline' })

  await sidebar.getByRole('treeitem', { name: 'Who am I' }).click()
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await grid.getByRole('row').filter({ hasText: 'Who am I' }).click()
  await expect(notice).toContainText('(environment "Staging EU")')
  await page.mouse.move(1, 1)
  await shoot(page, 'empty-secret-env')

  await sidebar.getByRole('treeitem', { name: 'Partner orders' }).click()
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await grid.getByRole('row').filter({ hasText: 'Partner orders' }).click()
  // The folder as the sidebar names it, not its path.
  await expect(notice).toContainText('apikey — no value on this machine (folder "Partner")')
  await notice.getByRole('button', { name: 'Set value…' }).click()
  // Where apikey is declared: the folder's settings, its variables table holding it.
  const folder = page.getByRole('dialog', { name: 'Folder Partner settings' })
  await expect(folder).toBeVisible()
  await expect(folder.getByRole('textbox', { name: 'Variable name 1' })).toHaveValue('apikey')
  // Ready to type the value: the focus is in it, not on the name.
  await expect(folder.getByLabel('Variable value 1')).toBeFocused()
  await shoot(page, 'empty-secret-folder')
})

test('an SSE stream’s headers timeout is set in Options, its default shown', async ({ page }) => {
  await start(page)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'SSE' })
  await page.getByRole('textbox', { name: 'URL' }).fill(`${base}/never`)
  const composer = page.getByRole('region', { name: 'Request' })
  await composer.getByRole('tab', { name: 'Options' }).click()
  const field = composer.getByRole('spinbutton', { name: 'Headers timeout (ms)' })
  await expect(field).toHaveValue('30000')
  await expect(composer.getByTestId('headers-timeout-default')).toHaveText('default 30 s for a stream')
  await shoot(page, 'sse-headers-timeout-default')
  await field.fill('1000')
  await expect(composer.getByTestId('headers-timeout-default')).toHaveText('set; default 30 s')
  await shoot(page, 'sse-headers-timeout-set')
  const before = silent.length
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => silent.length, { timeout: 15_000 }).toBeGreaterThan(before)
  // The stream ends on the request's own wait, in words that say which one.
  await expect(
    page.getByText(/no status line within 1 s \(the request's headers timeout\)/).first(),
  ).toBeVisible({
    timeout: 15_000,
  })
  // Back to the default: the field shows it again and the request carries none of its own.
  await composer.getByRole('button', { name: 'Use default' }).click()
  await expect(field).toHaveValue('30000')
  // An HTTP request waits longer by default (a server computing one answer), and says so.
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'HTTP' })
  await expect(field).toHaveValue('300000')
  await expect(composer.getByTestId('headers-timeout-default')).toHaveText('default 300 s')
  await shoot(page, 'http-headers-timeout-default')
})

test('many tabs: Code and Save stay in sight, and the new tab is shown', async ({ page }) => {
  await start(page)
  const newTab = page.getByRole('button', { name: 'New request tab' })
  for (let i = 0; i < 9; i++) await newTab.click()
  const tabs = page.getByRole('tablist', { name: 'Open requests' })
  const whole = async (name: string): Promise<string> => {
    const box = await page.getByRole('button', { name, exact: true }).boundingBox()
    if (!box) return 'no box'
    return box.x >= 0 && box.x + box.width <= 1024 ? 'whole' : `${box.x}..${box.x + box.width} past 1024`
  }
  await expect.poll(() => whole('Save')).toBe('whole')
  await expect.poll(() => whole('Code')).toBe('whole')
  await expect(newTab).toBeInViewport({ ratio: 1 })
  // The tab just made is the one shown, in sight in the strip that scrolls.
  const active = tabs.getByRole('tab', { selected: true })
  await expect(active).toBeInViewport({ ratio: 0.95 })
  const strip = await tabs.boundingBox()
  const tab = await active.boundingBox()
  expect(tab && strip && tab.x + tab.width <= strip.x + strip.width + 1).toBe(true)
  await shoot(page, 'many-tabs')
})

test('a stream waiting for its status line says so in sentence case', async ({ page }) => {
  await start(page)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'SSE' })
  await page.getByRole('textbox', { name: 'URL' }).fill(`${base}/never`)
  const before = silent.length
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => silent.length, { timeout: 15_000 }).toBeGreaterThan(before)
  const details = page.getByRole('region', { name: 'Stream details' })
  await expect(details).toHaveAttribute('data-state', 'waiting')
  // What a person reads (innerText applies CSS text transforms), not only the DOM's text.
  const state = details.locator('.stream-state')
  await expect.poll(() => state.evaluate((el) => (el as HTMLElement).innerText)).toBe('Waiting for headers')
  await details.getByRole('button', { name: 'Stop' }).click()
  await expect(details).not.toHaveAttribute('data-state', 'waiting')
  await expect.poll(() => state.evaluate((el) => (el as HTMLElement).innerText)).toMatch(/^[A-Z][a-z]+$/)
})
