import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * A collection's and a folder's own scripts through the browser host in Chromium: a request's Scripts tab names
 * the collection and folder scripts that run around it; a click opens the folder's settings at its Scripts
 * section (the same editors as the request's), an edit there is saved to folder.yaml, and a send runs the
 * collection's, the folder's and the request's tests, in that order. Leaves docs/folder-scripts-light.png and
 * docs/folder-scripts-dark.png.
 */

let server: Fixture
let host: RunningWebHost
let dir: string

test.beforeAll(async () => {
  server = await startHttpServer()
  host = await startBuiltWebHost(15_000, {
    env: { FLIGHTDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'flightdeck-folder-scripts-')) },
  })
  dir = mkdtempSync(join(tmpdir(), 'fd-folder-scripts-'))
  mkdirSync(join(dir, 'account'))
  writeFileSync(
    join(dir, 'collection.yaml'),
    [
      'flightdeck: 1',
      'name: Shop',
      'variables:',
      `  base: ${server.url}`,
      '  client: acme',
      'scripts:',
      '  preRequest: |-',
      "    // Every request of the API carries the client's token.",
      "    const token = 'tok-' + pm.variables.get('client')",
      "    pm.request.headers.upsert({ key: 'X-Token', value: token })",
      '  test: |-',
      "    pm.test('answers', () => pm.response.to.be.ok)",
      '',
    ].join('\n'),
  )
  writeFileSync(
    join(dir, 'account', 'folder.yaml'),
    [
      'name: Account',
      'scripts:',
      '  test: |-',
      "    pm.test('echoes the token', () => {",
      "      pm.expect(pm.response.json().headers['x-token']).to.eql('tok-acme')",
      '    })',
      '',
    ].join('\n'),
  )
  writeFileSync(
    join(dir, 'account', 'me.yaml'),
    [
      'name: Who am I',
      'url: "{{base}}/echo?via=folder-scripts"',
      'scripts:',
      '  test: |-',
      "    pm.test('is a GET', () => pm.expect(pm.response.json().method).to.eql('GET'))",
      '',
    ].join('\n'),
  )
})

test.afterAll(async () => {
  await host?.stop()
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

test('collection and folder scripts: named in the request’s Scripts tab, edited in the folder’s settings, run around a send', async ({
  page,
}) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(host.url)
  await page.getByRole('textbox', { name: 'Collection folder' }).fill(dir)
  await page.getByRole('button', { name: 'Open', exact: true }).click()
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  const account = sidebar.getByRole('treeitem', { name: 'Account' })
  await expect(account).toBeVisible()
  if ((await account.getAttribute('aria-expanded')) !== 'true') await account.click()
  await sidebar.getByRole('treeitem', { name: 'Who am I' }).click()
  await page.getByRole('tab', { name: /^Scripts/ }).click()

  // One line says what runs around the request's own scripts, outermost first.
  const line = page.getByTestId('scripts-levels')
  await expect(line).toContainText(
    'collection Shop (pre-request and post-response) › folder Account (post-response)',
  )

  // A click opens the folder's settings at its Scripts, in the same editors; an added test is saved to folder.yaml.
  await line.getByRole('button', { name: 'folder Account' }).click()
  const dialog = page.getByRole('dialog', { name: 'Folder Account settings' })
  const post = dialog.getByRole('textbox', { name: 'Post-response script' })
  await expect(post).toContainText("pm.test('echoes the token'")
  // The folder has no pre-request script: its editor's grey text reads as an example, not as one set.
  await expect(
    dialog.getByRole('region', { name: 'Pre-request script' }).locator('.cm-placeholder'),
  ).toHaveText(/^\/\/ e\.g\. pm\./)
  await post.click()
  await page.keyboard.press('Control+End')
  await page.keyboard.insertText(
    "\npm.test('within a second', () => pm.expect(pm.response.responseTime).to.be.below(1000))",
  )
  await dialog.getByRole('button', { name: 'Save settings' }).click()
  await expect(dialog).toBeHidden()
  await expect
    .poll(() => readFileSync(join(dir, 'account', 'folder.yaml'), 'utf8'))
    .toContain("pm.test('within a second'")

  // A send runs the collection's, the folder's and the request's scripts: the token reached the server, and the
  // tests are listed in the order they ran.
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const strip = page.getByTestId('script-strip')
  await expect(strip).toContainText('4 passed')
  expect(server.requests.find((r) => r.url.includes('via=folder-scripts'))?.headers['x-token']).toBe(
    'tok-acme',
  )
  await strip.getByRole('button', { name: 'Scripts ›' }).click()
  const report = page.getByTestId('script-report')
  await expect(report.locator('tr[data-test]')).toHaveCount(4)
  expect(
    await report.locator('tr[data-test]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-test'))),
  ).toEqual(['answers', 'echoes the token', 'within a second', 'is a GET'])

  // The pictures: the folder's settings with its Scripts, opened from the sidebar's ⚙.
  await sidebar.getByRole('button', { name: 'Settings of Account' }).click()
  const settings = page.getByRole('dialog', { name: 'Folder Account settings' })
  await expect(settings.getByTestId('folder-scripts')).toHaveAttribute('open', '')
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: docsPicture(`folder-scripts-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await settings.getByRole('button', { name: 'Cancel' }).click()
  expect(pageErrors).toEqual([])
})
