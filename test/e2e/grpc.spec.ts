import { type Page } from '@playwright/test'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { expect, test } from './file-page'
import { rowsAfterRestore } from './timeline-restored'
import { replaceEditorText } from './code-editor-input'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * gRPC through the browser host in Chromium: methods loaded by server reflection, one picked, a server-streaming
 * call invoked beside an HTTP request on one timeline, its messages and status in its details. Screenshots,
 * light and dark, for docs/grpc.md.
 */

let grpc: GrpcTestServer
let http: Fixture
let host: RunningWebHost

test.beforeAll(async () => {
  grpc = await startGrpcServer()
  http = await startHttpServer()
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await http?.close()
  await grpc?.close()
})

async function mode(page: Page, label: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label })
}

test('reflection, a method picked, a server stream on the timeline beside an HTTP request', async ({
  page,
}) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1400, height: 860 })
  await page.goto(host.url)
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  const rows = timeline.getByRole('row')
  const before = await rowsAfterRestore(page)

  const url = page.getByRole('textbox', { name: 'URL' })
  if (before === 0) {
    // A short window, methods loaded: the empty timeline's hint says what a gRPC tab does, whole above the details.
    // On a tab of its own: the flow below goes on in the first one.
    await page.setViewportSize({ width: 1024, height: 700 })
    await page.getByRole('button', { name: 'New request tab' }).click()
    await mode(page, 'gRPC')
    await url.fill(`grpc://${grpc.target}`)
    await page.getByRole('button', { name: 'Load methods' }).click()
    await expect(
      page
        .getByRole('group', { name: 'gRPC method' })
        .getByRole('combobox', { name: 'Method' })
        .locator('option'),
    ).toHaveCount(6)
    const note = page.locator('.tl-empty')
    await expect(note).toContainText('pick a method and press Ctrl+Enter to invoke it.')
    const [noteBox, frameBox] = [await note.boundingBox(), await page.locator('.tl-frame').boundingBox()]
    if (!noteBox || !frameBox) throw new Error('no empty note or timeline frame')
    expect(noteBox.y + noteBox.height, 'the hint whole inside the timeline').toBeLessThanOrEqual(
      frameBox.y + frameBox.height,
    )
    await page.setViewportSize({ width: 1400, height: 860 })
    await page.getByRole('tablist', { name: 'Open requests' }).getByRole('tab').first().click()
  }
  await mode(page, 'HTTP')
  await url.fill(`${http.url}/delay?ms=600`)
  await url.press('Enter')

  await mode(page, 'gRPC')
  await url.fill(grpc.target)
  // A bare host:port is TLS (as grpcurl and the file format read it); plaintext writes the target as grpc://.
  const security = page.getByRole('combobox', { name: 'Transport security' })
  await expect(security).toHaveValue('tls')
  await security.selectOption('plaintext')
  await expect(url).toHaveValue(`grpc://${grpc.target}`)
  // Reload when the short-window check above loaded this server's methods on its own tab.
  await page.getByRole('button', { name: /^(Load methods|Reload)$/ }).click()
  const options = page.getByRole('group', { name: 'gRPC options' })
  await expect(options).toContainText('reflection (grpc.reflection.v1)')
  const method = page.getByRole('group', { name: 'gRPC method' }).getByRole('combobox', { name: 'Method' })
  await expect(method.locator('option')).toHaveCount(6)
  await method.selectOption('flightdeck.test.Echo/Count')
  await expect(page.getByRole('group', { name: 'gRPC method' })).toContainText('CountRequest → Tick')
  await page.getByRole('button', { name: 'Fill with defaults' }).click()
  const message = page.getByRole('textbox', { name: 'Message (JSON)' })
  await expect(message).toContainText('"gap_ms": 0')
  await message.fill('{"n": 40, "gap_ms": 25}')
  await page.getByRole('button', { name: 'Invoke' }).click()

  await expect(rows).toHaveCount(before + 2)
  const call = timeline.locator('[role="row"][data-sid^="rpc"]')
  await expect(call).toContainText('/flightdeck.test.Echo/Count')
  await expect(call).toHaveAttribute('data-state', 'done', { timeout: 15_000 })
  await call.click()
  const details = page.getByRole('region', { name: 'Stream details' })
  await expect(details).toContainText('gRPC')
  await expect(details).toContainText('↓ 41 received')
  // The last message in the log is the status with its trailers.
  await expect(details).toContainText('OK (0)')
  await page.mouse.move(5, 850)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: docsPicture(scheme === 'light' ? 'grpc.png' : 'grpc-dark.png') })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  expect(pageErrors).toEqual([])
})

