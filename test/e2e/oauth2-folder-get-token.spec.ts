import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * Get token in a folder's settings (Postman has it where an inherited OAuth 2.0 is configured), through the
 * browser host in Chromium against a token endpoint and an API on 127.0.0.1:0: the token's facts show under the
 * button in the dialog, and a request inside that inherits the auth is sent with that token, with no second token
 * request. Pictures light and dark at 1024×700 (docs/oauth2-get-token-folder.png and -dark) and 1440×900 (the
 * test's output folder).
 */

const TOKEN = `eyJ${'f'.repeat(40)}Q7wz`
let server: Server
let base = ''
const seen: string[] = []
let host: RunningWebHost
let dir = ''

test.beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`)
      const json = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value))
      }
      if (req.url?.endsWith('/token') === true) {
        const good = req.headers.authorization === `Basic ${Buffer.from('app:s3cret').toString('base64')}`
        return good
          ? json(200, { access_token: TOKEN, token_type: 'bearer', expires_in: 1800, scope: 'orders' })
          : json(401, { error: 'invalid_client' })
      }
      const bearer = req.headers.authorization === `Bearer ${TOKEN}`
      json(bearer ? 200 : 401, { ok: bearer })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  dir = mkdtempSync(join(tmpdir(), 'fd-folder-get-token-'))
  mkdirSync(join(dir, 'account'))
  writeFileSync(join(dir, 'collection.yaml'), `flightdeck: 1\nname: Shop\nvariables:\n  base: ${base}\n`)
  writeFileSync(
    join(dir, 'account', 'folder.yaml'),
    [
      'name: Account',
      'auth:',
      '  type: oauth2',
      '  grant: client_credentials',
      "  tokenUrl: '{{base}}/token'",
      '  clientId: app',
      '  clientSecret: s3cret',
      '  scope: orders',
      '  clientAuth: basic',
      '',
    ].join('\n'),
  )
  writeFileSync(join(dir, 'account', 'orders.yaml'), "name: Orders\nurl: '{{base}}/orders'\n")
  host = await startBuiltWebHost(15_000, {
    env: { FLIGHTDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'flightdeck-folder-get-token-')) },
  })
})

test.afterAll(async () => {
  await host?.stop()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(dir, { recursive: true, force: true })
})

test("Get token in a folder's settings: the token the requests inside then send", async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 })
  await page.goto(host.url)
  await page.getByRole('textbox', { name: 'Collection folder' }).fill(dir)
  await page.getByRole('button', { name: 'Open', exact: true }).click()
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  await expect(sidebar.getByRole('treeitem', { name: 'Account' })).toBeVisible()
  await sidebar.getByRole('button', { name: 'Settings of Account' }).click()
  const settings = page.getByRole('dialog', { name: 'Folder Account settings' })
  await settings.getByRole('button', { name: 'Get token' }).click()

  const held = settings.locator('dl[aria-label="Token held"]')
  await expect(held).toBeInViewport({ ratio: 1 })
  const facts = held.getByRole('definition')
  await expect(facts.nth(0)).toHaveText('Bearer · eyJf…Q7wz (47 characters)')
  await expect(facts.nth(1)).toHaveText('orders')
  await expect(facts.nth(2)).toHaveText('expires in 30 min')
  expect(seen).toEqual([`POST /token Basic ${Buffer.from('app:s3cret').toString('base64')}`])
  await page.mouse.move(1, 1)
  for (const size of [
    { width: 1024, height: 700 },
    { width: 1440, height: 900 },
  ]) {
    await page.setViewportSize(size)
    await expect(held).toBeInViewport({ ratio: 1 })
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      // The 1024×700 pair is docs/auth.md's picture of it.
      const name = `oauth2-get-token-folder${scheme === 'dark' ? '-dark' : ''}.png`
      await page.screenshot({
        path:
          size.width === 1024
            ? docsPicture(name)
            : test.info().outputPath(`folder-get-token-${size.width}-${scheme}.png`),
      })
    }
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await page.setViewportSize({ width: 1024, height: 700 })

  // Closed unsaved: the folder's auth is as it was. The request inside inherits it and sends with the same token.
  await settings.getByRole('button', { name: 'Cancel' }).click()
  await expect(settings).toBeHidden()
  await sidebar.getByRole('treeitem', { name: 'Orders' }).click()
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  await expect(timeline.locator('[role="row"][data-sid]').filter({ hasText: '/orders' })).toContainText('200')
  expect(seen.slice(1)).toEqual([`GET /orders Bearer ${TOKEN}`])
})

test('variables edited in the dialog and not saved: Get token uses them as shown', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 })
  await page.goto(host.url)
  // The collection stays open from the test before (the host keeps its workspace); alone, this test opens it.
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  const folderBox = page.getByRole('textbox', { name: 'Collection folder' })
  const account = sidebar.getByRole('treeitem', { name: 'Account' })
  await expect(account.or(folderBox)).toBeVisible()
  if (!(await account.isVisible())) {
    await folderBox.fill(dir)
    await page.getByRole('button', { name: 'Open', exact: true }).click()
  }
  await sidebar.getByRole('button', { name: 'Settings of Account' }).click()
  const settings = page.getByRole('dialog', { name: 'Folder Account settings' })
  // The folder's own `base`, typed and not saved, over the collection's: the token request goes where it says.
  await settings.getByRole('button', { name: '+ Add variable' }).click()
  await settings.getByRole('textbox', { name: 'Variable name 1' }).fill('base')
  await settings.getByRole('textbox', { name: 'Variable value 1' }).fill(`${base}/typed`)
  const before = seen.length
  await settings.getByRole('button', { name: 'Get token' }).click()
  await expect(settings.locator('dl[aria-label="Token held"]')).toBeVisible()
  expect(seen.slice(before)).toEqual([
    `POST /typed/token Basic ${Buffer.from('app:s3cret').toString('base64')}`,
  ])
  await expect(settings.getByRole('note').filter({ hasText: 'saved variables' })).toHaveCount(0)
  await page.mouse.move(1, 1)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`folder-get-token-unsaved-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  // Edited again, the answer was for other rows: it is not shown as this one's.
  await settings.getByRole('textbox', { name: 'Variable value 1' }).fill(`${base}/other`)
  await expect(settings.locator('dl[aria-label="Token held"]')).toHaveCount(0)
  await settings.getByRole('button', { name: 'Cancel' }).click()
})
