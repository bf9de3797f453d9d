import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Locator, type Page } from '@playwright/test'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { expect, test } from './file-page'
import { contrastOf, placeholderRoom } from './legibility'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * A new user's second pass (1024×700, as a Postman or Insomnia user would come): GraphQL, environments, the
 * runner's timeline, export and the keyboard. Each test asserts what the person would notice: a part of the
 * request they cannot see, a control the Tab key lands on forty times, an error shown somewhere else.
 */

let gql: GraphqlFixture
let grpc: GrpcTestServer
let http: Fixture
let host: RunningWebHost
let root = ''

test.beforeAll(async () => {
  gql = await startGraphqlServer()
  grpc = await startGrpcServer()
  http = await startHttpServer()
  root = mkdtempSync(join(tmpdir(), 'fd-e2e-users-eye-2-'))
  const shop = join(root, 'shop')
  const write = (rel: string, text: string): void => {
    mkdirSync(join(shop, rel, '..'), { recursive: true })
    writeFileSync(join(shop, rel), text)
  }
  write('collection.yaml', `flightdeck: 1\nname: Shop\nvariables:\n  base: ${http.url}\n`)
  write('environments/staging.yaml', `name: Staging\nvariables:\n  base: ${http.url}\n`)
  // Someone's half-edited environment: a file that does not parse, which a save must not write over.
  write('environments/broken.yaml', 'name: Broken\nvariables: [\n')
  for (let i = 1; i <= 24; i++)
    write(`checks/check-${i}.yaml`, `name: Check ${i}\nmethod: GET\nurl: "{{base}}/status/200"\n`)
  host = await startBuiltWebHost(15_000, { args: ['--collections', shop] })
})

test.afterAll(async () => {
  await host?.stop()
  await http?.close()
  await gql?.close()
  await grpc?.close()
  if (root) rmSync(root, { recursive: true, force: true })
})

async function start(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1024, height: 700 })
  await page.goto(host.url)
  await expect(page.getByRole('complementary', { name: 'Collections' }).getByText('Shop')).toBeVisible()
}

/** Whether the element is whole inside the visible part of `frame` (no scrolling needed to see it). */
async function wholeIn(el: Locator, frame: Locator): Promise<string> {
  const [e, f] = [await el.boundingBox(), await frame.boundingBox()]
  if (!e || !f) return 'no box'
  if (e.height < 8) return `${e.height}px tall`
  if (e.y < f.y - 1 || e.y + e.height > f.y + f.height + 1)
    return `rows ${e.y}..${e.y + e.height} outside ${f.y}..${f.y + f.height}`
  return 'whole'
}

test('GraphQL: the query, its variables and the Headers tab are all in sight in a new tab', async ({
  page,
}) => {
  await start(page)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'GraphQL' })
  await page.getByRole('textbox', { name: 'URL' }).fill(gql.url)
  const composer = page.getByRole('region', { name: 'Request' })
  const query = page.getByRole('textbox', { name: 'GraphQL query' })
  const variables = page.getByRole('textbox', { name: 'GraphQL variables' })
  const headers = composer.getByRole('tab', { name: /^Headers/ })
  // A Postman user looks for Query, Variables and Headers together; none of them is below the fold.
  for (const [what, el] of [
    ['query', query],
    ['variables', variables],
    ['Headers tab', headers],
  ] as const)
    await expect.poll(() => wholeIn(el, composer), what).toBe('whole')
  // The variables typed go with the query.
  await query.click()
  await page.keyboard.press('Control+a')
  await page.keyboard.type('query Who($id: Int!) { user(id: $id) { name } }')
  await variables.click()
  await page.keyboard.type('{"id": 0}')
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect(page.getByRole('alert', { name: 'GraphQL errors' })).toContainText('No user with id 0')
  // Headers is a tab like an HTTP request's, and the query comes back on its own tab.
  await headers.click()
  await expect(composer.getByRole('button', { name: '+ Add' })).toBeVisible()
  await composer.getByRole('tab', { name: 'Query' }).click()
  await expect(query).toContainText('user(id: $id)')
})

test('GraphQL: a schema that cannot be fetched is said as an error', async ({ page }) => {
  await start(page)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'GraphQL' })
  await page.getByRole('textbox', { name: 'URL' }).fill('http://127.0.0.1:1/graphql')
  await page.getByRole('button', { name: 'Fetch schema' }).click()
  const state = page.getByTestId('graphql-schema-state')
  await expect(state).toContainText(/refused/i)
  // An alert in the danger colour, not a grey note beside the schema file.
  await expect(state).toHaveAttribute('role', 'alert')
  const colours = await state.evaluate((el) => {
    const probe = document.createElement('span')
    probe.style.color = 'var(--danger)'
    el.parentElement?.appendChild(probe)
    const danger = getComputedStyle(probe).color
    probe.remove()
    return { own: getComputedStyle(el).color, danger }
  })
  expect(colours.own).toBe(colours.danger)
})

