import { type Page } from '@playwright/test'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { startGraphqlSseServer, type GraphqlSseFixture } from '../fixtures/graphql-sse-server'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { expect, test } from './file-page'
import { rowsAfterRestore } from './timeline-restored'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * Two GraphQL subscriptions to one endpoint through the browser host in Chromium: they share one WebSocket,
 * listed as sibling lanes under their connection's row, beside an HTTP request; one whose results carry errors
 * has red ticks and counts them; stopping one leaves the other running; with the composer's Share connection
 * switch off each opens its own. Screenshots, light and dark, for docs/graphql.md.
 */

let gql: GraphqlFixture
let sse: GraphqlSseFixture
let http: Fixture
let host: RunningWebHost

test.beforeAll(async () => {
  gql = await startGraphqlServer()
  sse = await startGraphqlSseServer()
  http = await startHttpServer()
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await http?.close()
  await sse?.close()
  await gql?.close()
})

async function mode(page: Page, label: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label })
}

async function subscribe(page: Page, query: string): Promise<void> {
  const editor = page.getByRole('textbox', { name: 'GraphQL query' })
  await editor.click()
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.press('Delete')
  await page.keyboard.type(query)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
}

test('two subscriptions share one WebSocket: sibling lanes under the connection, beside an HTTP request', async ({
  page,
}) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1400, height: 860 })
  await page.goto(host.url)
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  const rows = timeline.getByRole('row')
  const before = await rowsAfterRestore(page)

  await mode(page, 'HTTP')
  const url = page.getByRole('textbox', { name: 'URL' })
  await url.fill(`${http.url}/delay?ms=4000`)
  await url.press('Enter')

  await mode(page, 'GraphQL')
  await url.fill(gql.url)
  await page.getByRole('combobox', { name: 'Transport' }).selectOption('ws')
  await subscribe(page, 'subscription Ticks { count(to: 100000, delayMs: 40) }')
  await subscribe(page, 'subscription Flaky { flaky(to: 60, delayMs: 50) }')

  // The HTTP request, the connection, and its two operations.
  await expect(rows).toHaveCount(before + 4)
  const conn = rows.filter({ hasText: 'GraphQL connection' })
  const ticks = rows.filter({ hasText: 'subscription Ticks' })
  const flaky = rows.filter({ hasText: 'subscription Flaky' })
  await expect(ticks.getByTestId('mux-badge')).toBeVisible()
  await expect(flaky.getByTestId('mux-badge')).toBeVisible()
  // Listed right under their connection, in the order sent.
  const sids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-sid') ?? ''))
  const connSid = (await conn.getAttribute('data-sid')) ?? ''
  const at = sids.indexOf(connSid)
  expect(sids.slice(at, at + 3)).toEqual([
    connSid,
    (await ticks.getAttribute('data-sid')) ?? '',
    (await flaky.getAttribute('data-sid')) ?? '',
  ])

  // Flaky's results carry errors on every other one: counted in its pane, red on its lane.
  await expect(flaky).toHaveAttribute('data-state', 'done', { timeout: 30_000 })
  await flaky.click()
  const details = page.getByRole('region', { name: 'Stream details' })
  await expect(details.getByTestId('result-errors')).toHaveText(' · 30 results with errors')
  // Its row is marked as a query with errors is.
  await expect(flaky.getByTestId('graphql-error-mark')).toHaveAttribute(
    'aria-label',
    '30 GraphQL errors: Item 2 failed',
  )
  await expect(details).toContainText('graphql-transport-ws')
  // Ticks runs on over the same connection after Flaky completed.
  await expect(ticks).not.toHaveAttribute('data-state', 'done')
  await expect(conn).not.toHaveAttribute('data-state', 'done')
  // The whole timeline in the picture, the HTTP request's bar included.
  await page.getByRole('button', { name: 'Fit all' }).click()
  await page.mouse.move(5, 850)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({
      path: docsPicture(scheme === 'light' ? 'graphql-multiplex.png' : 'graphql-multiplex-dark.png'),
    })
  }
  await page.emulateMedia({ colorScheme: 'light' })

  // Stopping the last operation closes the connection.
  await ticks.click()
  await details.getByRole('button', { name: /^(Stop|Close)$/ }).click()
  await expect(ticks).toHaveAttribute('data-state', 'done')
  await expect(conn).toHaveAttribute('data-state', 'done')
  expect(pageErrors).toEqual([])
})

