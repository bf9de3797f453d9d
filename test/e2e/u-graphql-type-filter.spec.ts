import { expect, test } from '@playwright/test'
import { startBigSchemaServer, type BigSchemaFixture } from '../fixtures/graphql-big-schema'
import { openBigSchemaDocs } from './big-schema-docs'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * The docs' list of types is windowed (find in page sees only the names drawn) and holds the summary's first
 * 500: a filter above it finds any of a 5,000-type schema's names, reached by keyboard from the roots above it,
 * says how many match, opens what it found, and Back brings the list back as filtered. Pictures light and dark
 * in the test's output folder.
 */

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

test("a filter over every type's name, with a count, reached by keyboard", async ({ page }) => {
  // The 12 MB introspection through the engine takes seconds on a shared two-core machine; the steps are bounded.
  test.setTimeout(120_000)
  const docs = await openBigSchemaDocs(page, host, big)
  const types = docs.getByRole('list', { name: 'Types' })
  const listed = big.namedTypes.toLocaleString('en-US')
  const filter = docs.getByRole('searchbox', { name: 'Filter types' })
  const count = docs.getByRole('status').filter({ hasText: 'types' })
  await expect(count).toHaveText(`${listed} types`)
  await expect(types.getByRole('button', { name: 'Type4999', exact: true })).toHaveCount(0)

  // From the root above it, Tab reaches the filter.
  await docs
    .getByRole('list', { name: 'Schema roots' })
    .getByRole('button', { name: 'Query', exact: true })
    .focus()
  await page.keyboard.press('Tab')
  await expect(filter).toBeFocused()
  await page.keyboard.type('type12')
  await expect(count).toHaveText(`111 of ${listed} types match`)
  await expect(types.getByRole('listitem').first()).toHaveText('Type12')
  await expect(types.getByRole('listitem').first()).toHaveAttribute('aria-setsize', '111')
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`type-filter-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })

  // A name far past the 500 listed: found, opened by keyboard, and Back brings the filtered list back.
  await filter.fill('Type4999')
  await expect(count).toHaveText(`1 of ${listed} types match`)
  const found = types.getByRole('button', { name: 'Type4999', exact: true })
  await expect(found).toBeVisible()
  await page.keyboard.press('Tab')
  await expect(found).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(docs.getByRole('heading', { name: 'Type4999', exact: true })).toBeVisible()
  await docs.getByRole('button', { name: '← Back' }).click()
  await expect(filter).toHaveValue('Type4999')
  await expect(found).toBeVisible()

  // Nothing matches: the count says so; emptied, the whole list is back.
  await filter.fill('no-such-type')
  await expect(count).toHaveText(`0 of ${listed} types match`)
  await expect(types.getByRole('listitem')).toHaveCount(0)
  await filter.fill('')
  await expect(count).toHaveText(`${listed} types`)
  await expect(types.getByRole('listitem').first()).toHaveAttribute('aria-setsize', '500')
})
