import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Locator, type Page } from '@playwright/test'
import { expect, test } from './file-page'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * "Get token" in the OAuth 2.0 form, through the browser host in Chromium, against a token endpoint on
 * 127.0.0.1:0: the token's type, granted scope, expiry and a masked preview show under the button, scrolled into
 * sight in a 1024×700 window, the expiry ticking as time goes ("expires in 60 min", "48 min", "expired"), its
 * token request on the timeline; a wrong secret gets the endpoint's refusal beside the button. With the code
 * grant the browser host gives the sign-in link, and the token shows once the person has signed in. Pictures
 * light and dark at 1024×700 and 1440×900: the token held in docs/oauth2-get-token.png and
 * docs/oauth2-get-token-dark.png (docs/auth.md shows it), the others in the test's output folder.
 */

const TOKEN = `eyJ${'a'.repeat(40)}Z9kQ`
let server: Server
let tokenUrl = ''
let host: RunningWebHost

/**
 * Whether `what` is whole inside the composer's panel as it is scrolled (clear of the fade that says there is more
 * below), and inside the window.
 */
async function insidePanel(page: Page, what: Locator): Promise<boolean> {
  const tabpanel = page.getByRole('region', { name: 'Request' }).getByRole('tabpanel')
  const [box, panel, more] = await Promise.all([
    what.boundingBox(),
    tabpanel.boundingBox(),
    tabpanel.getAttribute('data-more'),
  ])
  const cue = more?.includes('below') === true ? 22 : 0
  const height = page.viewportSize()?.height ?? 0
  return (
    box !== null &&
    panel !== null &&
    box.y >= panel.y &&
    box.y + box.height <= panel.y + panel.height - cue + 0.5 &&
    box.y + box.height <= height
  )
}

/**
 * Light and dark pictures of the page at 1024×700 (`name-<scheme>.png`) and at 1440×900 (`name-1440-<scheme>.png`)
 * in the test's output folder, with `inSight` whole in the composer's panel at each size; back to 1024×700, light.
 */
async function pictures(page: Page, name: string, inSight: Locator): Promise<void> {
  await page.mouse.move(1, 1)
  for (const [width, height, suffix] of [
    [1024, 700, ''],
    [1440, 900, '-1440'],
  ] as const) {
    await page.setViewportSize({ width, height })
    await expect.poll(() => insidePanel(page, inSight)).toBe(true)
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      await page.screenshot({ path: test.info().outputPath(`${name}${suffix}-${scheme}.png`) })
    }
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await page.setViewportSize({ width: 1024, height: 700 })
}

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
  // The page's clock runs as the real one until the test moves it on (the expiry's words).
  await page.clock.install()
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
  await expect(facts.nth(2)).toHaveText('expires in 60 min')
  // In sight without scrolling: the form brought its answer into the composer's view.
  await expect.poll(() => insidePanel(page, held)).toBe(true)
  await expect(page.locator('body')).not.toContainText(TOKEN)
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  await expect(timeline.locator('[role="row"][data-sid]').filter({ hasText: '/token' })).toHaveCount(1)
  await page.mouse.move(1, 1)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({
      path: docsPicture(scheme === 'light' ? 'oauth2-get-token.png' : 'oauth2-get-token-dark.png'),
    })
  }
  await page.emulateMedia({ colorScheme: 'light' })

  // The expiry follows the clock: 12 minutes on, 48 are left; past its hour, it has expired.
  await page.clock.fastForward('12:00')
  await expect(facts.nth(2)).toHaveText('expires in 48 min')
  await page.clock.fastForward('48:30')
  await expect(facts.nth(2)).toHaveText('expired')

  // A large window holds the whole form and its answer.
  await page.setViewportSize({ width: 1440, height: 900 })
  await expect.poll(() => insidePanel(page, held)).toBe(true)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`get-token-held-1440-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await page.setViewportSize({ width: 1024, height: 700 })

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
  await expect.poll(() => insidePanel(page, refusal)).toBe(true)
  await pictures(page, 'get-token-refused', refusal)
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

  // A step to take, not a failure: a status beside the button, not an alert.
  const words = composer.locator('.oauth2-token-row').getByRole('status')
  await expect(words).toContainText('OAuth 2.0: sign in at http://127.0.0.1:')
  // Words for what the person did: no send to make again; the button waits for the sign-in.
  await expect(words).toContainText(/\(within 300 s\): the token shows here once you have$/)
  await expect(composer.getByRole('button', { name: 'Cancel sign-in' })).toBeEnabled()
  await expect(composer.getByRole('alert')).toHaveCount(0)
  await expect.poll(() => insidePanel(page, words)).toBe(true)
  const link = words.getByRole('link', { name: `${authUrl}?…` })
  await expect(link).toHaveAttribute('href', new RegExp(`^${authUrl.replace(/[.?]/g, '\\$&')}\\?`))
  await expect(link).toHaveAttribute('target', '_blank')
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer')
  await page.mouse.move(1, 1)
  await pictures(page, 'get-token-sign-in', words)

  // Clicked: the sign-in page opens in a tab of its own (the app stays where it was), comes back with a code,
  // and the token shows under the button by itself.
  const appUrl = page.url()
  const [signIn] = await Promise.all([page.waitForEvent('popup'), link.click()])
  await signIn.waitForURL(/\/callback\?/, { timeout: 10_000 })
  await signIn.close()
  expect(page.url()).toBe(appUrl)
  await expect(composer.getByRole('definition').nth(0)).toHaveText('Bearer · eyJa…Z9kQ (47 characters)')
  await expect(words).toHaveCount(0)
  await expect(composer.getByRole('button', { name: 'Get token' })).toBeEnabled()
})
