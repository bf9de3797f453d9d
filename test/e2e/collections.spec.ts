import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { startAuthServer, type AuthServer } from '../fixtures/auth-server'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * Collections through the browser host, as a person uses them: create a collection folder, add a folder and
 * requests with variables, define an environment, switch to it and send; restart the host and find it all as
 * it was; edit a file on disk and see the app follow (and ask, when the open request has unsaved edits).
 */

let server: AuthServer
let root: string
let configDir: string
let host: RunningWebHost | null = null

test.beforeAll(async () => {
  server = await startAuthServer()
  root = mkdtempSync(join(tmpdir(), 'fd-e2e-coll-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-e2e-config-'))
})

test.afterAll(async () => {
  await host?.stop()
  await server?.close()
  rmSync(root, { recursive: true, force: true })
  rmSync(configDir, { recursive: true, force: true })
})

function launch(): Promise<RunningWebHost> {
  return startBuiltWebHost(15_000, { env: { FLIGHTDECK_CONFIG_DIR: configDir } })
}

async function nameIt(page: Page, label: string, name: string): Promise<void> {
  const input = page.getByRole('textbox', { name: label })
  await input.fill(name)
  await input.press('Enter')
}

test('create, vary by environment, send, survive a restart, follow edits on disk', async ({ page }) => {
  test.setTimeout(90_000)
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1400, height: 820 })
  host = await launch()
  await page.goto(host.url)
  const dir = join(root, 'shop-api')

  // A new collection in a folder that does not exist yet.
  await page.getByRole('textbox', { name: 'Collection folder' }).fill(dir)
  await page.getByRole('button', { name: 'Open', exact: true }).click()
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  await expect(sidebar.getByRole('button', { name: 'shop-api', exact: true })).toBeVisible()
  expect(readFileSync(join(dir, 'collection.yaml'), 'utf8')).toMatch(
    /^flightdeck: 1\nid: .+\nname: shop-api\n$/,
  )

  // A folder, and a request in it.
  await sidebar.getByRole('button', { name: 'New folder in shop-api' }).click()
  await nameIt(page, 'New folder name', 'Users')
  const usersFolder = sidebar.getByRole('treeitem', { name: 'Users' })
  await expect(usersFolder).toBeVisible()
  await sidebar.getByRole('button', { name: 'New request in Users' }).click()
  await nameIt(page, 'New request name', 'Who am I')
  await expect(page.getByRole('tab', { name: 'Who am I' })).toHaveAttribute('aria-selected', 'true')

  const url = page.getByRole('textbox', { name: 'URL' })
  await url.fill('{{baseUrl}}/echo?who={{who}}')
  await page.getByRole('tab', { name: 'Headers' }).click()
  await page.getByRole('button', { name: '+ Add' }).click()
  await page.getByRole('textbox', { name: 'Headers name 1' }).fill('X-Request-Id')
  await page.getByRole('textbox', { name: 'Headers value 1' }).fill('{{$uuid}}')
  // Unknown variables are flagged before sending.
  const hints = page.getByLabel('Variables', { exact: true })
  await expect(hints.getByRole('status')).toHaveText('Unknown: baseUrl, who')
  await expect(page.getByRole('tab', { name: 'Who am I, unsaved changes' })).toBeVisible()

  // Sending now is refused, plainly, naming the variables.
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect(
    page.getByRole('alert').filter({ hasText: 'Unknown variables {{baseUrl}}, {{who}}' }),
  ).toBeVisible()

  // Collection variable, then an environment.
  await page.getByRole('button', { name: 'Variables…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Variables' })
  await dialog.getByRole('button', { name: '+ Add variable' }).click()
  await dialog.getByRole('textbox', { name: 'Variable name 1' }).fill('baseUrl')
  await dialog.getByRole('textbox', { name: 'Variable value 1' }).fill(server.url)
  await dialog.getByRole('button', { name: '+ Add variable' }).click()
  await dialog.getByRole('textbox', { name: 'Variable name 2' }).fill('who')
  await dialog.getByRole('textbox', { name: 'Variable value 2' }).fill('nobody')
  await dialog.getByRole('button', { name: 'Save variables' }).click()
  await expect(dialog).toBeHidden()
  await page.getByRole('button', { name: 'Variables…' }).click()
  await dialog.getByRole('combobox', { name: 'Variable scope' }).selectOption({ label: '+ New environment…' })
  await dialog.getByRole('textbox', { name: 'Environment name' }).fill('Staging')
  await dialog.getByRole('button', { name: '+ Add variable' }).click()
  await dialog.getByRole('textbox', { name: 'Variable name 1' }).fill('who')
  await dialog.getByRole('textbox', { name: 'Variable value 1' }).fill('staging-user')
  await dialog.getByRole('button', { name: '+ Add variable' }).click()
  await dialog.getByRole('textbox', { name: 'Variable name 2' }).fill('apiToken')
  await dialog.getByRole('textbox', { name: 'Variable value 2' }).fill('tok-do-not-leak')
  await dialog.getByRole('checkbox', { name: 'Secret apiToken' }).check()
  await dialog.getByRole('button', { name: 'Save variables' }).click()
  await expect(dialog).toBeHidden()
  const env = page.getByRole('combobox', { name: 'Environment' })
  await expect(env).toHaveValue('staging')
  // The secret is not in the collection folder.
  expect(readFileSync(join(dir, 'environments', 'staging.yaml'), 'utf8')).toBe(
    'name: Staging\nvariables:\n  who: staging-user\n  apiToken:\n    secret: true\n',
  )

  // Hover shows where each value comes from; the environment wins over the collection.
  await expect(hints.getByLabel('who = staging-user (environment staging)')).toBeVisible()
  await expect(hints.getByLabel(`baseUrl = ${server.url} (collection)`)).toBeVisible()
  await expect(hints.locator('.var-preview')).toHaveText(`→ ${server.url}/echo?who=staging-user`)

  // Auth: a bearer token from the secret variable.
  await page.getByRole('tab', { name: 'Auth' }).click()
  await page.getByRole('combobox', { name: 'Auth type' }).selectOption('bearer')
  await page.getByRole('textbox', { name: 'Token' }).fill('{{apiToken}}')

  // Ctrl+S saves: the tab is clean and the file is there.
  await url.press('Control+s')
  await expect(page.getByRole('tab', { name: 'Who am I', exact: true })).toBeVisible()
  const file = join(dir, 'users', 'who-am-i.yaml')
  expect(readFileSync(file, 'utf8')).toBe(
    [
      'name: Who am I',
      'method: GET',
      'url: "{{baseUrl}}/echo?who={{who}}"',
      'headers:',
      '  - name: X-Request-Id',
      '    value: "{{$uuid}}"',
      'auth:',
      '  type: bearer',
      '  token: "{{apiToken}}"',
      '',
    ].join('\n'),
  )

  // Send with the environment: the server sees the resolved values.
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  const row = timeline.getByRole('row').filter({ hasText: 'who=staging-user' })
  await expect(row).toHaveAttribute('data-state', 'done')
  await expect(row).toHaveAttribute('data-status', '200')
  expect(server.log).toContain('GET /echo')

  // Another request at the top level, then drag it into the folder.
  await sidebar.getByRole('button', { name: 'New request in shop-api' }).click()
  await nameIt(page, 'New request name', 'Health')
  await expect(page.getByRole('tab', { name: 'Health' })).toHaveAttribute('aria-selected', 'true')
  await page.getByRole('textbox', { name: 'URL' }).fill('{{baseUrl}}/echo?health=1')
  await page.keyboard.press('Control+s')
  await expect(sidebar.getByRole('treeitem', { name: 'Health' })).toHaveAttribute('aria-level', '1')
  await sidebar.getByRole('treeitem', { name: 'Health' }).dragTo(usersFolder)
  await expect(sidebar.getByRole('treeitem', { name: 'Health' })).toHaveAttribute('aria-level', '2')
  expect(existsSync(join(dir, 'users', 'health.yaml'))).toBe(true)

  // Folder auth, inherited by a request inside it.
  await sidebar.getByRole('button', { name: 'Settings of Users' }).click()
  const settings = page.getByRole('dialog', { name: 'Folder Users settings' })
  await settings.getByRole('button', { name: '+ Add variable' }).click()
  await settings.getByRole('textbox', { name: 'Variable name 1' }).fill('pw')
  await settings.getByRole('textbox', { name: 'Variable value 1' }).fill('s3cret')
  await settings.getByRole('checkbox', { name: 'Secret pw' }).check()
  await settings.getByRole('combobox', { name: 'Auth type' }).selectOption('basic')
  await settings.getByRole('textbox', { name: 'Username' }).fill('alice')
  await settings.getByRole('textbox', { name: 'Password' }).fill('{{pw}}')
  await settings.getByRole('button', { name: 'Save settings' }).click()
  await expect(settings).toBeHidden()
  expect(readFileSync(join(dir, 'users', 'folder.yaml'), 'utf8')).toBe(
    'name: Users\nvariables:\n  pw:\n    secret: true\nauth:\n  type: basic\n  username: alice\n  password: "{{pw}}"\n',
  )
  await sidebar.getByRole('button', { name: 'New request in Users' }).click()
  await nameIt(page, 'New request name', 'Basic check')
  await expect(page.getByRole('tab', { name: 'Basic check' })).toHaveAttribute('aria-selected', 'true')
  await page.getByRole('textbox', { name: 'URL' }).fill('{{baseUrl}}/basic?inherited=1')
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const basicRow = timeline.getByRole('row').filter({ hasText: 'inherited=1' })
  await expect(basicRow).toHaveAttribute('data-state', 'done')
  await expect(basicRow).toHaveAttribute('data-status', '200')

  await sidebar.getByRole('treeitem', { name: 'Who am I' }).click()
  await page.screenshot({ path: docsPicture('collections.png') })

  // Restart the host: the collection, its requests and the environment choice are all still there.
  await host.stop()
  host = await launch()
  await page.goto(host.url)
  await expect(sidebar.getByRole('button', { name: 'shop-api', exact: true })).toBeVisible()
  await expect(page.getByRole('combobox', { name: 'Environment' })).toHaveValue('staging')
  await sidebar.getByRole('treeitem', { name: 'Who am I' }).click()
  await expect(url).toHaveValue('{{baseUrl}}/echo?who={{who}}')
  await page.getByRole('tab', { name: 'Auth' }).click()
  await expect(page.getByRole('textbox', { name: 'Token' })).toHaveValue('{{apiToken}}')

  // An edit made outside the app (an editor, git pull) shows up in the open, unmodified request.
  writeFileSync(file, readFileSync(file, 'utf8').replace('who={{who}}', 'who={{who}}&from=editor'))
  await expect(url).toHaveValue('{{baseUrl}}/echo?who={{who}}&from=editor')
  // A new file appears in the tree.
  writeFileSync(join(dir, 'users', 'by-hand.yaml'), 'name: Written by hand\nurl: "{{baseUrl}}/echo"\n')
  await expect(sidebar.getByRole('treeitem', { name: 'Written by hand' })).toBeVisible()

  // With unsaved edits, a change on disk asks first.
  await url.fill('{{baseUrl}}/echo?who=mine')
  writeFileSync(file, readFileSync(file, 'utf8').replace('&from=editor', '&from=git'))
  const banner = page.getByRole('alert').filter({ hasText: 'changed on disk' })
  await expect(banner).toBeVisible()
  await expect(url).toHaveValue('{{baseUrl}}/echo?who=mine')
  await banner.getByRole('button', { name: 'Reload from disk' }).click()
  await expect(url).toHaveValue('{{baseUrl}}/echo?who={{who}}&from=git')
  await expect(banner).toBeHidden()

  // WebSocket and SSE requests live in the same folders: opening one sets the composer to that kind.
  writeFileSync(
    join(dir, 'users', 'live.yaml'),
    'name: Live feed\nkind: ws\nurl: ws://127.0.0.1:9/live\nprotocols:\n  - chat.v2\n',
  )
  await sidebar.getByRole('treeitem', { name: 'Live feed' }).click()
  await expect(page.getByRole('combobox', { name: 'Session type' })).toHaveValue('ws')
  await expect(page.getByRole('textbox', { name: 'Subprotocols' })).toHaveValue('chat.v2')
  await expect(page.getByRole('tab', { name: 'Live feed', exact: true })).toBeVisible()
  await sidebar.getByRole('treeitem', { name: 'Who am I' }).click()
  await expect(page.getByRole('combobox', { name: 'Session type' })).toHaveValue('http')

  // A file broken by hand is reported with its line, and left as it is.
  writeFileSync(join(dir, 'users', 'broken.yaml'), 'name: Broken\nurl: [oops\n')
  await expect(sidebar.getByRole('list', { name: 'Problems in shop-api' })).toContainText(
    'users/broken.yaml:',
  )
  expect(readFileSync(join(dir, 'users', 'broken.yaml'), 'utf8')).toBe('name: Broken\nurl: [oops\n')

  expect(pageErrors).toEqual([])
})
