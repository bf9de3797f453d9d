import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * The export dialog through the browser host: a person exports a collection to Insomnia (a download) and to
 * Bruno (a folder), and sees what each export left out, listed with why.
 */

let root: string
let host: RunningWebHost | null = null

test.beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fd-e2e-export-'))
})
test.afterAll(async () => {
  await host?.stop()
  rmSync(root, { recursive: true, force: true })
})

test('export to Insomnia and Bruno lists what was left out', async ({ page }) => {
  test.setTimeout(60_000)
  const dir = join(root, 'shop')
  mkdirSync(dir)
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: shop\n')
  writeFileSync(
    join(dir, 'login.yaml'),
    'name: Login\nmethod: POST\nurl: http://127.0.0.1:1/login\nassertions:\n  - kind: status\n    equals: 200\n',
  )
  writeFileSync(join(dir, 'broken.yaml'), 'name: Broken\nmethod: [not, a, method]\n')
  host = await startBuiltWebHost(15_000, { env: { FLIGHTDECK_CONFIG_DIR: join(root, 'config') } })
  await page.goto(host.url)
  await page.getByRole('textbox', { name: 'Collection folder' }).fill(dir)
  await page.getByRole('button', { name: 'Open', exact: true }).click()

  await page.getByRole('button', { name: 'Export shop' }).click()
  const dialog = page.getByRole('dialog', { name: 'Export shop' })
  await dialog.getByRole('combobox', { name: 'Export format' }).selectOption('insomnia')
  const download = page.waitForEvent('download')
  await dialog.getByRole('button', { name: 'Export', exact: true }).click()
  expect((await download).suggestedFilename()).toBe('shop.insomnia.yaml')
  const skipped = dialog.getByRole('list', { name: 'Not exported' })
  await expect(skipped).toContainText('login.yaml: assertions not exported (Insomnia has no such field)')
  await expect(skipped).toContainText('broken.yaml: not exported')
  await expect(dialog).toContainText('2 things not exported')

  const folder = join(root, 'to-bruno')
  await dialog.getByRole('combobox', { name: 'Export format' }).selectOption('bruno')
  await dialog.getByRole('textbox', { name: 'Bruno folder' }).fill(folder)
  await dialog.getByRole('button', { name: 'Export', exact: true }).click()
  await expect(dialog.getByLabel('Export result')).toContainText(`to ${folder}`)
  expect(existsSync(join(folder, 'bruno.json'))).toBe(true)
  expect(existsSync(join(folder, 'login.bru'))).toBe(true)
  // The same folder again: refused, said plainly.
  await dialog.getByRole('button', { name: 'Export', exact: true }).click()
  await expect(dialog.getByRole('alert')).toContainText('is not empty')
})
