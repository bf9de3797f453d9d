import { fileURLToPath } from 'node:url'
import { expect, test, type Page } from '@playwright/test'
import { startOAuthServer, TestBrowser, type OAuthServer } from '../fixtures/oauth-server'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * The OAuth 2.0 auth panel in the browser host: each grant shows its own fields; a password grant sends and the
 * real authorization server on 127.0.0.1 sees the credentials; the authorization code grant, with no system
 * browser to open here, says where to sign in, and once that page is followed the next send carries the token.
 * Screenshots: docs/oauth2.png and docs/oauth2-dark.png (the code grant's fields).
 */

const docs = (name: string): string => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url))

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

async function fieldsShown(page: Page): Promise<string[]> {
  return page.locator('.auth-panel .auth-label').allInnerTexts()
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
  const grant = page.getByRole('combobox', { name: 'Grant type' })

  await grant.selectOption('client_credentials')
  expect(await fieldsShown(page)).toEqual([
    'Type',
    'Grant type',
    'Token URL',
    'Client ID',
    'Client secret',
    'Scope',
    'Send client credentials',
  ])

  await grant.selectOption('password')
  expect(await fieldsShown(page)).toEqual([
    'Type',
    'Grant type',
    'Token URL',
    'Client ID',
    'Client secret',
    'Username',
    'Password',
    'Scope',
    'Send client credentials',
  ])
  await page.getByRole('textbox', { name: 'Token URL' }).fill(`${server.url}/token`)
  await page.getByRole('textbox', { name: 'Client ID' }).fill('app')
  await page.getByLabel('Client secret').fill('app-secret')
  await page.getByRole('textbox', { name: 'Username' }).fill('alice')
  await page.getByLabel('Password', { exact: true }).fill('wonderland')
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  const protectedRows = timeline.getByRole('row').filter({ hasText: '/protected' })
  await expect(protectedRows.first()).toHaveAttribute('data-status', '200')
  expect(server.forms[0]).toMatchObject({ grant_type: 'password', username: 'alice', password: 'wonderland' })

  await grant.selectOption('authorization_code')
  expect(await fieldsShown(page)).toEqual([
    'Type',
    'Grant type',
    'Authorization URL',
    'Token URL',
    'Client ID',
    'Client secret',
    'Scope',
    'Redirect URI',
    'PKCE',
    'Send client credentials',
  ])
  // What the password grant typed does not linger under the code grant; the common fields do.
  await expect(page.getByRole('textbox', { name: 'Client ID' })).toHaveValue('app')
  await page.getByRole('textbox', { name: 'Authorization URL' }).fill(`${server.url}/authorize`)
  await page.getByRole('textbox', { name: 'Scope' }).fill('read')
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
    await page.screenshot({ path: docs(scheme === 'light' ? 'oauth2.png' : 'oauth2-dark.png') })
  }
  await page.emulateMedia({ colorScheme: 'light' })

  // No system browser in the browser host: the send says where to sign in.
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const signIn = page.getByText(/sign in at http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+/).first()
  await expect(signIn).toBeVisible()
  const url = /sign in at (\S+)/.exec((await signIn.innerText()) ?? '')?.[1] ?? ''
  expect(new URL(url).searchParams.get('code_challenge_method')).toBe('S256')
  const person = new TestBrowser()
  await person.follow(url)
  expect(person.pages[0]?.status).toBe(200)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => server.forms.map((f) => f['grant_type'])).toContain('authorization_code')
  await expect(protectedRows).toHaveCount(2)
  await expect(protectedRows.nth(1)).toHaveAttribute('data-status', '200')
})
