import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { expect, test } from './file-page'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * The body editor (CodeMirror 6): {{variables}} marked, completed and explained on hover, Beautify, search,
 * a remembered height, all under the page's strict CSP; what was typed is what reaches the server.
 */

let server: Fixture
let configDir: string
let host: RunningWebHost | null = null

test.beforeAll(async () => {
  server = await startHttpServer()
  configDir = mkdtempSync(join(tmpdir(), 'fd-e2e-editor-'))
  // Globals are in scope without any collection open.
  writeFileSync(
    join(configDir, 'globals.yaml'),
    `variables:\n  base: ${server.url}\n  userName: Ann\n  count: "3"\n`,
  )
  host = await startBuiltWebHost(15_000, { env: { FLIGHTDECK_CONFIG_DIR: configDir } })
})

test.afterAll(async () => {
  await host?.stop()
  await server?.close()
  rmSync(configDir, { recursive: true, force: true })
})

test('the JSON body editor marks, completes and explains {{variables}}, beautifies, and sends what was typed', async ({
  page,
}) => {
  if (!host) throw new Error('no host')
  const violations: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) violations.push(m.text())
  })
  await page.goto(host.url)
  await page.evaluate(`(() => {
    globalThis.__cspSeen = []
    document.addEventListener('securitypolicyviolation', (e) => globalThis.__cspSeen.push(e.violatedDirective))
  })()`)
  await page.getByRole('textbox', { name: 'URL' }).fill('{{base}}/echo?via=editor')
  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
  await page.getByRole('tab', { name: /^Body/ }).click()
  await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('JSON', { exact: true }).click()

  const editor = page.getByRole('textbox', { name: 'Body JSON' })
  const frame = page.locator('.code-editor').filter({ has: editor })

  // Beautify refuses what does not parse, and says why; the text stays as typed.
  await editor.fill('{"a": 1,}')
  await page.getByRole('button', { name: 'Beautify' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'Not beautified: not valid JSON' })).toBeVisible()
  await expect(editor).toHaveText('{"a": 1,}')

  // A known variable is marked as one.
  await editor.fill('{"user":"{{userName}}","n":')
  const known = frame.locator('.cm-var-known', { hasText: '{{userName}}' })
  await expect(known).toBeVisible()

  // Typing {{ offers the scope's names; Enter takes one (the closing braces were typed by the editor).
  await editor.press('Control+End')
  await page.keyboard.type('{{co')
  // Anchored: the random-data names offered beside it ($randomBankAccount…) hold "count" too, and may arrive after.
  const option = page.getByRole('option', { name: /^count/ })
  await expect(option).toBeVisible()
  await expect(option).toContainText('global')
  await expect(option).toHaveAttribute('aria-selected', 'true')
  // CodeMirror ignores Enter for 75 ms after the list changes (so a fast typist's Enter is a newline).
  await page.waitForTimeout(150)
  await page.keyboard.press('Enter')
  await page.keyboard.press('End')
  await page.keyboard.type('}')
  await expect(editor).toHaveText('{"user":"{{userName}}","n":{{count}}}')
  // A bare variable where a value goes is not a JSON problem: it is substituted before sending.
  await expect(page.getByText(/Not valid JSON/)).toHaveCount(0)
  await expect(frame.locator('.cm-var-known', { hasText: '{{count}}' })).toBeVisible()

  // An unknown name is marked as such.
  await editor.fill('{"user":"{{userName}}","n":{{count}},"x":"{{nobody}}"}')
  await expect(frame.locator('.cm-var-unknown', { hasText: '{{nobody}}' })).toBeVisible()
  await editor.fill('{"user":"{{userName}}","n":{{count}}}')

  // Hover shows the resolved value and where it comes from.
  await frame.locator('.cm-var-known', { hasText: '{{userName}}' }).hover()
  await expect(page.getByRole('tooltip').filter({ hasText: '{{userName}} = Ann' })).toContainText(
    'from: global',
  )

  // Ctrl/Cmd+F searches inside the editor; Esc closes the search.
  await editor.click()
  await page.keyboard.press('Control+f')
  const find = frame.getByRole('textbox', { name: 'Find' })
  await expect(find).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(find).toHaveCount(0)

  // Beautify re-indents, keeping the variables.
  await page.getByRole('button', { name: 'Beautify' }).click()
  const pretty = '{\n  "user": "{{userName}}",\n  "n": {{count}}\n}'
  await expect.poll(() => editor.innerText()).toBe(pretty)

  // The resize bar is visible, and a drag makes the editor taller; the height is remembered.
  const bar = page.getByRole('separator', { name: 'Resize Body JSON' })
  await bar.scrollIntoViewIfNeeded()
  await expect(bar).toBeVisible()
  const hostBox = frame.locator('.code-editor-host')
  const before = (await hostBox.boundingBox())?.height ?? 0
  // Its default height, fitted to the panel's room (the grip in sight): more than the 60 px least.
  expect(before).toBeGreaterThan(120)
  const b = await bar.boundingBox()
  if (!b) throw new Error('no resize bar')
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2)
  await page.mouse.down()
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2 + 80, { steps: 4 })
  await page.mouse.up()
  const after = (await hostBox.boundingBox())?.height ?? 0
  expect(after).toBeGreaterThan(before + 60)
  expect(Number(await page.evaluate('localStorage.getItem("flightdeck.pane.editor.body")'))).toBe(
    Math.round(after),
  )

  // Ctrl/Cmd+Enter in the editor sends (it is not "insert a blank line"): the server gets the body as typed.
  const sent = server.requests.length
  await editor.click()
  await page.keyboard.press('Control+Enter')
  await expect.poll(() => server.requests.length).toBeGreaterThan(sent)
  const got = server.requests[sent]
  expect(got?.url).toBe('/echo?via=editor')
  expect(got?.body.toString('utf8')).toBe('{\n  "user": "Ann",\n  "n": 3\n}')
  await expect(editor).toHaveText(/"user"/)

  expect(violations).toEqual([])
  expect(await page.evaluate('globalThis.__cspSeen')).toEqual([])
})

