import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { expect, test } from '@playwright/test'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * "Get token" in the OAuth 2.0 form, through the browser host in Chromium, against a token endpoint on
 * 127.0.0.1:0: the token's type, granted scope, expiry and a masked preview show under the button, its token
 * request on the timeline; a wrong secret gets the endpoint's refusal beside the button. Pictures light and dark
 * at 1024×700: the token held in docs/oauth2-get-token.png and docs/oauth2-get-token-dark.png (docs/auth.md shows
 * it), the others in the test's output folder.
 */

const docs = (name: string): string => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url))

const TOKEN = `eyJ${'a'.repeat(40)}Z9kQ`
let server: Server
let tokenUrl = ''
let host: RunningWebHost

test.beforeAll(async () => {
  server = createServer((req, res) => {
    const asked = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (asked.pathname === '/authorize') {
      // The sign-in page: straight back to the app's loopback listener with a code, as a signed-in user would be.
      const back = new URL(asked.searchParams.get('redirect_uri') ?? '')
      back.searchParams.set('code', 'c0de')
      back.searchParams.set('state', asked.searchParams.get('state') ?? '')
      res.writeHead(302, { location: back.href }).end()
      return
    }
    req.resume()
    req.on('end', () => {
      const good = req.headers.authorization === `Basic ${Buffer.from('app:s3cret').toString('base64')}`
      res.writeHead(good ? 200 : 401, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify(
          good
            ? { access_token: TOKEN, token_type: 'bearer', expires_in: 3600, scope: 'read write' }
            : { error: 'invalid_client', error_description: 'Unknown client or wrong secret' },
        ),
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

test('Get token shows the token masked under the button, and a refusal beside it', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 })
  await page.goto(host.url)
  const composer = page.getByRole('region', { name: 'Request' })
  await composer.getByRole('tab', { name: 'Auth' }).click()
  await page.getByRole('combobox', { name: 'Auth type' }).selectOption('oauth2')
  await composer.getByLabel('Token URL', { exact: true }).fill(tokenUrl)
  await composer.getByLabel('Client ID', { exact: true }).fill('app')
  await composer.getByLabel('Client secret', { exact: true }).fill('s3cret')
  await composer.getByLabel('Scope', { exact: true }).fill('read write')
  await composer.getByRole('button', { name: 'Get token' }).click()

  const facts = composer.getByRole('definition')
  const held = composer.locator('dl[aria-label="Token held"]')
  await expect(held).toBeVisible()
  await expect(facts.nth(0)).toHaveText('Bearer · eyJa…Z9kQ (47 characters)')
  await expect(facts.nth(1)).toHaveText('read write')
  await expect(facts.nth(2)).toHaveText(/^expires at .+ \(60 min from when you asked\)$/)
  await expect(page.locator('body')).not.toContainText(TOKEN)
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  await expect(timeline.locator('[role="row"][data-sid]').filter({ hasText: '/token' })).toHaveCount(1)
  await held.scrollIntoViewIfNeeded()
  await page.mouse.move(1, 1)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({
      path: docs(scheme === 'light' ? 'oauth2-get-token.png' : 'oauth2-get-token-dark.png'),
    })
  }

  // A wrong secret: the endpoint's words beside the button, no token shown.
  await composer.getByLabel('Client secret', { exact: true }).fill('nope')
  await expect(held).toHaveCount(0)
  await composer.getByRole('button', { name: 'Get token' }).click()
  const refusal = composer.getByRole('alert')
  await expect(refusal).toHaveText(
    'OAuth 2.0 token request was refused (invalid_client: Unknown client or wrong secret)',
  )
  const [button, words] = await Promise.all([
    composer.getByRole('button', { name: 'Get token' }).boundingBox(),
    refusal.boundingBox(),
  ])
  // Beside the button: on its line, to its right.
  expect(words && button && words.x >= button.x + button.width && words.y < button.y + button.height).toBe(
    true,
  )
  await expect(held).toHaveCount(0)
  await refusal.scrollIntoViewIfNeeded()
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`get-token-refused-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
})

test('the browser host says "sign in at" with a link that opens the sign-in page in a new tab', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1024, height: 700 })
  await page.goto(host.url)
  const composer = page.getByRole('region', { name: 'Request' })
  await composer.getByRole('tab', { name: 'Auth' }).click()
  await page.getByRole('combobox', { name: 'Auth type' }).selectOption('oauth2')
  await composer.getByLabel('Grant type', { exact: true }).selectOption('authorization_code')
  const authUrl = tokenUrl.replace('/token', '/authorize')
  await composer.getByLabel('Authorization URL', { exact: true }).fill(authUrl)
  await composer.getByLabel('Token URL', { exact: true }).fill(tokenUrl)
  await composer.getByLabel('Client ID', { exact: true }).fill('app')
  await composer.getByLabel('Client secret', { exact: true }).fill('s3cret')
  await composer.getByRole('button', { name: 'Get token' }).click()

  const words = composer.getByRole('alert')
  await expect(words).toContainText('OAuth 2.0: sign in at http://127.0.0.1:')
  const link = words.getByRole('link', { name: `${authUrl}?…` })
  await expect(link).toHaveAttribute('href', new RegExp(`^${authUrl.replace(/[.?]/g, '\\$&')}\\?`))
  await expect(link).toHaveAttribute('target', '_blank')
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer')
  await page.mouse.move(1, 1)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`get-token-sign-in-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })

  // Clicked: the sign-in page opens in a tab of its own (the app stays where it was), comes back with a code,
  // and the next Get token finds the token.
  const appUrl = page.url()
  const [signIn] = await Promise.all([page.waitForEvent('popup'), link.click()])
  await signIn.waitForURL(/\/callback\?/, { timeout: 10_000 })
  await signIn.close()
  expect(page.url()).toBe(appUrl)
  await composer.getByRole('button', { name: 'Get token' }).click()
  await expect(composer.getByRole('definition').nth(0)).toHaveText('Bearer · eyJa…Z9kQ (47 characters)')
})