test('two subscriptions over SSE in single connection mode share one reserved stream', async ({ page }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1400, height: 860 })
  await page.goto(host.url)
  const rows = page.getByRole('grid', { name: 'Timeline' }).getByRole('row')
  const before = await rowsAfterRestore(page)
  await mode(page, 'GraphQL')
  await page.getByRole('textbox', { name: 'URL' }).fill(sse.url)
  await page.getByRole('combobox', { name: 'Transport' }).selectOption('sse-single')
  await subscribe(page, 'subscription One { count(to: 100000, delayMs: 40) }')
  await subscribe(page, 'subscription Two { count(to: 20, delayMs: 40) }')
  // The reservation (PUT), the stream, and its two operations (their POSTs are drawn on their lanes).
  await expect(rows).toHaveCount(before + 4)
  await expect(rows.filter({ hasText: 'reserve a GraphQL event stream' })).toHaveCount(1)
  const stream = rows.filter({ hasText: 'GraphQL event stream' }).filter({ hasNotText: 'reserve' })
  const one = rows.filter({ hasText: 'subscription One' })
  const two = rows.filter({ hasText: 'subscription Two' })
  await expect(one.getByTestId('mux-badge')).toBeVisible()
  await expect(two).toHaveAttribute('data-state', 'done', { timeout: 15_000 })
  await expect(one).not.toHaveAttribute('data-state', 'done')
  // Stopping the last operation closes the stream.
  await one.click()
  await page
    .getByRole('region', { name: 'Stream details' })
    .getByRole('button', { name: /^(Stop|Close)$/ })
    .click()
  await expect(one).toHaveAttribute('data-state', 'done')
  await expect(stream).toHaveAttribute('data-state', 'done')
  expect(pageErrors).toEqual([])
})

test('with Share connection off, each subscription opens a WebSocket of its own', async ({ page }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1400, height: 860 })
  await page.goto(host.url)
  const rows = page.getByRole('grid', { name: 'Timeline' }).getByRole('row')
  const before = await rowsAfterRestore(page)
  const inits = gql.connectionParams.length
  const connections = rows.filter({ hasText: 'GraphQL connection' })
  // The host keeps the earlier tests' rows, their connections' included.
  const connectionsBefore = await connections.count()
  await mode(page, 'GraphQL')
  await page.getByRole('textbox', { name: 'URL' }).fill(gql.url)
  await page.getByRole('combobox', { name: 'Transport' }).selectOption('ws')
  const share = page.getByRole('checkbox', { name: 'Share connection' })
  await expect(share).toBeChecked()
  await share.uncheck()
  await subscribe(page, 'subscription Own1 { count(to: 100000, delayMs: 40) }')
  await subscribe(page, 'subscription Own2 { count(to: 100000, delayMs: 40) }')
  // The server saw two connection_init, and both subscriptions are live: every row they make is here by now.
  await expect.poll(() => gql.connectionParams.length).toBe(inits + 2)
  const own1 = rows.filter({ hasText: 'subscription Own1' })
  const own2 = rows.filter({ hasText: 'subscription Own2' })
  await expect(own1).toHaveAttribute('data-state', 'active')
  await expect(own2).toHaveAttribute('data-state', 'active')
  // Two rows, no connection row above them, no shared badge.
  expect(await rows.count()).toBe(before + 2)
  expect(await connections.count()).toBe(connectionsBefore)
  await expect(own1.getByTestId('mux-badge')).toHaveCount(0)
  await expect(own2.getByTestId('mux-badge')).toHaveCount(0)
  const details = page.getByRole('region', { name: 'Stream details' })
  for (const row of [own1, own2]) {
    await row.click()
    await details.getByRole('button', { name: /^(Stop|Close)$/ }).click()
    await expect(row).toHaveAttribute('data-state', 'done')
  }
  // Back on, as the next test expects the default.
  await share.check()
  expect(pageErrors).toEqual([])
})
