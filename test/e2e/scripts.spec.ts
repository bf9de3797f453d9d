import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Page } from '@playwright/test'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { expect, test } from './file-page'
import { startBuiltWebHost, untilHostWorked, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * Scripts through the browser host in Chromium: a pre-request script sets a header from a variable and sends a
 * set-up request (pm.sendRequest); the post-response script records a passing and a failing pm.test and logs.
 * Sent against a real server, the header reaches it, the set-up request is a child row under the request, the
 * details show the tests and the console, and the lane has script segments before and after the exchange.
 * Leaves docs/scripts-light.png and docs/scripts-dark.png.
 */

let server: Fixture
let host: RunningWebHost

test.beforeAll(async () => {
  server = await startHttpServer()
  host = await startBuiltWebHost(15_000, {
    env: { FLIGHTDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'flightdeck-scripts-')) },
  })
})

test.afterAll(async () => {
  await host?.stop()
  await server?.close()
})

interface Hovered {
  sid: string
  bars: { phase: string; x: number; w: number }[]
  scripts?: { phase: string; x: number; w: number }[]
  consoleMarks?: { phase: string; level: string; x: number }[]
}

async function hoverRow(page: Page, sid: string): Promise<Hovered> {
  const row = page.locator(`[role="grid"] [role="row"][data-sid="${sid}"]`)
  const rb = await row.boundingBox()
  const cb = await page.getByTestId('waterfall').boundingBox()
  if (!rb || !cb) throw new Error('no row or canvas box')
  await page.mouse.move(cb.x + cb.width * 0.5, rb.y + rb.height / 2)
  await expect(page.getByRole('tooltip')).toBeVisible()
  const body = page.getByTestId('waterfall')
  await expect.poll(async () => (await body.getAttribute('data-hover-bars')) ?? '').toContain(sid)
  return JSON.parse((await body.getAttribute('data-hover-bars')) ?? '{}') as Hovered
}

const PRE = [
  "pm.variables.set('token', 'tok-' + (40 + 2))",
  "pm.request.headers.upsert({ key: 'X-Token', value: pm.variables.get('token') })",
  `pm.sendRequest('${'{{setup}}'}', (err, res) => console.info('set-up answered', res && res.code))`,
].join('\n')

const POST = [
  "console.log('status', pm.response.code)",
  "pm.test('echoes the token', () => pm.expect(pm.response.json().headers['x-token']).to.eql('tok-42'))",
  "pm.test('status is 201', () => pm.response.to.have.status(201))",
].join('\n')

