import { expect, test } from '@playwright/test'
import { startBigSchemaServer, type BigSchemaFixture } from '../fixtures/graphql-big-schema'
import { openBigSchemaDocs } from './big-schema-docs'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * The docs' list of type names (the summary's first 500) is a windowed list, as a type's fields are: a big
 * schema's docs draw only the names the column shows (before, all 500 in the task that received the schema, most
 * of the page's longest task while a 5,000-type schema loads: graphql-big-schema), every listed name is
 * reachable by scrolling, and Back from a type returns to where the list was left.
 */

/** Names in the DOM: the column's ~30 in sight and the overscan on each side, never the list's 500. */
const MAX_ROWS_DRAWN = 100

let big: BigSchemaFixture
let host: RunningWebHost

test.beforeAll(async () => {
  // 600 object types, with their enums, inputs and the scalars: more names than the 500 the docs list.
  big = await startBigSchemaServer(600)
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await big?.close()
})

test("the docs' 500 type names draw only those in sight; the last is reachable and Back returns to it", async ({
  page,
}) => {
  test.setTimeout(90_000)
  const docs = await openBigSchemaDocs(page, host, big)
  const types = docs.getByRole('list', { name: 'Types' })
  await expect(types.getByRole('listitem').first()).toHaveAttribute('aria-setsize', '500')
  const drawn = (): Promise<number> =>
    page.evaluate(() => document.querySelectorAll('[aria-label="Types"] > li').length)
  expect(await drawn()).toBeLessThanOrEqual(MAX_ROWS_DRAWN)
  await expect(docs.getByTestId('graphql-docs-unlisted')).toContainText('more types, not listed')

  // Scrolled to the column's end, the 500th name is drawn and on screen, and the note below the list too.
  const column = page.locator('.graphql-schema')
  const last = types.locator('li[aria-posinset="500"]')
  await expect
    .poll(
      async () => {
        await column.evaluate((el) => {
          el.scrollTop = el.scrollHeight
        })
        return last.count()
      },
      { timeout: 10_000 },
    )
    .toBe(1)
  await expect(last).toBeInViewport()
  await expect(docs.getByTestId('graphql-docs-unlisted')).toBeInViewport()
  expect(await drawn()).toBeLessThanOrEqual(MAX_ROWS_DRAWN)

  // It opens; Back returns to the list where it was left, the 500th name in sight.
  const name = (await last.textContent()) ?? ''
  expect(name).not.toBe('')
  await last.getByRole('button', { name, exact: true }).click()
  await expect(docs.getByRole('heading', { name, exact: true })).toBeVisible()
  await docs.getByRole('button', { name: '← Back' }).click()
  await expect(last).toBeInViewport()
  await expect(last).toHaveText(name)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`type-list-${scheme}.png`) })
  }
})
