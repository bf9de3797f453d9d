import { expect, type Locator, type Page } from '@playwright/test'

/**
 * How many of `rows` a freshly loaded page shows once the engine's timeline has been replayed into it. A new
 * page (or a reload) gets the sessions the host kept from earlier tests a page at a time; until the grid stops
 * being aria-busy, rows are still arriving, and a count taken then is too low. Counting from here, "one row
 * more" means the row the test made.
 */
export async function rowsAfterRestore(page: Page, rows?: Locator): Promise<number> {
  const grid = page.getByRole('grid', { name: 'Timeline' })
  await expect(grid).toHaveAttribute('aria-busy', 'false')
  return (rows ?? grid.getByRole('row')).count()
}
