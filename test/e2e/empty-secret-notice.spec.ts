import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from './file-page'
import { startBuiltWebHost } from './web-host'

/**
 * A colleague's collection opened on a machine where its secret `token` has no value: the app sends the request
 * (the server sees `Bearer ` and answers 401) and the details say why beside the status, with the way to the
 * environment's variables where the value is set. Readable at 1024 px wide, light and dark (screenshots into
 * the test's output folder). Through the browser host in Chromium.
 */

let api: Server
let base = ''
const seen: string[] = []
const sseSeen: string[] = []
const streams: ServerResponse[] = []

test.beforeAll(async () => {
  api = createServer((req, res) => {
    const auth = req.headers.authorization ?? ''
    if (req.url?.startsWith('/events')) {
      sseSeen.push(auth)
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      // Held open: one message and no reconnects while the test reads the details.
      res.write('data: hello\n\n')
      streams.push(res)
      return
    }
    seen.push(auth)
    const ok = auth.startsWith('Bearer ') && auth.length > 'Bearer '.length
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' })
    res.end(ok ? '{"me":"alice"}' : '{"error":"missing token"}')
  })
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`
})

test.afterAll(async () => {
  for (const res of streams) res.end()
  await new Promise<void>((resolve) => api.close(() => resolve()))
})

test('a request sent with an empty secret says so beside its 401, and leads to where the value is set', async ({
  page,
}) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const dir = mkdtempSync(join(tmpdir(), 'fd-e2e-empty-secret-'))
  const configDir = mkdtempSync(join(tmpdir(), 'fd-e2e-empty-secret-config-'))
  // `auth` is not secret; its value uses the secret `token`, which has no value on this machine.
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Team API\nvariables:\n  base: ${base}\n  auth: "Bearer {{token}}"\n`,
  )
  mkdirSync(join(dir, 'environments'))
  writeFileSync(
    join(dir, 'environments', 'staging.yaml'),
    'name: Staging\nvariables:\n  token:\n    secret: true\n',
  )
  writeFileSync(
    join(dir, 'me.yaml'),
    'name: Who am I\nmethod: GET\nurl: "{{base}}/me"\nheaders:\n  - name: Authorization\n    value: "{{auth}}"\n',
  )
  writeFileSync(join(dir, 'health.yaml'), 'name: Health\nmethod: GET\nurl: "{{base}}/health"\n')
  const host = await startBuiltWebHost(15_000, {
    args: ['--collections', dir],
    env: { FLIGHTDECK_CONFIG_DIR: configDir },
  })
  try {
    await page.setViewportSize({ width: 1024, height: 720 })
    await page.goto(host.url)
    await page.getByRole('combobox', { name: 'Environment' }).selectOption({ label: 'Staging' })
    const sidebar = page.getByRole('complementary', { name: 'Collections' })
    await sidebar.getByRole('treeitem', { name: 'Who am I' }).click()
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    const row = page.getByRole('grid', { name: 'Timeline' }).getByRole('row').filter({ hasText: 'Who am I' })
    await expect(row).toHaveAttribute('data-status', '401')
    // Sent empty (Node's parser drops the trailing space of 'Bearer ').
    expect(seen).toEqual(['Bearer'])
    await row.click()

    const details = page.getByRole('region', { name: 'Details' })
    const notice = details.getByRole('note', { name: 'Sent with empty secrets' })
    await expect(notice).toHaveText(
      'Sent with empty secret token — no value on this machine (environment "Staging")Set value…',
    )
    // Not cut off in a 1024 px window, below the timeline and in the narrower pane beside it: the whole note is
    // inside the pane, none of it clipped (it wraps).
    const whole = async (): Promise<boolean> => {
      const box = await notice.boundingBox()
      const pane = await details.boundingBox()
      const inside = !!box && !!pane && box.x >= pane.x - 1 && box.x + box.width <= pane.x + pane.width + 1
      const unclipped = await notice.evaluate((el) =>
        [el, ...el.querySelectorAll('*')].every((c) => c.scrollWidth <= c.clientWidth + 1),
      )
      return inside && unclipped
    }
    expect(await whole()).toBe(true)
    await page.getByRole('button', { name: 'Details on the right' }).click()
    await expect(notice).toBeVisible()
    expect(await whole()).toBe(true)
    await page.mouse.move(1, 1)
    await page.screenshot({ path: test.info().outputPath('empty-secret-right.png') })
    await page.getByRole('button', { name: 'Details below' }).click()
    // The pictures show the notice, not the waterfall's hover card over the row just clicked.
    await page.mouse.move(1, 1)
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      await page.screenshot({ path: test.info().outputPath(`empty-secret-${scheme}.png`) })
    }
    await page.emulateMedia({ colorScheme: 'light' })

    // The way to the value: the Staging environment's variables, where token is.
    await notice.getByRole('button', { name: 'Set value…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Variables' })
    await expect(dialog).toBeVisible()
    await expect(dialog.getByRole('textbox', { name: 'Environment name' })).toHaveValue('Staging')

    await expect(dialog.getByRole('combobox', { name: 'Variable scope' })).toHaveValue('env:staging')
    await page.keyboard.press('Escape')
    await expect(dialog).toBeHidden()

    // A request that uses no empty secret has no notice.
    await sidebar.getByRole('treeitem', { name: 'Health' }).click()
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    const health = page.getByRole('grid', { name: 'Timeline' }).getByRole('row').filter({ hasText: 'Health' })
    await expect(health).toHaveAttribute('data-status', '401')
    await health.click()
    await expect(details.locator('.status-line .url')).toContainText('/health')
    await expect(details.getByRole('note', { name: 'Sent with empty secrets' })).toHaveCount(0)
    expect(pageErrors).toEqual([])
  } finally {
    await host.stop()
    rmSync(dir, { recursive: true, force: true })
    rmSync(configDir, { recursive: true, force: true })
  }
})

