import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * A request file edited on disk while the collection is open: the sidebar shows the new name and a new folder,
 * and the folders the person opened or closed stay so (the change patches the tree; nothing is drawn anew).
 */

let root: string
let host: RunningWebHost | null = null

test.beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fd-e2e-live-'))
})

test.afterAll(async () => {
  await host?.stop()
  rmSync(root, { recursive: true, force: true })
})

function request(name: string, i: number): string {
  return `name: ${name}\nmethod: GET\nurl: http://127.0.0.1:9/items/${i}\n`
}

test('an edit on disk renames the request in the sidebar and keeps other folders open or closed', async ({
  page,
}) => {
  test.setTimeout(60_000)
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const dir = join(root, 'live-api')
  mkdirSync(dir)
  writeFileSync(join(dir, 'collection.yaml'), 'name: Live API\n')
  for (const folder of ['accounts', 'billing', 'catalog']) {
    mkdirSync(join(dir, folder))
    for (let i = 1; i <= 3; i++)
      writeFileSync(join(dir, folder, `${folder}-${i}.yaml`), request(`${folder} ${i}`, i))
  }
  await page.setViewportSize({ width: 1200, height: 760 })
  host = await startBuiltWebHost(15_000, { args: ['--collections', dir] })
  await page.goto(host.url)
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  const tree = sidebar.getByRole('tree', { name: 'Live API requests' })
  const catalog = tree.getByRole('treeitem', { name: 'catalog', exact: true })
  await expect(catalog).toHaveAttribute('aria-expanded', 'true')

  // The person closes one folder and leaves the others open.
  await catalog.click()
  await expect(catalog).toHaveAttribute('aria-expanded', 'false')
  await expect(tree.getByRole('treeitem', { name: 'catalog 1' })).toBeHidden()

  // An editor saves a request of another folder under a new name, and a new folder appears beside.
  writeFileSync(join(dir, 'billing', 'billing-2.yaml'), request('Refund an invoice', 2))
  await expect(tree.getByRole('treeitem', { name: 'Refund an invoice' })).toBeVisible()
  await expect(tree.getByRole('treeitem', { name: 'billing 2' })).toHaveCount(0)
  mkdirSync(join(dir, 'discounts'))
  writeFileSync(join(dir, 'discounts', 'codes.yaml'), request('List discount codes', 4))
  await expect(tree.getByRole('treeitem', { name: 'List discount codes' })).toBeVisible()

  // What the person opened and closed is as they left it.
  await expect(catalog).toHaveAttribute('aria-expanded', 'false')
  await expect(tree.getByRole('treeitem', { name: 'catalog 1' })).toBeHidden()
  await expect(tree.getByRole('treeitem', { name: 'accounts', exact: true })).toHaveAttribute(
    'aria-expanded',
    'true',
  )
  await expect(tree.getByRole('treeitem', { name: 'accounts 3' })).toBeVisible()
  await expect(tree.getByRole('treeitem', { name: 'billing 1' })).toBeVisible()

  await sidebar.screenshot({ path: test.info().outputPath('live-edit-light.png') })
  await page.emulateMedia({ colorScheme: 'dark' })
  await sidebar.screenshot({ path: test.info().outputPath('live-edit-dark.png') })
  expect(pageErrors).toEqual([])
})