/** The composer's tabs are in the window and answer a click (the message editor above them pushed them out). */
async function tabsReachable(page: Page): Promise<void> {
  const viewport = page.viewportSize()
  if (!viewport) throw new Error('no viewport')
  const pane = await page.locator('.composer-wrap').boundingBox()
  if (!pane) throw new Error('no composer pane')
  for (const name of ['Message', 'Metadata', 'Auth', 'Tests']) {
    const tab = page.getByRole('tablist', { name: 'Request parts' }).getByRole('tab', { name })
    const box = await tab.boundingBox()
    if (!box) throw new Error(`no ${name} tab`)
    // As it is on screen, not scrolled there by a script (the pane hid what overflowed it, with no scrollbar).
    expect(box.y, `${name} tab inside the composer pane`).toBeGreaterThanOrEqual(pane.y)
    expect(box.y + box.height, `${name} tab inside the window`).toBeLessThanOrEqual(viewport.height)
    expect(box.y + box.height, `${name} tab inside the composer pane`).toBeLessThanOrEqual(
      pane.y + pane.height + 1,
    )
    await tab.click()
    await expect(tab).toHaveAttribute('aria-selected', 'true')
    // What the tab shows is in the pane too: its first control can be seen and used.
    const first = page
      .locator('.composer-panel')
      .locator('input, select, button, [contenteditable="true"]')
      .first()
    const control = await first.boundingBox()
    if (!control) throw new Error(`nothing in the ${name} tab`)
    expect(control.height, `${name}: its first control shows`).toBeGreaterThan(8)
    expect(control.y + 8, `${name}: its first control inside the composer pane`).toBeLessThanOrEqual(
      pane.y + pane.height,
    )
    await expect(first).toBeVisible()
  }
  await page.getByRole('tablist', { name: 'Request parts' }).getByRole('tab', { name: 'Message' }).click()
}