test('a request’s scripts: edited with completion, run around the send, their tests, console and time shown', async ({
  page,
}) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(host.url)
  await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/echo?via=scripts`)

  await page.getByRole('tab', { name: /^Scripts/ }).click()
  const pre = page.getByRole('textbox', { name: 'Pre-request script' })
  const post = page.getByRole('textbox', { name: 'Post-response script' })

  // The empty editors' grey text reads as an example, not as a script already set.
  for (const section of ['Pre-request script', 'Post-response script'])
    await expect(page.getByRole('region', { name: section }).locator('.cm-placeholder')).toHaveText(
      /^\/\/ e\.g\. pm\./,
    )

  // Completion for the pm API, member by member.
  await post.click()
  await page.keyboard.type('pm.resp')
  await expect(page.getByRole('option', { name: /^response/ })).toBeVisible()
  // CodeMirror ignores Enter for a moment after the list opens (so a quick typist's newline is not taken).
  await page.waitForTimeout(200)
  await page.keyboard.press('Enter')
  await page.keyboard.type('.')
  await expect(page.getByRole('option', { name: /^json/ })).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(post).toContainText('pm.response.')

  await pre.fill(PRE.replace('{{setup}}', `${server.url}/echo?via=setup`))
  await post.fill(POST)
  await expect(page.getByRole('tab', { name: /^Scripts/ })).toContainText('pre + post')

  await page.getByRole('textbox', { name: 'URL' }).press('Control+Enter')
  const rows = page.getByRole('grid', { name: 'Timeline' }).getByRole('row')
  // The request, and under it the set-up request its script sent.
  await expect(rows).toHaveCount(2, { timeout: 15_000 })
  const main = rows.filter({ hasText: 'via=scripts' })
  const child = rows.filter({ hasText: 'via=setup' })
  await expect(main).toHaveAttribute('data-state', 'done', { timeout: 10_000 })
  // The set-up request is listed under the request whose script sent it, marked as a script's.
  await expect(rows.nth(0)).toContainText('via=scripts')
  await expect(rows.nth(1)).toContainText('via=setup')
  await expect(child.locator('.script-badge')).toHaveText('script')
  // The request's row says a test failed.
  await expect(main.locator('.script-badge.fail')).toHaveText('tests ✗ 1')
  const sid = (await main.getAttribute('data-sid')) ?? ''

  // The header the pre-request script set reached the server.
  const echoed = server.requests.find((r) => r.url.includes('via=scripts'))
  expect(echoed?.headers['x-token']).toBe('tok-42')
  expect(server.requests.some((r) => r.url.includes('via=setup'))).toBe(true)

  // Above the response: one test passed, one failed; the console has lines.
  const strip = page.getByTestId('script-strip')
  await expect(strip).toContainText('1 passed')
  await expect(strip).toContainText('1 failed')
  await expect(strip).toContainText('console')

  // The Scripts tab: each test with its result and message, the console with its phase.
  await strip.getByRole('button', { name: 'Scripts ›' }).click()
  const report = page.getByTestId('script-report')
  await expect(report.locator('tr[data-test="echoes the token"]')).toHaveAttribute('data-result', 'passed')
  const failed = report.locator('tr[data-test="status is 201"]')
  await expect(failed).toHaveAttribute('data-result', 'failed')
  await expect(failed).toContainText('201')
  const consoleLog = report.getByRole('log')
  await expect(consoleLog).toContainText('status 200')
  await expect(consoleLog.locator('.console-line[data-level="log"]')).toContainText('post')

  // The lane: a script segment before the request's bar and one after it, and a console mark.
  const hovered = await hoverRow(page, sid)
  const phases = (hovered.scripts ?? []).map((s) => s.phase)
  expect(phases).toEqual(['pre', 'post'])
  const firstNet = hovered.bars[0]
  const lastNet = hovered.bars[hovered.bars.length - 1]
  const [preRect, postRect] = hovered.scripts ?? []
  expect(preRect?.x ?? Infinity).toBeLessThanOrEqual((firstNet?.x ?? 0) + (firstNet?.w ?? 0))
  expect(postRect?.x ?? 0).toBeGreaterThanOrEqual((lastNet?.x ?? 0) - 1)
  expect((hovered.consoleMarks ?? []).length).toBeGreaterThan(0)
  const card = page.getByRole('tooltip')
  await expect(card.getByRole('table', { name: 'Scripts of the hovered request' })).toContainText(
    'Pre-request script',
  )
  await expect(card).toContainText('1 passed, 1 failed')

  // The pictures: details on the right, the Scripts tab open, the hover card over the scripted row.
  await page.getByRole('button', { name: 'Details on the right' }).click()
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await hoverRow(page, sid)
    await page.screenshot({ path: docsPicture(`scripts-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  expect(pageErrors).toEqual([])
})

