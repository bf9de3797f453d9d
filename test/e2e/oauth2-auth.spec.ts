import { expect, test, type Page } from '@playwright/test'
import { startOAuthServer, TestBrowser, type OAuthServer } from '../fixtures/oauth-server'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * The OAuth 2.0 auth panel in the browser host: each grant shows its own fields; a password grant sends and the
 * real authorization server on 127.0.0.1 sees the credentials; the authorization code grant, with no system
 * browser to open here, says where to sign in, and once that page is followed the next send carries the token.
 * Screenshots: docs/oauth2.png and docs/oauth2-dark.png (the code grant's fields).
 */

let server: OAuthServer
let host: RunningWebHost | null = null

test.beforeAll(async () => {
  server = await startOAuthServer()
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await server?.close()
})

/** The fields each grant shows after Type and Grant type, in order. */
const GRANT_FIELDS = {
  client_credentials: [
    'Token URL',
    'Client ID',
    'Client secret',
    'Scope',
    'Send client credentials',
    'Send the token',
  ],
  password: [
    'Token URL',
    'Client ID',
    'Client secret',
    'Username',
    'Password',
    'Scope',
    'Send client credentials',
    'Send the token',
  ],
  authorization_code: [
    'Authorization URL',
    'Token URL',
    'Client ID',
    'Client secret',
    'Scope',
    'Redirect URI',
    'PKCE',
    'Send client credentials',
    'Send the token',
  ],
} as const

/** Chooses `grant` in the auth panel; it must show the grant's fields, in order. */
async function chooseGrant(page: Page, grant: keyof typeof GRANT_FIELDS): Promise<void> {
  await page.getByRole('combobox', { name: 'Grant type' }).selectOption(grant)
  await expect
    .poll(() => page.locator('.auth-panel .auth-label').allInnerTexts())
    .toEqual(['Type', 'Grant type', ...GRANT_FIELDS[grant]])
}

/** Types each value into the auth panel's field of that label. */
async function fillFields(page: Page, values: Record<string, string>): Promise<void> {
  for (const [label, value] of Object.entries(values))
    await page.getByLabel(label, { exact: true }).fill(value)
}

test('each grant shows its fields; password and authorization code grants send with a token', async ({
  page,
}) => {
  if (!host) throw new Error('no host')
  await page.goto(host.url)
  await page.getByRole('button', { name: 'New request tab' }).click()
  await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/protected`)
  await page.getByRole('tab', { name: 'Auth' }).click()
  await page.getByRole('combobox', { name: 'Auth type' }).selectOption('oauth2')
  const sendButton = page.getByRole('button', { name: 'Send', exact: true })

  await chooseGrant(page, 'client_credentials')
  await chooseGrant(page, 'password')
  await fillFields(page, {
    'Token URL': `${server.url}/token`,
    'Client ID': 'app',
    'Client secret': 'app-secret',
    Username: 'alice',
    Password: 'wonderland',
  })
  await sendButton.click()
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  const protectedRows = timeline.getByRole('row').filter({ hasText: '/protected' })
  await expect(protectedRows.first()).toHaveAttribute('data-status', '200')
  expect(server.forms[0]).toMatchObject({ grant_type: 'password', username: 'alice', password: 'wonderland' })

  await chooseGrant(page, 'authorization_code')
  // What the password grant typed does not linger under the code grant; the common fields do.
  await expect(page.getByRole('textbox', { name: 'Client ID' })).toHaveValue('app')
  await fillFields(page, { 'Authorization URL': `${server.url}/authorize`, Scope: 'read' })
  // The composer drawn tall enough to show every field of the grant.
  await page.setViewportSize({ width: 1280, height: 1000 })
  const composerSplit = page.getByRole('separator', { name: 'Resize composer' })
  await composerSplit.focus()
  for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowDown')
  await expect
    .poll(async () => Number(await composerSplit.getAttribute('aria-valuenow')))
    .toBeGreaterThan(450)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.mouse.move(0, 0)
    await page.screenshot({ path: docsPicture(scheme === 'light' ? 'oauth2.png' : 'oauth2-dark.png') })
  }
  await page.emulateMedia({ colorScheme: 'light' })

  // No system browser in the browser host: the send says where to sign in.
  await sendButton.click()
  const signIn = page.getByText(/sign in at http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+/).first()
  await expect(signIn).toBeVisible()
  const url = /sign in at (\S+)/.exec((await signIn.innerText()) ?? '')?.[1] ?? ''
  expect(new URL(url).searchParams.get('code_challenge_method')).toBe('S256')
  const person = new TestBrowser()
  await person.follow(url)
  expect(person.pages[0]?.status).toBe(200)
  await sendButton.click()
  await expect.poll(() => server.forms.map((f) => f['grant_type'])).toContain('authorization_code')
  await expect(protectedRows).toHaveCount(2)
  await expect(protectedRows.nth(1)).toHaveAttribute('data-status', '200')
})