test('GraphQL: an empty query is not marked as an error; a wrong one is', async ({ page }) => {
  await start(page)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'GraphQL' })
  await page.getByRole('textbox', { name: 'URL' }).fill(gql.url)
  await page.getByRole('button', { name: /^(Fetch|Refresh) schema$/ }).click()
  await expect(page.getByTestId('graphql-schema-state')).toHaveText(/Schema: \d+ types/)
  const query = page.getByRole('textbox', { name: 'GraphQL query' })
  const editor = page.locator('.graphql-editors')
  await query.click()
  await page.keyboard.press('Control+a')
  await page.keyboard.type('query { nope }')
  await expect(editor.locator('.cm-lint-marker-error')).toHaveCount(1)
  // Emptied (as a new tab starts): no red mark for what the person has not written yet.
  await page.keyboard.press('Control+a')
  await page.keyboard.press('Delete')
  await expect(editor.locator('.cm-lint-marker-error')).toHaveCount(0)
  await expect(editor.locator('.cm-lintRange-error')).toHaveCount(0)
})

test('Tab leaves the timeline in one press; P pins the selected row', async ({ page }) => {
  await start(page)
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  await sidebar.getByRole('treeitem', { name: 'checks', exact: true }).hover()
  await sidebar.getByRole('button', { name: 'Run checks', exact: true }).click()
  const runner = page.getByRole('region', { name: 'Runner' })
  await runner.getByRole('button', { name: 'Start run' }).click()
  await expect(runner.getByTestId('run-state')).toHaveText('Finished', { timeout: 30_000 })
  const grid = page.getByRole('grid', { name: 'Timeline' })
  const rows = grid.locator('[role="row"][data-sid]')
  await rows.first().click()
  await expect(grid).toBeFocused()
  // One Tab: out of the grid, not onto the first of its rows' Pin buttons.
  await page.keyboard.press('Tab')
  const where = await page.evaluate(() => {
    const el = document.activeElement
    return `${el?.getAttribute('aria-label') ?? el?.textContent ?? ''} in grid: ${!!el?.closest('[role="grid"]')}`
  })
  expect(where).toMatch(/in grid: false$/)
  // Back in, P pins the selected row (the button says so) and P again unpins it.
  await page.keyboard.press('Shift+Tab')
  await expect(grid).toBeFocused()
  const selected = grid.locator('[role="row"][aria-selected="true"]')
  await page.keyboard.press('p')
  await expect(selected.getByRole('button', { name: 'Unpin' })).toHaveAttribute('aria-pressed', 'true')
  await page.keyboard.press('p')
  await expect(selected.getByRole('button', { name: 'Pin' })).toHaveAttribute('aria-pressed', 'false')
})

test('Tab onto the timeline with no row selected: its frame shows the focus', async ({ page }) => {
  await start(page)
  await page.getByRole('textbox', { name: 'URL' }).fill(`${http.url}/json?frame=1`)
  await page.getByRole('textbox', { name: 'URL' }).press('Control+Enter')
  await page.reload()
  const grid = page.getByRole('grid', { name: 'Timeline' })
  await expect(grid.locator('[role="row"][data-sid]').first()).toBeVisible()
  await expect(grid.locator('[role="row"][aria-selected="true"]')).toHaveCount(0)
  await page.locator('input[aria-label="Filter"]').focus()
  for (let i = 0; i < 40 && !(await grid.evaluate((el) => el === document.activeElement)); i++)
    await page.keyboard.press('Tab')
  await expect(grid).toBeFocused()
  const frame = await grid.evaluate((el) => {
    const style = getComputedStyle(el.parentElement as Element)
    return `${style.outlineStyle} ${style.outlineWidth}`
  })
  expect(frame).toBe('solid 2px')
})

