import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { expect, test } from './file-page'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * Coming back: a reload of the browser host brings back the open tabs with their unsaved drafts, the
 * environment, Send ×N and the timeline's rows; a restart of the host offers the last session's timeline.
 */

let server: Fixture
let configDir: string
let collectionDir: string
let host: RunningWebHost | null = null

const launch = (): Promise<RunningWebHost> =>
  startBuiltWebHost(15_000, {
    args: ['--collections', collectionDir],
    env: { FLIGHTDECK_CONFIG_DIR: configDir },
  })

test.beforeAll(async () => {
  server = await startHttpServer()
  configDir = mkdtempSync(join(tmpdir(), 'fd-e2e-reload-config-'))
  collectionDir = mkdtempSync(join(tmpdir(), 'fd-e2e-reload-coll-'))
  mkdirSync(join(collectionDir, 'environments'))
  writeFileSync(join(collectionDir, 'collection.yaml'), 'flightdeck: 1\nname: shop-api\n')
  writeFileSync(join(collectionDir, 'list.yaml'), `name: List\nmethod: GET\nurl: ${server.url}/json\n`)
  writeFileSync(join(collectionDir, 'environments', 'staging.yaml'), 'name: Staging\nvariables:\n  who: s\n')
  host = await launch()
})

test.afterAll(async () => {
  await host?.stop()
  await server?.close()
  rmSync(configDir, { recursive: true, force: true })
  rmSync(collectionDir, { recursive: true, force: true })
})

test('a reload brings back tabs, drafts, environment, Send ×N and the timeline', async ({ page }) => {
  if (!host) throw new Error('no host')
  await page.goto(host.url)
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  const url = page.getByRole('textbox', { name: 'URL' })
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  const rows = timeline.getByRole('row')
  const env = page.getByRole('combobox', { name: 'Environment' })

  await sidebar.getByRole('treeitem', { name: 'List' }).click()
  await expect(url).toHaveValue(`${server.url}/json`)
  await env.selectOption('staging')
  await url.fill(`${server.url}/json?edited=1`)
  await expect(page.getByRole('tab', { name: 'List, unsaved changes' })).toBeVisible()

  await page.getByRole('button', { name: 'New request tab' }).click()
  await url.fill(`${server.url}/hello?draft=yes`)
  await page.getByRole('spinbutton', { name: 'Count' }).fill('3')
  await page.getByRole('button', { name: /Send ×/ }).click()
  await expect(timeline.locator('[role="row"][data-state="done"]')).toHaveCount(3)

  await page.reload()
  await expect(rows).toHaveCount(3)
  await expect(timeline.locator('[role="row"][data-status="200"]')).toHaveCount(3)
  await expect(url).toHaveValue(`${server.url}/hello?draft=yes`)
  await expect(page.getByRole('spinbutton', { name: 'Count' })).toHaveValue('3')
  await expect(env).toHaveValue('staging')
  // The file's tab is back with its edit, still unsaved; the file itself was not written.
  await page.getByRole('tab', { name: 'List, unsaved changes' }).click()
  await expect(url).toHaveValue(`${server.url}/json?edited=1`)
})

test('after a restart the last session is offered back, read-only, with the tabs', async ({ page }) => {
  if (!host) throw new Error('no host')
  await host.stop()
  host = await launch()
  await page.goto(host.url)
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  await expect(page.getByRole('tab', { name: 'List, unsaved changes' })).toBeVisible()
  await expect(timeline.getByRole('row')).toHaveCount(0)
  await page.getByRole('button', { name: "Open last session's timeline" }).click()
  await expect(timeline.locator('[role="row"][data-status="200"]')).toHaveCount(3)
  await expect(page.getByRole('button', { name: "Open last session's timeline" })).toBeHidden()
})
