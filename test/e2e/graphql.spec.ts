import { type Page } from '@playwright/test'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { expect, test } from './file-page'
import { rowsAfterRestore } from './timeline-restored'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * GraphQL through the browser host in Chromium: a query written with completion from the fetched schema, its
 * errors shown as errors on a 200; a subscription beside an HTTP request and an SSE stream on one timeline.
 * Screenshots, light and dark, for docs/graphql.md.
 */

let gql: GraphqlFixture
let http: Fixture
let sse: SseFixture
let host: RunningWebHost

test.beforeAll(async () => {
  gql = await startGraphqlServer()
  http = await startHttpServer()
  sse = await startSseServer()
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await sse?.close()
  await http?.close()
  await gql?.close()
})

async function mode(page: Page, label: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label })
}

test('a query with schema completion; errors on a 200 shown as errors', async ({ page }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1400, height: 860 })
  await page.goto(host.url)
  await mode(page, 'GraphQL')
  await page.getByRole('textbox', { name: 'URL' }).fill(gql.url)
  await page.getByRole('button', { name: 'Fetch schema' }).click()
  await expect(page.getByTestId('graphql-schema-state')).toHaveText(/Schema: \d+ types/)
  // The docs explorer lists the root types and opens one.
  const docsPane = page.getByRole('complementary', { name: 'Schema docs' })
  await docsPane
    .getByRole('list', { name: 'Schema roots' })
    .getByRole('button', { name: 'Query', exact: true })
    .click()
  await expect(docsPane.getByRole('list', { name: 'Fields of Query' })).toContainText('user(id: Int!): User')

  const editor = page.getByRole('textbox', { name: 'GraphQL query' })
  await editor.click()
  await page.keyboard.type('query Who { us')
  // Completion from the schema: `user` is offered.
  const option = page.getByRole('option', { name: /^user/ })
  await expect(option).toBeVisible()
  await option.click()
  await page.keyboard.type('(id: 0) { name }')
  await expect(editor).toContainText('user(id: 0) { name }')
  await page.getByRole('button', { name: 'Send', exact: true }).click()

  const rows = page.getByRole('grid', { name: 'Timeline' }).getByRole('row')
  // The introspection and the query, each a row named after its operation.
  await expect(rows).toHaveCount(2)
  await expect(rows.nth(1)).toContainText('query Who')
  // By POST (a new tab's GET is not carried into GraphQL mode): no query string.
  await expect(rows.nth(1)).not.toContainText('?query=')
  // The row is marked: a 200 whose result has errors.
  await expect(rows.nth(1).getByTestId('graphql-error-mark')).toHaveAttribute(
    'aria-label',
    '1 GraphQL error: No user with id 0',
  )
  const errors = page.getByRole('alert', { name: 'GraphQL errors' })
  await expect(errors).toContainText('1 GraphQL error (on HTTP 200)')
  await expect(errors).toContainText('No user with id 0 (at user, line 1:13)')
  // The picture shows the body too: wait until its lines are drawn.
  await expect(page.getByText('"errors": [')).toBeVisible()
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: docsPicture(scheme === 'light' ? 'graphql.png' : 'graphql-dark.png') })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  expect(pageErrors).toEqual([])
})

test('a subscription beside an HTTP request and an SSE stream on one timeline', async ({ page }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1400, height: 860 })
  await page.goto(host.url)
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  const rows = timeline.getByRole('row')
  // The host keeps the first test's rows (a reload brings the timeline back): count from there.
  const before = await rowsAfterRestore(page)

  await mode(page, 'HTTP')
  const url = page.getByRole('textbox', { name: 'URL' })
  await url.fill(`${http.url}/delay?ms=400`)
  await url.press('Enter')

  await mode(page, 'SSE')
  await page
    .getByRole('group', { name: 'SSE options' })
    .getByRole('checkbox', { name: 'Reconnect' })
    .uncheck()
  await url.fill(`${sse.url}/llm?n=30&every=60`)
  await url.press('Enter')

  await mode(page, 'GraphQL')
  await url.fill(gql.url)
  await page.getByRole('combobox', { name: 'Transport' }).selectOption('ws')
  const editor = page.getByRole('textbox', { name: 'GraphQL query' })
  await editor.click()
  // The tab kept the first test's query (the workspace comes back after a reload): replace it.
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.press('Delete')
  await page.keyboard.type('subscription Ticks { count(to: 40, delayMs: 50) }')
  await page.getByRole('button', { name: 'Send', exact: true }).click()

  // The subscription runs over a shared connection, a row of its own above it (docs/graphql.md).
  await expect(rows).toHaveCount(before + 4)
  const sub = timeline.locator('[role="row"][data-sid^="g"]').filter({ hasText: 'subscription Ticks' })
  await expect(sub).toContainText('subscription Ticks')
  // Its results arrive as messages on the lane; it completes by itself.
  await expect(sub).toHaveAttribute('data-state', 'done', { timeout: 15_000 })
  await sub.click()
  const details = page.getByRole('region', { name: 'Stream details' })
  await expect(details).toContainText('graphql-transport-ws')
  await expect(page.getByRole('tablist', { name: 'Open requests' })).toContainText('GQL')
  // No hover card over the picture.
  await page.mouse.move(5, 850)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({
      path: docsPicture(scheme === 'light' ? 'graphql-subscription.png' : 'graphql-subscription-dark.png'),
    })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  expect(pageErrors).toEqual([])
})