test('Import… and Run take the focus along; Esc closes the import', async ({ page }) => {
  await start(page)
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  const importButton = sidebar.getByRole('button', { name: 'Import…' })
  await importButton.click()
  // Ready for a paste, and Esc (not a mouse trip to Cancel) puts it away.
  await expect(sidebar.getByRole('textbox', { name: 'Text to import' })).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(sidebar.getByRole('form', { name: 'Import' })).toHaveCount(0)
  await expect(importButton).toBeFocused()
  // A folder's Run: the focus is on Start run, so Enter runs it.
  await sidebar.getByRole('treeitem', { name: 'checks', exact: true }).hover()
  await sidebar.getByRole('button', { name: 'Run checks', exact: true }).click()
  const runner = page.getByRole('region', { name: 'Runner' })
  await expect(runner.getByRole('button', { name: 'Start run' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(runner.getByTestId('run-state')).toHaveText('Finished', { timeout: 30_000 })
})

test('the finder’s key is shown where a Postman user searches, whole', async ({ page }) => {
  await start(page)
  const search = page.getByRole('complementary', { name: 'Collections' }).getByLabel('Search requests')
  await expect(search).toHaveAttribute('placeholder', /Ctrl\+K/)
  const room = await placeholderRoom(search)
  expect(room).toBeGreaterThanOrEqual(0)
  await page.keyboard.press('Control+k')
  await expect(page.getByRole('dialog', { name: 'Open a request' })).toBeVisible()
  await expect(
    page.getByRole('combobox', { name: 'Find a request' }).or(page.getByLabel('Find a request')),
  ).toBeFocused()
})

test('a refused save of variables says why in the dialog, and keeps what was typed', async ({ page }) => {
  await start(page)
  await page.getByRole('button', { name: 'Variables…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Variables' })
  await dialog.getByRole('combobox', { name: 'Variable scope' }).selectOption({ label: '+ New environment…' })
  await dialog.getByRole('textbox', { name: 'Environment name' }).fill('Broken')
  await dialog.getByRole('button', { name: '+ Add variable' }).click()
  await page.keyboard.type('token')
  await dialog.getByRole('textbox', { name: 'Variable value 1' }).fill('abc')
  await dialog.getByRole('button', { name: 'Save variables' }).click()
  // The reason, in the dialog the person is looking at (the sidebar is behind it).
  await expect(dialog.getByRole('alert')).toContainText('environments/broken.yaml does not parse')
  await expect(dialog.getByRole('alert')).not.toContainText('see the message in the sidebar')
  await expect(dialog.getByRole('textbox', { name: 'Variable value 1' })).toHaveValue('abc')
  // Marked secret, the value's field says what a blank does, in full, in the narrow window.
  await dialog.getByRole('checkbox', { name: 'Secret token' }).check()
  const value = dialog.getByLabel('Variable value 1')
  await value.fill('')
  const room = await placeholderRoom(value)
  expect(room).toBeGreaterThanOrEqual(0)
})

test('the export panel: the focus goes in, Esc closes it, its buttons read as buttons in the dark', async ({
  page,
}) => {
  await start(page)
  await page.emulateMedia({ colorScheme: 'dark' })
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  const opener = sidebar.getByRole('button', { name: 'Export Shop' })
  await sidebar.getByRole('button', { name: 'Shop', exact: true }).hover()
  await opener.click()
  const dialog = sidebar.getByRole('dialog', { name: 'Export Shop' })
  await expect(dialog.getByRole('combobox', { name: 'Export format' })).toBeFocused()
  for (const name of ['Export', 'Close']) {
    const button = dialog.getByRole('button', { name, exact: true })
    expect(await contrastOf(button), name).toBeGreaterThanOrEqual(4.5)
  }
  await page.keyboard.press('Escape')
  await expect(dialog).toBeHidden()
  await expect(opener).toBeFocused()
})

test('dark: the gRPC and GraphQL fields look like the URL field, not like disabled ones', async ({
  page,
}) => {
  await start(page)
  await page.emulateMedia({ colorScheme: 'dark' })
  const url = page.getByRole('textbox', { name: 'URL' })
  const background = (el: Locator): Promise<string> =>
    el.evaluate((node) => getComputedStyle(node).backgroundColor)
  const mode = page.getByRole('combobox', { name: 'Session type' })
  await mode.selectOption({ label: 'gRPC' })
  const field = await background(url)
  expect(await background(page.getByLabel('Deadline in seconds'))).toBe(field)
  const gutter = page.locator('.cm-gutters').first()
  await page.getByRole('textbox', { name: 'Message (JSON)' }).click()
  const grpcGutter = await background(gutter)
  await mode.selectOption({ label: 'GraphQL' })
  expect(await background(page.getByRole('textbox', { name: 'Schema file' }))).toBe(field)
  // The query editor's line numbers sit on the same dark strip as the gRPC message editor's, not a light box.
  await page.getByRole('textbox', { name: 'GraphQL query' }).click()
  expect(await background(gutter)).toBe(grpcGutter)
})

test('Copy says it copied: the Code snippet and the grpcurl command', async ({ page }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: host.origin })
  await start(page)
  const clipboard = (): Promise<string> => page.evaluate(() => navigator.clipboard.readText())
  await page.getByRole('textbox', { name: 'URL' }).fill(`${http.url}/json?copied=1`)
  await page.getByRole('button', { name: 'Code', exact: true }).click()
  const snippet = page.getByRole('dialog', { name: 'Code snippet' })
  await snippet.getByRole('button', { name: 'Copy', exact: true }).click()
  await expect(snippet.getByRole('status')).toHaveText('Copied the cURL snippet')
  expect(await clipboard()).toContain('/json?copied=1')
  await snippet.getByRole('button', { name: 'Close', exact: true }).click()

  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'gRPC' })
  await page.getByRole('textbox', { name: 'URL' }).fill(`grpc://${grpc.target}`)
  await page.getByRole('button', { name: 'Load methods' }).click()
  const method = page.getByRole('group', { name: 'gRPC method' }).getByRole('combobox', { name: 'Method' })
  await method.selectOption('flightdeck.test.Echo/Say')
  await page.getByRole('button', { name: 'Copy as grpcurl' }).click()
  const note = page
    .getByRole('region', { name: 'Request' })
    .getByRole('status')
    .filter({ hasText: 'grpcurl' })
  await expect(note).toHaveText('Copied the grpcurl command')
  expect(await clipboard()).toContain('flightdeck.test.Echo/Say')
})