test('the message editor completes and checks fields from the method, and the tabs below it stay reachable', async ({
  page,
}) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(host.url)
  await mode(page, 'gRPC')
  await page.getByRole('textbox', { name: 'URL' }).fill(`grpc://${grpc.target}`)
  await page.getByRole('button', { name: 'Load methods' }).click()
  const method = page.getByRole('group', { name: 'gRPC method' }).getByRole('combobox', { name: 'Method' })
  await expect(method.locator('option')).toHaveCount(6)
  await method.selectOption('flightdeck.test.Echo/Say')
  const message = page.getByRole('textbox', { name: 'Message (JSON)' })
  // With the default pane split at 1280×800, the editor shows at least 8 lines, all of them inside the pane.
  const editorBox = await page.locator('.grpc-message-editor').boundingBox()
  const paneBox = await page.locator('.composer-wrap').boundingBox()
  const lineHeight = await page
    .locator('.grpc-message-editor .cm-line')
    .first()
    .evaluate((el) => el.getBoundingClientRect().height)
  if (!editorBox || !paneBox) throw new Error('no message editor or composer pane')
  expect(editorBox.height, 'message editor at least 8 lines tall').toBeGreaterThanOrEqual(8 * lineHeight)
  expect(editorBox.y + editorBox.height, 'message editor inside the composer pane').toBeLessThanOrEqual(
    paneBox.y + paneBox.height + 1,
  )
  // The splitter moves the pane from where it is drawn: one step down makes it taller at once.
  await page.getByRole('separator', { name: 'Resize composer' }).focus()
  await page.keyboard.press('ArrowDown')
  await expect
    .poll(async () => (await page.locator('.composer-wrap').boundingBox())?.height)
    .toBeGreaterThan(paneBox.height + 5)
  await page.keyboard.press('ArrowUp')
  await expect
    .poll(async () => (await page.locator('.composer-wrap').boundingBox())?.height)
    .toBeLessThan(paneBox.height + 1)
  // A long message: the editor scrolls inside the tab; the tabs stay put.
  await message.fill(
    `{\n${Array.from({ length: 40 }, (_, i) => `  "text": "line ${i}",`).join('\n')}\n  "tags": []\n}`,
  )
  await tabsReachable(page)

  // Completion: the request type's fields with their types, then an enum's values.
  await message.fill('{"text": "hi", ')
  await message.press('End')
  await message.press('Control+Space')
  const popup = page.locator('.cm-tooltip-autocomplete')
  await expect(popup).toContainText('mood')
  await expect(popup).toContainText('Mood (enum)')
  await expect(popup).toContainText('delay_ms')
  await expect(popup).not.toContainText('text')
  await page.mouse.move(5, 790)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({
      path: docsPicture(scheme === 'light' ? 'grpc-message.png' : 'grpc-message-dark.png'),
    })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await page.keyboard.press('Escape')

  // Lint: a field the type lacks is underlined, its words on hover.
  await message.fill('{"text": "hi", "moood": "HAPPY"}')
  const bad = page.locator('.cm-lintRange-error')
  await expect(bad).toHaveCount(1)
  await expect(bad).toHaveText('"moood"')
  await bad.hover()
  await expect(page.locator('.cm-tooltip-lint')).toContainText('has no field "moood"')

  // A short window: the tabs still there and clickable.
  await page.setViewportSize({ width: 1280, height: 480 })
  await tabsReachable(page)
  await page.setViewportSize({ width: 1280, height: 800 })

  // A bidi stream's Send box is the same editor: it completes the request's fields, Ctrl+Enter sends.
  await method.selectOption('flightdeck.test.Echo/Chat')
  await message.fill('{"text": "first"}')
  await page.getByRole('button', { name: 'Invoke' }).click()
  const details = page.getByRole('region', { name: 'Stream details' })
  await expect(details).toContainText('echo: first')
  await details.getByRole('tab', { name: 'Send' }).click()
  const box = details.getByRole('textbox', { name: 'Message to send (JSON)' })
  await expect(details.locator('.grpc-message-editor')).toHaveAttribute(
    'data-request-type',
    'flightdeck.test.SayRequest',
  )
  // Completion opens as you type a name.
  await replaceEditorText(box, '{"m')
  await box.press('End')
  await box.pressSequentially('o')
  await expect(page.locator('.cm-tooltip-autocomplete')).toContainText('mood')
  await page.keyboard.press('Escape')
  await replaceEditorText(box, '{"text": "second"}')
  await box.press('Control+Enter')
  await expect(details).toContainText('echo: second')

  // The Auth tab's Bearer goes as metadata: the server's reply names what it saw (the app sent none before).
  await page.getByRole('tablist', { name: 'Request parts' }).getByRole('tab', { name: 'Auth' }).click()
  await page.getByRole('combobox', { name: 'Auth type' }).selectOption('bearer')
  await page.locator('.composer-panel').getByRole('textbox', { name: 'Token' }).fill('t0k')
  await method.selectOption('flightdeck.test.Echo/Say')
  await page.getByRole('tablist', { name: 'Request parts' }).getByRole('tab', { name: 'Message' }).click()
  await message.fill('{"text": "with auth"}')
  await page.getByRole('button', { name: 'Invoke' }).click()
  await expect(details).toContainText('you said: with auth')
  await expect(details).toContainText(/"seen_metadata":\{[^}]*"authorization":"Bearer t0k"/)
  expect(pageErrors).toEqual([])
})