test('an imported request whose scripts were translated says its checks run; switching to the script is saved', async ({
  page,
}) => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-scripts-coll-'))
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: imported\nvariables:\n  base: ${server.url}\n`,
  )
  const file = join(dir, 'health.yaml')
  writeFileSync(
    file,
    [
      'name: Health',
      'method: GET',
      'url: "{{base}}/echo"',
      'assertions:',
      '  - kind: status',
      '    equals: 200',
      'scripts:',
      '  test: |',
      "    pm.test('ok', () => pm.response.to.have.status(200))",
      '  translated: true',
      '',
    ].join('\n'),
  )
  await page.goto(host.url)
  await page.getByRole('textbox', { name: 'Collection folder' }).fill(dir)
  await page.getByRole('button', { name: 'Open', exact: true }).click()
  await page
    .getByRole('complementary', { name: 'Collections' })
    .getByRole('treeitem', { name: 'Health' })
    .click()
  const scriptsTab = page.getByRole('tab', { name: /^Scripts/ })
  await expect(scriptsTab).toContainText('translated')
  await scriptsTab.click()
  const note = page.getByTestId('scripts-translated')
  await expect(note).toContainText('those checks are what runs')
  await expect(page.getByRole('textbox', { name: 'Post-response script' })).toContainText("pm.test('ok'")

  await note.getByRole('button', { name: 'Run the scripts instead' }).click()
  await expect(note).toHaveCount(0)
  await expect(scriptsTab).toContainText('post')
  await page.keyboard.press('Control+s')
  await expect(page.getByRole('tab', { name: 'Health', exact: true })).toBeVisible()
  await expect.poll(() => readFileSync(file, 'utf8')).toContain('translated: false')
  rmSync(dir, { recursive: true, force: true })
})

test('a script stopped at its CPU limit is said above the details and on its row, naming the limit', async ({
  page,
}) => {
  // Bounded by the host's CPU time below; the test's wall-time bound only catches a host that stalls.
  test.setTimeout(180_000)
  await page.goto(host.url)
  await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/echo?via=loop`)
  await page.getByRole('tab', { name: /^Scripts/ }).click()
  await page
    .getByRole('textbox', { name: 'Post-response script' })
    .fill("console.warn('looping')\nwhile (true) {}")
  await page.getByRole('textbox', { name: 'URL' }).press('Control+Enter')
  const row = page.getByRole('grid', { name: 'Timeline' }).getByRole('row').filter({ hasText: 'via=loop' })
  // The script runs until the host has given it 2 s of CPU time; on a loaded machine that is many more seconds of
  // wall time, so the wait is bounded by the host's CPU time (with room for serving the page and the send).
  await untilHostWorked(host, async () => (await row.locator('.script-badge.fail').count()) > 0, {
    cpuMs: 2_000,
    slackMs: 8_000,
    wallMs: 150_000,
  })
  await expect(row.locator('.script-badge.fail')).toHaveText('script stopped')
  await expect(row.locator('.script-badge.fail')).toHaveAttribute('title', /CPU time over/)
  const strip = page.getByTestId('script-strip')
  await expect(strip.getByRole('alert')).toContainText(/Post-response script: .*via=loop.*CPU time over 2 s/)
  await strip.getByRole('button', { name: 'Scripts ›' }).click()
  const report = page.getByTestId('script-report')
  await expect(report.locator('.script-failure')).toContainText(
    /Post-response script: .*CPU time over 2 s: the script was stopped/,
  )
  // What it logged before it was stopped is kept.
  await expect(report.getByRole('log').locator('.console-line[data-level="warn"]')).toContainText('looping')

  // The legend names the script colour and the console mark.
  await page.getByRole('button', { name: 'Legend' }).click()
  const legend = page.getByRole('list', { name: 'Waterfall legend' })
  await expect(legend.locator('[data-legend="script"]')).toHaveText([
    'Pre-request script',
    'Post-response script',
  ])
  await expect(legend.locator('[data-legend="console"]')).toHaveText('Script console output')
})

test('a request that follows its job says its scripts are not run by a send from the composer', async ({
  page,
}) => {
  await page.goto(host.url)
  await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/echo?via=job`)
  await page.getByRole('tab', { name: /^Scripts/ }).click()
  await page.getByRole('textbox', { name: 'Post-response script' }).fill("pm.test('ok', () => {})")
  await expect(page.getByTestId('scripts-after-response')).toHaveCount(0)
  await page.getByRole('tab', { name: /^After response/ }).click()
  await page
    .getByRole('radiogroup', { name: 'After response' })
    .getByRole('radio', { name: /follow/i })
    .click()
  await page.getByRole('tab', { name: /^Scripts/ }).click()
  await expect(page.getByTestId('scripts-after-response')).toContainText('does not run its scripts')
})
