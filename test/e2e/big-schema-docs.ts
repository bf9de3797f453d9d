import { expect, type Locator, type Page } from '@playwright/test'
import type { BigSchemaFixture } from '../fixtures/graphql-big-schema'
import type { RunningWebHost } from './web-host'

/**
 * A GraphQL session on the big-schema server at 1024×700: the schema fetched through the engine (seconds for the
 * 12 MB introspection on a shared two-core machine, so its summary is waited for up to 60 s), and the docs'
 * column, where the specs look.
 */
export async function openBigSchemaDocs(
  page: Page,
  host: RunningWebHost,
  big: BigSchemaFixture,
): Promise<Locator> {
  await page.setViewportSize({ width: 1024, height: 700 })
  await page.goto(host.url)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'GraphQL' })
  await page.getByRole('textbox', { name: 'URL' }).fill(big.url)
  await page.getByRole('button', { name: 'Fetch schema' }).click()
  await expect(page.getByTestId('graphql-schema-state')).toHaveText(
    `Schema: ${big.namedTypes.toLocaleString('en-US')} types`,
    { timeout: 60_000 },
  )
  return page.getByRole('complementary', { name: 'Schema docs' })
}