test('a text body is coloured as XML by its content type; each tab keeps its own body, and undo stays in it', async ({
  page,
}) => {
  if (!host) throw new Error('no host')
  await page.goto(host.url)
  const tabs = page.getByRole('tablist', { name: 'Open requests' }).getByRole('tab')
  await page.getByRole('button', { name: 'New request tab' }).click()
  const first = (await tabs.count()) - 1
  await page.getByRole('textbox', { name: 'URL' }).fill('{{base}}/echo?via=xml')
  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
  await page.getByRole('tab', { name: /^Body/ }).click()
  await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('Text', { exact: true }).click()
  await page.getByRole('textbox', { name: 'Content type' }).fill('application/xml')
  const text = page.getByRole('textbox', { name: 'Body text' })
  await text.fill('<user id="7">{{userName}}</user>')
  const frame = page.locator('.code-editor').filter({ has: text })
  await expect(frame.locator('.tok-tagName').first()).toHaveText('user')
  await expect(frame.locator('.cm-var-known', { hasText: '{{userName}}' })).toBeVisible()

  // Another tab: its own (empty) body; undo there does not bring back the first tab's text.
  await page.getByRole('button', { name: 'New request tab' }).click()
  await page.getByRole('tab', { name: /^Body/ }).click()
  await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('Text', { exact: true }).click()
  await expect(text).toHaveText('')
  await text.click()
  await page.keyboard.press('Control+z')
  await expect(text).toHaveText('')
  await page.keyboard.type('second')

  // Back on the first tab, its body is there (undo does not reach the other tab's typing), and it is what the
  // server gets.
  await tabs.nth(first).click()
  await page.getByRole('tab', { name: /^Body/ }).click()
  await expect(text).toHaveText('<user id="7">{{userName}}</user>')
  await text.click()
  await page.keyboard.press('Control+z')
  await expect(text).toHaveText('<user id="7">{{userName}}</user>')
  const sent = server.requests.length
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => server.requests.length).toBeGreaterThan(sent)
  expect(server.requests[sent]?.url).toBe('/echo?via=xml')
  expect(server.requests[sent]?.body.toString('utf8')).toBe('<user id="7">Ann</user>')
})

