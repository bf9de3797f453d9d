import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * Escaped braces (`\{{apiKey}}`, as Edit as new request brings a recorded `{{` back) are shown as literal text in
 * the body editor, quietly and apart from variables, with a hover that says so (the URL's line under it shows the
 * braces as sent); the send puts the braces on the wire as typed. Pictures light and dark in the test's output folder.
 */

let server: Fixture
let configDir: string
let host: RunningWebHost | null = null

test.beforeAll(async () => {
  server = await startHttpServer()
  configDir = mkdtempSync(join(tmpdir(), 'fd-e2e-literal-'))
  writeFileSync(
    join(configDir, 'globals.yaml'),
    `variables:\n  base: ${server.url}\n  apiKey: SECRET\n  userName: Ann\n`,
  )
  host = await startBuiltWebHost(15_000, { env: { FLIGHTDECK_CONFIG_DIR: configDir } })
})

test.afterAll(async () => {
  await host?.stop()
  await server?.close()
  rmSync(configDir, { recursive: true, force: true })
})

test('escaped braces read as literal text, not a variable, and go out as typed', async ({ page }) => {
  if (!host) throw new Error('no host')
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(host.url)
  const url = page.getByRole('textbox', { name: 'URL' })
  await url.fill('{{base}}/echo?k=\\{{apiKey}}&u={{userName}}')
  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
  await page.getByRole('tab', { name: /^Body/ }).click()
  await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('JSON', { exact: true }).click()
  const body = page.getByRole('textbox', { name: 'Body JSON' })
  await body.fill('{"key":"\\{{apiKey}}","user":"{{userName}}","path":"C:\\\\\\\\{{userName}}"}')

  // The URL is a plain field: the line under it shows what is sent, the braces as typed.
  await expect(
    page.getByText('http://127.0.0.1', { exact: false }).filter({ hasText: 'k={{apiKey}}&u=Ann' }),
  ).toBeVisible()
  const bodyFrame = page.locator('.code-editor').filter({ has: body })
  await expect(bodyFrame.locator('.cm-var-literal')).toHaveText('\\{{apiKey}}')
  // Two backslashes are one, and the braces after them are a variable again.
  await expect(bodyFrame.locator('.cm-var-known', { hasText: '{{userName}}' })).toHaveCount(2)

  await bodyFrame.locator('.cm-var-literal').hover()
  await expect(
    page.getByRole('tooltip').filter({ hasText: 'literal {{ — sent as typed, not a variable' }),
  ).toBeVisible()

  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await bodyFrame.locator('.cm-var-literal').hover()
    await expect(page.getByRole('tooltip').filter({ hasText: 'literal {{' })).toBeVisible()
    await page.screenshot({ path: test.info().outputPath(`literal-braces-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })

  const sent = server.requests.length
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => server.requests.length).toBeGreaterThan(sent)
  expect(server.requests[sent]?.url).toBe('/echo?k={{apiKey}}&u=Ann')
  expect(server.requests[sent]?.body.toString('utf8')).toBe(
    '{"key":"{{apiKey}}","user":"Ann","path":"C:\\\\Ann"}',
  )
})