test('an SSE session opened with an empty secret says so in its stream details', async ({ page }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const dir = mkdtempSync(join(tmpdir(), 'fd-e2e-empty-secret-sse-'))
  const configDir = mkdtempSync(join(tmpdir(), 'fd-e2e-empty-secret-sse-config-'))
  writeFileSync(join(dir, 'collection.yaml'), `flightdeck: 1\nname: Team API\nvariables:\n  base: ${base}\n`)
  mkdirSync(join(dir, 'environments'))
  writeFileSync(
    join(dir, 'environments', 'staging.yaml'),
    'name: Staging\nvariables:\n  token:\n    secret: true\n',
  )
  writeFileSync(
    join(dir, 'feed.yaml'),
    'name: Feed\nkind: sse\nmethod: GET\nurl: "{{base}}/events"\nheaders:\n  - name: Authorization\n    value: "Bearer {{token}}"\n',
  )
  const host = await startBuiltWebHost(15_000, {
    args: ['--collections', dir],
    env: { FLIGHTDECK_CONFIG_DIR: configDir },
  })
  try {
    await page.setViewportSize({ width: 1024, height: 720 })
    await page.goto(host.url)
    await page.getByRole('combobox', { name: 'Environment' }).selectOption({ label: 'Staging' })
    await page
      .getByRole('complementary', { name: 'Collections' })
      .getByRole('treeitem', { name: 'Feed' })
      .click()
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    const details = page.getByRole('region', { name: 'Stream details' })
    await expect(details).toBeVisible()
    await expect(details.getByRole('note', { name: 'Sent with empty secrets' })).toContainText(
      'Sent with empty secret token — no value on this machine (environment "Staging")',
    )
    expect(sseSeen).toEqual(['Bearer'])
    // One message is one message, not '1 messages'.
    await expect(details.locator('.stream-count')).toHaveText(/^1 message · /)
    await page.mouse.move(1, 1)
    await page.screenshot({ path: test.info().outputPath('empty-secret-sse.png') })
    expect(pageErrors).toEqual([])
  } finally {
    await host.stop()
    rmSync(dir, { recursive: true, force: true })
    rmSync(configDir, { recursive: true, force: true })
  }
})
