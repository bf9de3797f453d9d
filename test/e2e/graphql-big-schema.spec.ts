import { expect, test } from '@playwright/test'
import { startBigSchemaServer, type BigSchemaFixture } from '../fixtures/graphql-big-schema'
import { watchMainThread } from './main-thread-tasks'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * A 5,000-type schema served by graphql-yoga, fetched in the app through the browser host in Chromium: the
 * introspection's parsing and schema building happen in the schema worker, so no task of the page's main thread
 * takes over 50 ms while it loads, and the query editor stays typeable; completion and validation against that
 * schema do not block typing either. The Long Tasks API's wall-time durations are reported; the assertion is on
 * each task's CPU time (Chromium's trace), which a crowded machine does not inflate. Before the worker, building
 * this schema on the page was one task of 860 ms. The time from the click to the schema's summary is reported
 * as `ui.graphql_schema_5000_ms` (a figure, not a ratio).
 */

const TASK_BUDGET_MS = 50

let big: BigSchemaFixture
let host: RunningWebHost

test.beforeAll(async () => {
  big = await startBigSchemaServer(5000)
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await big?.close()
})

test('a 5,000-type schema loads off the UI thread; the editor stays typeable and completes from it', async ({
  page,
}) => {
  // A 12 MB introspection through the engine on a shared two-core machine takes seconds; the steps are bounded.
  test.setTimeout(150_000)
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(host.url)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'GraphQL' })
  await page.getByRole('textbox', { name: 'URL' }).fill(big.url)
  const editor = page.getByRole('textbox', { name: 'GraphQL query' })
  await editor.click()
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.press('Delete')

  const state = page.getByTestId('graphql-schema-state')
  const loading = await watchMainThread(page)
  const started = Date.now()
  await page.getByRole('button', { name: 'Fetch schema' }).click()
  // Typed while the schema loads: every key lands.
  await editor.click()
  await page.keyboard.type('query Typed { first { id } }')
  await expect(state).toHaveText(`Schema: ${big.namedTypes.toLocaleString('en-US')} types`, {
    timeout: 30_000,
  })
  const loadMs = Date.now() - started
  await expect(editor).toContainText('query Typed { first { id } }')
  const whileLoading = await loading.stop()
  test.info().annotations.push({ type: 'ui.graphql_schema_5000_ms', description: String(loadMs) })
  // Of which the exchange itself (yoga building the answer, the engine receiving it): its row's time.
  const exchange = await page
    .getByRole('grid', { name: 'Timeline' })
    .getByRole('row')
    .filter({ hasText: 'IntrospectionQuery' })
    .getByRole('gridcell')
    .nth(2)
    .textContent()
  console.log(`the introspection exchange: ${exchange ?? '?'}`)
  console.log(
    `ui.graphql_schema_5000_ms ${loadMs}; while loading, long tasks (wall ms) ${JSON.stringify(whileLoading.longTasksMs)}, ` +
      `main-thread tasks over 20 ms of CPU ${JSON.stringify(whileLoading.cpuTasksMs)}`,
  )
  expect(whileLoading.cpuTasksMs.filter((ms) => ms > TASK_BUDGET_MS)).toEqual([])

  // The docs list the types from the summary; a type opens from the worker's answer.
  const docsPane = page.getByRole('complementary', { name: 'Schema docs' })
  await expect(docsPane.getByTestId('graphql-docs-unlisted')).toHaveText(
    `…and ${(big.namedTypes - 500).toLocaleString('en-US')} more types, not listed: filter by name to find them, or open them from a field`,
  )
  // (Scrolling Query's 5,001 fields is graphql-docs-show-all's; here a field found by the docs' filter.)
  await docsPane
    .getByRole('list', { name: 'Schema roots' })
    .getByRole('button', { name: 'Query', exact: true })
    .click()
  await docsPane.getByRole('searchbox', { name: 'Filter fields of Query' }).fill('type298')
  await expect(docsPane.getByRole('list', { name: 'Fields of Query' })).toContainText(
    'type298(id: ID!): Type298',
  )
  await docsPane.getByRole('button', { name: 'Type298', exact: true }).click()
  await expect(docsPane.getByRole('list', { name: 'Fields of Type298' })).toContainText(
    'items(filter: Filter29, first: Int, after: String): [Type300!]!',
  )

  // Completion and validation against the big schema while typing.
  await editor.click()
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.press('Delete')
  const typing = await watchMainThread(page)
  await page.keyboard.type('query Two { type499')
  const option = page.getByRole('option', { name: /^type4999/ })
  await expect(option).toBeVisible()
  await page.keyboard.press('Escape')
  await page.keyboard.type('9(id: "1") { nope } }')
  // Validation marks the unknown field (the linter asks the worker too).
  await expect(page.locator('.cm-lintRange-error')).toHaveCount(1, { timeout: 10_000 })
  await expect(editor).toContainText('query Two { type4999(id: "1") { nope } }')
  const whileTyping = await typing.stop()
  console.log(
    `typing against the big schema: long tasks (wall ms) ${JSON.stringify(whileTyping.longTasksMs)}, ` +
      `main-thread tasks over 20 ms of CPU ${JSON.stringify(whileTyping.cpuTasksMs)}`,
  )
  expect(whileTyping.cpuTasksMs.filter((ms) => ms > TASK_BUDGET_MS)).toEqual([])
  expect(pageErrors).toEqual([])
})
