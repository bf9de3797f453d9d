import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Locator, type Page } from '@playwright/test'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { box, pictures, settled, within } from './page-geometry'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * What a person meets in the composer at 1280×800 and 1024×700, through the browser host in headless Chromium (no
 * scrollbars): a saved request's scripts open whole (the composer was drawn at its 210 px floor, three lines of
 * each); at 1024×700 both editors are in sight at once (the second was a scroll away below the composer's edge);
 * the "more below" line under the composer takes no room once nothing is below; and a GraphQL request's schema
 * column runs from the panel's top beside the options bar (the bar, two lines with a WebSocket's options at 1024
 * px, took the column's first rows). Pictures light and dark in the test's output folder.
 */

let host: RunningWebHost
let gql: GraphqlFixture
let dir = ''

/** Eight lines before, six after: more than the floor's three of each. */
const PRE = Array.from({ length: 8 }, (_, i) => `pm.variables.set('v${i}', ${i})`)
const POST = Array.from({ length: 6 }, (_, i) => `pm.test('t${i}', () => pm.response.to.have.status(200))`)

test.beforeAll(async () => {
  gql = await startGraphqlServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-u32-room-'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Room\n')
  writeFileSync(
    join(dir, 'scripted.yaml'),
    [
      'name: Scripted',
      'method: GET',
      'url: http://127.0.0.1:9/scripted',
      'scripts:',
      '  preRequest: |',
      ...PRE.map((l) => `    ${l}`),
      '  test: |',
      ...POST.map((l) => `    ${l}`),
      '',
    ].join('\n'),
  )
  // Six checks: more than the floor's three rows.
  const checks = Array.from(
    { length: 6 },
    (_, i) => `  - kind: header\n    name: x-h${i}\n    equals: v${i}\n`,
  )
  writeFileSync(
    join(dir, 'checked.yaml'),
    `name: Checked\nmethod: GET\nurl: http://127.0.0.1:9/checked\nassertions:\n${checks.join('')}`,
  )
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await gql?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** Opens the saved request `name` (the host keeps the collection open from one test to the next). */
async function openSaved(page: Page, name: string): Promise<void> {
  await page.goto(host.url)
  const tree = page.getByRole('complementary', { name: 'Collections' })
  const folder = page.getByRole('textbox', { name: 'Collection folder' })
  await expect(tree.getByRole('treeitem', { name: 'Scripted' }).or(folder)).toBeVisible()
  if (await folder.isVisible()) {
    await folder.fill(dir)
    await page.getByRole('button', { name: 'Open', exact: true }).click()
  }
  await tree.getByRole('treeitem', { name }).click()
}

async function openScripted(page: Page): Promise<void> {
  await openSaved(page, 'Scripted')
  await page
    .getByRole('region', { name: 'Request' })
    .getByRole('tab', { name: /^Scripts/ })
    .click()
  await expect(page.getByRole('textbox', { name: 'Pre-request script' })).toContainText('v7')
}

/** Lines of an editor out of its sight (scrolled within it), by its scroller's heights. */
async function hiddenInEditor(editor: Locator): Promise<number> {
  return editor.locator('.cm-scroller').evaluate((el) => Math.max(0, el.scrollHeight - el.clientHeight - 1))
}

test('a request’s scripts open whole at 1280×800, and both are in sight at 1024×700', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 })
  await openScripted(page)
  const composer = page.getByRole('region', { name: 'Request' })
  const panel = composer.getByRole('tabpanel')
  const strip = page.locator('.composer-wrap > .scroll-cue-strip')
  const pre = page.getByRole('region', { name: 'Pre-request script' })
  const post = page.getByRole('region', { name: 'Post-response script' })
  const grips = [
    page.getByRole('separator', { name: 'Resize Pre-request script' }),
    page.getByRole('separator', { name: 'Resize Post-response script' }),
  ]
  await settled(page)

  // 1280×800: every line of both scripts shows, nothing scrolls, nothing is said below.
  for (const editor of [pre, post]) expect(await hiddenInEditor(editor), 'lines scrolled away').toBe(0)
  for (const grip of grips) expect(within(await box(grip), await box(panel))).toBe(true)
  await expect(page.getByRole('textbox', { name: 'Pre-request script' })).toContainText('v7')
  expect(await panel.getAttribute('data-more')).toBeNull()
  await expect(strip).toBeHidden()
  // Within the window's room: the timeline keeps its rows below.
  expect((await box(page.locator('.composer-wrap'))).height).toBeLessThanOrEqual(800 * 0.4 + 1)
  await pictures(page, 'scripts-open-1280x800')

  // 1024×700: both editors, their headings and grips wholly inside the panel, nothing hidden below it.
  await page.setViewportSize({ width: 1024, height: 700 })
  await settled(page)
  const p = await box(panel)
  for (const part of [pre, post, ...grips]) expect(within(await box(part), p), 'inside the panel').toBe(true)
  for (const h of await page.locator('.scripts-section .code-editor-host').all())
    expect((await box(h)).height, 'three lines at least').toBeGreaterThanOrEqual(59)
  expect(await panel.getAttribute('data-more')).toBeNull()
  await expect(strip).toBeHidden()
  await pictures(page, 'scripts-open-1024x700')
})

