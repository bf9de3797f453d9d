import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { startRunnerServer, type RunnerServer } from '../fixtures/runner-server'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * The composer's Tests tab through the browser host: open a saved request, add an assertion (a bad status is
 * flagged and not saved), an extraction and a dependency, save with Ctrl+S and find them in the YAML file.
 */

let server: RunnerServer
let root: string
let configDir: string
let host: RunningWebHost | null = null

test.beforeAll(async () => {
  server = await startRunnerServer()
  root = mkdtempSync(join(tmpdir(), 'fd-e2e-tests-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-e2e-tests-config-'))
})

test.afterAll(async () => {
  await host?.stop()
  await server?.close()
  rmSync(root, { recursive: true, force: true })
  rmSync(configDir, { recursive: true, force: true })
})

test('the Tests tab edits assertions, extraction and dependencies and saves them into the file', async ({
  page,
}) => {
  test.setTimeout(60_000)
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const dir = join(root, 'api')
  mkdirSync(join(dir, 'auth'), { recursive: true })
  writeFileSync(join(dir, 'collection.yaml'), `flightdeck: 1\nname: api\nvariables:\n  base: ${server.url}\n`)
  writeFileSync(join(dir, 'auth', 'login.yaml'), 'name: Log in\nmethod: GET\nurl: "{{base}}/echo?user=ann"\n')
  const mePath = join(dir, 'me.yaml')
  writeFileSync(mePath, 'name: Me\nmethod: GET\nurl: "{{base}}/echo?who={{who}}"\n')

  await page.setViewportSize({ width: 1400, height: 820 })
  host = await startBuiltWebHost(15_000, { env: { FLIGHTDECK_CONFIG_DIR: configDir } })
  await page.goto(host.url)
  await page.getByRole('textbox', { name: 'Collection folder' }).fill(dir)
  await page.getByRole('button', { name: 'Open', exact: true }).click()
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  await sidebar.getByRole('treeitem', { name: 'Me' }).click()
  await expect(page.getByRole('tab', { name: 'Me' })).toHaveAttribute('aria-selected', 'true')

  // Room for the whole tab: the composer pane made taller from the keyboard.
  const splitter = page.getByRole('separator', { name: 'Resize composer' })
  await splitter.focus()
  for (let i = 0; i < 5; i++) await splitter.press('Shift+ArrowDown')

  const testsTab = page.getByRole('tab', { name: /^Tests/ })
  await testsTab.click()
  const panel = page.getByRole('tabpanel')
  await expect(panel.getByText('No assertions')).toBeVisible()

  // A status assertion: a typo is flagged beside the field and the save refuses, naming it.
  await panel.getByRole('button', { name: '+ Status' }).click()
  await expect(testsTab).toHaveText(/Tests\s*1/)
  const status = panel.getByRole('textbox', { name: 'Assertion 1 value' })
  await status.fill('2OO')
  await expect(status).toHaveAttribute('aria-invalid', 'true')
  await expect(panel.getByText('Status must be a whole number')).toBeVisible()
  await page.keyboard.press('Control+s')
  await expect(page.getByRole('alert').filter({ hasText: 'Tests tab' })).toBeVisible()
  expect(readFileSync(mePath, 'utf8')).not.toContain('assertions')
  await status.fill('200')
  await expect(status).not.toHaveAttribute('aria-invalid', 'true')

  // A header check, an extraction, a dependency and a retry policy.
  await panel.getByRole('button', { name: '+ Header' }).click()
  await panel.getByRole('textbox', { name: 'Assertion 2 header' }).fill('content-type')
  await panel.getByRole('combobox', { name: 'Assertion 2 comparison' }).selectOption('contains')
  await panel.getByRole('textbox', { name: 'Assertion 2 value' }).fill('json')
  await panel.getByRole('button', { name: '+ Duration under' }).click()
  await panel.getByRole('textbox', { name: 'Assertion 3 value' }).fill('500')
  await panel.getByRole('button', { name: '+ Extract' }).click()
  await panel.getByRole('textbox', { name: 'Extraction 1 variable' }).fill('who')
  await panel.getByRole('textbox', { name: 'Extraction 1 path' }).fill('$.query.who')
  await panel.getByRole('combobox', { name: 'Add dependency' }).selectOption('auth/login')
  await expect(panel.getByText('Log in')).toBeVisible()
  await panel.getByRole('checkbox', { name: 'Retry failed attempts' }).check()
  await expect(testsTab).toHaveText(/Tests\s*3/)
  await expect(page.getByRole('tab', { name: 'Me, unsaved changes' })).toBeVisible()

  await page.keyboard.press('Control+s')
  await expect(page.getByRole('tab', { name: 'Me', exact: true })).toBeVisible()
  const saved = readFileSync(mePath, 'utf8')
  expect(saved).toContain('assertions:\n  - kind: status\n    equals: 200\n')
  expect(saved).toContain('  - kind: header\n    name: content-type\n    contains: json\n')
  expect(saved).toContain('extract:\n  - name: who\n    from: json\n    path: $.query.who\n')
  expect(saved).toContain('  - kind: duration-under\n    ms: 500\n')
  expect(saved).toContain('retry:\n  retries: 3\n')
  expect(saved).toContain('dependsOn:\n  - auth/login\n')

  await panel.evaluate((el) => el.scrollTo(0, 0))
  await page.screenshot({
    path: docsPicture('tests-tab.png'),
    clip: { x: 0, y: 0, width: 1400, height: 540 },
  })

  // The value fields are code editors: `{{` offers the variables in scope, Enter takes one, and the token is
  // coloured as known; Enter never makes a second line and Tab leaves for the next field.
  await panel.getByRole('button', { name: '+ Body contains' }).click()
  const contains = panel.getByRole('textbox', { name: 'Assertion 4 value' })
  await contains.click()
  await page.keyboard.type('id={{ba')
  await expect(page.getByRole('option', { name: /^base/ })).toBeVisible()
  await page.keyboard.press('Enter')
  await expect(contains).toHaveText('id={{base}}')
  await expect(contains.locator('.cm-var-known')).toHaveText('{{base}}')
  await page.keyboard.press('Enter')
  await expect(contains).toHaveText('id={{base}}')
  await expect(contains.locator('.cm-line')).toHaveCount(1)
  await page.keyboard.press('Tab')
  await expect(contains).not.toBeFocused()
  await expect(panel.getByRole('button', { name: 'Remove assertion 4' })).toBeFocused()
  expect(pageErrors).toEqual([])
})