test('the editor in light and dark (screenshots for the docs)', async ({ page }) => {
  if (!host) throw new Error('no host')
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.goto(host.url)
    // A composer pane tall enough for the editor's default height (about 12 lines).
    await page.evaluate(`(() => {
      localStorage.removeItem('flightdeck.pane.editor.body')
      localStorage.setItem('flightdeck.pane.composer', '420')
    })()`)
    await page.reload()
    await page.getByRole('textbox', { name: 'URL' }).fill('{{base}}/echo')
    await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
    await page.getByRole('tab', { name: /^Body/ }).click()
    await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('JSON', { exact: true }).click()
    const editor = page.getByRole('textbox', { name: 'Body JSON' })
    await editor.fill(
      '{"user":"{{userName}}","count":{{count}},"tags":["a","b"],"active":true,"note":null,"id":"{{$uuid}}",' +
        '"missing":"{{nobody}}"}',
    )
    await page.getByRole('button', { name: 'Beautify' }).click()
    await expect(editor).toContainText('"tags": [')
    await page.locator('.cm-var-known', { hasText: '{{userName}}' }).hover()
    await expect(page.getByRole('tooltip').filter({ hasText: '{{userName}} = Ann' })).toBeVisible()
    await page.screenshot({ path: docsPicture(scheme === 'light' ? 'editor.png' : 'editor-dark.png') })
  }
})

test('the editors and GraphQL load on first use under the hash-pinned CSP; a chunk URL the build did not pin is refused', async ({
  page,
}) => {
  if (!host) throw new Error('no host')
  const violations: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) violations.push(m.text())
  })
  await page.addInitScript(`(() => {
    globalThis.__cspSeen = []
    document.addEventListener('securitypolicyviolation', (e) => globalThis.__cspSeen.push(e.violatedDirective + ' ' + e.blockedURI))
  })()`)
  const scripts = (): Promise<string[]> =>
    page.evaluate(
      `performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /\\.js$/.test(n))`,
    )
  await page.goto(host.url)
  await expect(page.getByRole('textbox', { name: 'URL' })).toBeVisible()
  // The first composer needs the entry alone: no editor, no GraphQL.
  expect(await scripts()).toHaveLength(1)

  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
  await page.getByRole('tab', { name: /^Body/ }).click()
  await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('JSON', { exact: true }).click()
  await expect(page.getByRole('textbox', { name: 'Body JSON' })).toBeVisible()
  await page.getByRole('tab', { name: /^Tests/ }).click()
  await expect(page.getByRole('region', { name: 'Retry' })).toBeVisible()
  await page.getByRole('tab', { name: /^Scripts/ }).click()
  await expect(page.getByRole('textbox', { name: 'Pre-request script' })).toBeVisible()
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'GraphQL' })
  await expect(page.getByRole('textbox', { name: 'GraphQL query' })).toBeVisible()
  const loaded = await scripts()
  expect(loaded.length).toBeGreaterThan(4)
  expect(violations).toEqual([])
  expect(await page.evaluate('globalThis.__cspSeen')).toEqual([])

  // The same bytes under a URL the import map does not pin carry no integrity, so the policy refuses them.
  const chunk = loaded[loaded.length - 1] ?? ''
  const outcome = await page.evaluate(
    `import(${JSON.stringify(`${chunk}?unpinned`)}).then(() => 'ran', () => 'refused')`,
  )
  expect(outcome).toBe('refused')
  // Chromium reports the refusal (once or twice); it names exactly that URL, and nothing else was refused.
  await expect.poll(() => page.evaluate('globalThis.__cspSeen.length')).toBeGreaterThan(0)
  for (const seen of (await page.evaluate('globalThis.__cspSeen')) as string[])
    expect(seen).toMatch(/^script-src-elem http:.*\?unpinned$/)
})

test('a pane whose chunk cannot load says so in the pane, and the rest of the window keeps working', async ({
  page,
}) => {
  if (!host) throw new Error('no host')
  // As a chunk missing from the install, or one whose bytes fail the page's integrity pin, would.
  await page.route(/\/assets\/BodyEditor-[^/]*\.js$/, (route) => route.abort())
  await page.goto(host.url)
  // A fresh tab: the workspace the tests above left behind is not this test's.
  await page.getByRole('button', { name: 'New request tab' }).click()
  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
  await page.getByRole('tab', { name: /^Body/ }).click()
  await expect(
    page.getByRole('alert').filter({ hasText: 'The body editor could not be loaded' }),
  ).toContainText('reload the window')
  // The rest of the window works: another tab, and a send.
  await page.getByRole('tab', { name: /^Headers/ }).click()
  await expect(page.getByRole('tab', { name: /^Headers/ })).toHaveAttribute('aria-selected', 'true')
  await expect(page.getByRole('alert').filter({ hasText: 'could not be loaded' })).toHaveCount(0)
  const sent = server.requests.length
  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('GET')
  await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/echo?via=no-editor`)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => server.requests.slice(sent).map((r) => r.url)).toContain('/echo?via=no-editor')
})