test('a request’s six checks open whole on its Tests tab at 1280×800', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 })
  await openSaved(page, 'Checked')
  const composer = page.getByRole('region', { name: 'Request' })
  await composer.getByRole('tab', { name: /^Tests/ }).click()
  const panel = composer.getByRole('tabpanel')
  await expect(composer.getByRole('tab', { name: /^Tests/ })).toContainText('6')
  await settled(page)
  // Each check's row (its kind's box), wholly inside the panel's box.
  const kinds = panel.getByRole('combobox', { name: /^Assertion \d+ kind$/ })
  await expect(kinds).toHaveCount(6)
  await settled(page)
  const p = await box(panel)
  for (const kind of await kinds.all()) expect(within(await box(kind), p), 'check in sight').toBe(true)
  await pictures(page, 'tests-open-1280x800')
})

/**
 * A URL of sixteen variables no scope defines: the send's error names them all and, with their hints, holds more
 * than the composer's share of a 700 px window, so the composer scrolls as a whole.
 */
const URL_OF_UNKNOWNS =
  'https://{{apiHost}}/v1/{{tenantIdentifier}}/orders/{{orderNumber}}/lines/{{lineNumber}}' +
  '?expand={{expandFields}}&region={{deploymentRegion}}&currency={{preferredCurrency}}' +
  '&locale={{customerLocale}}&channel={{salesChannel}}&trace={{traceSamplingRate}}' +
  '&store={{storeIdentifier}}&warehouse={{warehouseCode}}&promo={{promotionCode}}' +
  '&segment={{customerSegment}}&campaign={{marketingCampaign}}&variant={{experimentVariant}}'

test('the composer’s “more below” line shows nothing once nothing is below, and the content does not jump', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1024, height: 700 })
  await page.goto(host.url)
  const composer = page.getByRole('region', { name: 'Request' })
  await composer.getByRole('textbox', { name: /URL/ }).first().fill(URL_OF_UNKNOWNS)
  await composer.getByRole('button', { name: 'Send', exact: true }).click()
  await expect(composer.getByRole('alert')).toContainText('Not sent: Unknown variables')
  const strip = page.locator('.composer-wrap > .scroll-cue-strip')
  await expect(strip).toHaveText('more below ↓')
  // Scrolled to the end of the composer and of its panel: nothing below, so neither words nor rule show (it
  // stayed as an empty bordered line), while the line keeps its room: had it gone, the content would jump by its
  // height just as one reaches the end, and a click on the last control (Get token) would land on what moved there.
  const panel = composer.getByRole('tabpanel')
  const last = panel.locator('*').last()
  for (let i = 0; i < 3; i++) {
    await composer.evaluate((el) => el.scrollTo(0, el.scrollHeight))
    await panel.evaluate((el) => el.scrollTo(0, el.scrollHeight))
    await settled(page)
  }
  await expect(strip).not.toHaveAttribute('data-below', '')
  const seen = await strip.evaluate((el) => {
    const style = getComputedStyle(el)
    return { words: style.color, rule: style.borderTopColor }
  })
  expect(seen).toEqual({ words: 'rgba(0, 0, 0, 0)', rule: 'rgba(0, 0, 0, 0)' })
  expect(
    await strip.evaluate((el) => el.getBoundingClientRect().height),
    'the line keeps its room',
  ).toBeGreaterThan(0)
  const before = await box(last)
  await settled(page)
  await settled(page)
  expect((await box(last)).y, 'the content stays where it is at the end').toBe(before.y)
  await pictures(page, 'send-error-end')
  // Scrolled back up, it is said again.
  await composer.evaluate((el) => el.scrollTo(0, 0))
  await expect(strip).toHaveAttribute('data-below', '')
})

test('a GraphQL request’s schema column runs from the panel’s top, beside the options bar', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1024, height: 700 })
  await page.goto(host.url)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'GraphQL' })
  await page.getByRole('textbox', { name: 'URL' }).fill(gql.url)
  await page.getByRole('button', { name: 'Fetch schema' }).click()
  await expect(page.getByTestId('graphql-schema-state')).toHaveText(/^Schema: \d+ types$/)
  // The most the bar holds: a WebSocket's Share connection and a document's two operations.
  await page.getByRole('combobox', { name: 'Transport' }).selectOption('ws')
  const editor = page.getByRole('textbox', { name: 'GraphQL query' })
  await editor.click()
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.press('Delete')
  await page.keyboard.type('query First { hello }\nquery Second { hello ')
  await expect(page.getByRole('combobox', { name: 'Operation' })).toBeVisible()

  for (const size of [
    { width: 1024, height: 700 },
    { width: 1280, height: 800 },
  ]) {
    await page.setViewportSize(size)
    await settled(page)
    const [bar, column, panel] = [
      await box(page.getByRole('group', { name: 'GraphQL options' })),
      await box(page.locator('.graphql-schema-pane')),
      await box(page.getByRole('region', { name: 'Request' }).getByRole('tabpanel')),
    ]
    // The column starts where the bar does and the bar stops short of it.
    expect(Math.abs(column.y - bar.y), `column ${column.y}, bar ${bar.y}`).toBeLessThan(1)
    expect(bar.x + bar.width).toBeLessThanOrEqual(column.x + 0.5)
    expect(within(column, panel)).toBe(true)
    await pictures(page, `graphql-column-${size.width}x${size.height}`)
  }
})
