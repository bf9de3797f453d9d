import { expect, test, type Locator, type Page } from '@playwright/test'
import { startBigSchemaServer, type BigSchemaFixture } from '../fixtures/graphql-big-schema'
import { openBigSchemaDocs } from './big-schema-docs'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * The GraphQL docs column at 1024×700 with a 5,000-type schema: as tall as the editors beside it; a filter's
 * matches fill the column under the filter (one name showed under the tools and headings before); a "more below ↓"
 * line under the column while the type list or a type's fields run past it, gone at their end; and the schema
 * line and the filter count the same types. Pictures light and dark in the test's output folder.
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

type Box = { x: number; y: number; width: number; height: number }

async function box(what: Locator): Promise<Box> {
  const b = await what.boundingBox()
  if (!b) throw new Error('not drawn')
  return b
}

async function pictures(page: Page, name: string): Promise<void> {
  await page.mouse.move(1, 1)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`${name}-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
}

/** How many of `items` lie wholly inside `column`'s box. */
async function wholeIn(items: Locator, column: Locator): Promise<number> {
  const c = await box(column)
  let n = 0
  for (const item of await items.all()) {
    const b = await item.boundingBox()
    if (b && b.height > 0 && b.y >= c.y - 0.5 && b.y + b.height <= c.y + c.height + 0.5) n++
  }
  return n
}

test('the docs column: its height, a filter’s matches in sight, a cue while a list runs past, one count', async ({
  page,
}) => {
  test.setTimeout(120_000)
  const docs = await openBigSchemaDocs(page, host, big)
  const column = page.locator('.graphql-schema')
  const strip = page.locator('.graphql-schema-pane > .scroll-cue-strip')
  const all = big.namedTypes.toLocaleString('en-US')

  // The schema line and the docs count the same types (the roots among them).
  await expect(page.getByTestId('graphql-schema-state')).toHaveText(`Schema: ${all} types`)
  const count = docs.getByRole('status').filter({ hasText: 'types' })
  await expect(count).toHaveText(`${all} types`)

  // As tall as the editors beside it, its line included.
  const [pane, editors] = [
    await box(page.locator('.graphql-schema-pane')),
    await box(page.locator('.graphql-editors')),
  ]
  expect(Math.abs(pane.y + pane.height - (editors.y + editors.height))).toBeLessThan(1)

  // The list runs past the column: said under it.
  await expect(strip).toHaveAttribute('data-below', '')
  await expect(strip).toHaveText('more below ↓')

  // Filtered, the matches fill the column under the filter (it was one name under the tools and headings).
  await docs.getByRole('searchbox', { name: 'Filter types' }).fill('type12')
  await expect(count).toHaveText(`111 of ${all} types match`)
  const names = docs.getByRole('list', { name: 'Types' }).getByRole('listitem')
  await expect(names.first()).toHaveText('Type12')
  await expect.poll(() => wholeIn(names, column)).toBeGreaterThanOrEqual(5)
  await expect(docs.getByRole('searchbox', { name: 'Filter types' })).toBeInViewport({ ratio: 1 })
  await expect(strip).toHaveAttribute('data-below', '')
  await pictures(page, 'docs-filtered')

  // At the list's end the words go.
  await column.evaluate((el) => el.scrollTo(0, el.scrollHeight))
  await expect(strip).not.toHaveAttribute('data-below')

  // A type's fields past the column: said, and gone at their end.
  await column.evaluate((el) => el.scrollTo(0, 0))
  await names.getByRole('button', { name: 'Type12', exact: true }).click()
  await expect(docs.getByRole('heading', { name: 'Type12', exact: true })).toBeVisible()
  await expect(strip).toHaveAttribute('data-below', '')
  await pictures(page, 'docs-type')
  await column.evaluate((el) => el.scrollTo(0, el.scrollHeight))
  await expect(strip).not.toHaveAttribute('data-below')
})
