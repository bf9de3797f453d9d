import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Page } from '@playwright/test'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { expect, test } from './file-page'
import { contrastOf } from './legibility'
import { pictures } from './page-geometry'
import { checkAnswer, openShop, startShop, type UsersEyeShop } from './users-eye-steps'
import { startBuiltWebHost } from './web-host'

/**
 * What a new user stumbled on at 1024 px, light and dark: a folder row's name hidden under its actions in the
 * sidebar the details pane squeezes, run charts whose labels shrank with the pane, a results table whose last
 * columns no key could bring in, the last session's offer in low-contrast buttons, and a GraphQL options bar that
 * a long operation name took to two lines. Pictures go to each test's output folder.
 */

let shop: UsersEyeShop

test.beforeAll(async () => {
  shop = await startShop(
    'renderer-stumbles',
    (req, res) => {
      if (checkAnswer(new URL(req.url ?? '/', 'http://x'), res)) return
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"ok":true}')
    },
    (write) =>
      write('orders and payments/list.yaml', 'name: List orders\nmethod: GET\nurl: "{{base}}/orders"\n'),
  )
})

test.afterAll(async () => {
  await shop?.stop()
})

const sidebarOf = (page: Page) => page.getByRole('complementary', { name: 'Collections' })

async function detailsOnTheRight(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Details on the right' }).click()
}

test("a folder row's name stays in sight beside its actions in the sidebar the details pane squeezes", async ({
  page,
}) => {
  await openShop(page, shop.host, 1024, 768)
  await detailsOnTheRight(page)
  const sidebar = sidebarOf(page)
  const name = sidebar.locator('.folder-name', { hasText: 'orders and payments' })
  // Hovering the name itself: the six actions laid over the row took the pointer from its tenth character.
  await name.hover()
  const covered = await name.evaluate((el) => {
    const box = el.getBoundingClientRect()
    const row = el.closest('.tree-row') as HTMLElement
    return [...row.querySelectorAll('.row-action')]
      .map((b) => b.getBoundingClientRect())
      .filter((b) => b.width > 0 && b.left < box.right && b.right > box.left)
      .map((b) => Math.round(box.right - b.left))
  })
  expect(covered, 'px of the name under a button').toEqual([])
  const search = sidebar.getByRole('searchbox', { name: 'Search requests' })
  const inSidebar = await search.evaluate(
    (el) => el.getBoundingClientRect().right <= el.closest('.sidebar-wrap')!.getBoundingClientRect().right,
  )
  expect(inSidebar, 'search box inside the sidebar').toBe(true)
  // The row as a person sees it under the pointer (pictures() moves the pointer away).
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await name.hover()
    await page.screenshot({ path: test.info().outputPath(`folder-row-narrow-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  // The other actions are one click away, and do what they say.
  await name.hover()
  await sidebar.getByRole('button', { name: 'More actions for orders and payments' }).click()
  await sidebar.getByRole('button', { name: 'New request in orders and payments' }).click()
  await expect(sidebar.getByRole('textbox')).toBeFocused()
  await page.keyboard.press('Escape')
})

test("a run's charts label in 11 px at any pane width; its table's last columns are a Tab and an arrow away", async ({
  page,
}) => {
  await openShop(page, shop.host, 1024, 768)
  await detailsOnTheRight(page)
  const sidebar = sidebarOf(page)
  await sidebar.locator('.folder-name', { hasText: 'checks' }).hover()
  await sidebar.getByRole('button', { name: 'Run checks', exact: true }).click()
  const runner = page.getByRole('region', { name: 'Runner' })
  await runner.getByRole('button', { name: 'Start run' }).click()
  await expect(runner.getByTestId('run-state')).toHaveText('Finished')
  /** Each chart label's drawn font size (px) and whether it lies inside its chart, apart from the others. */
  const ticks = () =>
    runner.locator('svg.run-chart').evaluateAll((charts) =>
      charts.flatMap((svg) => {
        const s = svg as SVGSVGElement
        const box = s.getBoundingClientRect()
        const scale = box.width / s.viewBox.baseVal.width
        const texts = [...s.querySelectorAll('text.tick')].map((t) => t.getBoundingClientRect())
        return texts.map((r, i) => ({
          px: Math.round(parseFloat(getComputedStyle(s.querySelectorAll('text.tick')[i]!).fontSize) * scale),
          inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5,
          apart: texts.every(
            (o, j) => j === i || o.top !== r.top || o.right <= r.left + 0.5 || o.left >= r.right - 0.5,
          ),
        }))
      }),
    )
  const narrow = await ticks()
  expect(narrow.length).toBeGreaterThan(4)
  expect(narrow.filter((t) => t.px < 11 || t.px > 12 || !t.inside || !t.apart)).toEqual([])
  await runner.getByRole('img', { name: /^Latency histogram/ }).scrollIntoViewIfNeeded()
  await pictures(page, 'run-charts-narrow')

  // The table is wider than the pane: it is a stop of its own just before its rows' buttons, and → brings its max
  // column in.
  await runner.getByRole('button', { name: "Open Check 1's exchange" }).focus()
  await page.keyboard.press('Shift+Tab')
  const table = runner.getByRole('region', { name: 'Results per request (scrolls sideways)' })
  await expect(table).toBeFocused()
  for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowRight')
  const maxColumnCut = () =>
    runner.getByRole('columnheader', { name: 'max' }).evaluate((th) => {
      const box = th.closest('.run-table-scroll')!.getBoundingClientRect()
      return Math.round(th.getBoundingClientRect().right - box.right)
    })
  await expect.poll(maxColumnCut, 'px of max past the edge').toBeLessThanOrEqual(0)
  await pictures(page, 'run-table-scrolled')

  // Below the timeline at 1280 the pane is wide: the labels keep their size, and the table, whole, is no stop.
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.getByRole('button', { name: 'Details below' }).click()
  await expect(table).toHaveCount(0)
  // The charts redraw at their new width on the resize observer's next turn; until then the old drawing is scaled.
  const wideBad = async () => (await ticks()).filter((t) => t.px < 11 || t.px > 12 || !t.inside || !t.apart)
  await expect.poll(wideBad, 'chart labels off 11-12 px, outside or overlapping, at 1280').toEqual([])
  expect((await ticks()).length).toBeGreaterThan(4)
  await runner.getByRole('img', { name: /^Throughput/ }).scrollIntoViewIfNeeded()
  await pictures(page, 'run-charts-wide')
})

test("the last session's offer reads at 4.5:1 or more, light and dark", async ({ page }) => {
  const configDir = mkdtempSync(join(tmpdir(), 'fd-e2e-stumbles-config-'))
  const launch = () =>
    startBuiltWebHost(15_000, {
      args: ['--collections', join(shop.root, 'shop')],
      env: { FLIGHTDECK_CONFIG_DIR: configDir },
    })
  let host = await launch()
  try {
    await page.setViewportSize({ width: 1024, height: 768 })
    await page.goto(host.url)
    await page.getByRole('button', { name: 'New request tab' }).click()
    await page.getByRole('textbox', { name: 'URL' }).fill(`${shop.base}/orders`)
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    await expect(page.getByRole('grid', { name: 'Timeline' }).locator('[data-state="done"]')).toHaveCount(1)
    await host.stop()
    host = await launch()
    await page.goto(host.url)
    const offer = page.getByRole('status').filter({ hasText: 'Last session' })
    const parts = [
      offer.locator('span').first(),
      offer.getByRole('button', { name: "Open last session's timeline" }),
      offer.getByRole('button', { name: 'Dismiss' }),
    ]
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      // In dark mode the buttons were the danger red on the browser's grey: 1.6:1.
      for (const part of parts) expect(await contrastOf(part), scheme).toBeGreaterThanOrEqual(4.5)
    }
    await pictures(page, 'last-session-offer')
    await offer.getByRole('button', { name: "Open last session's timeline" }).click()
    await expect(page.getByRole('grid', { name: 'Timeline' }).locator('[data-status="200"]')).toHaveCount(1)
  } finally {
    await host.stop()
    rmSync(configDir, { recursive: true, force: true })
  }
})

test('the GraphQL options bar stays one line at 1024 with long operation names, light and dark', async ({
  page,
}) => {
  let gql: GraphqlFixture | null = null
  try {
    gql = await startGraphqlServer()
    await openShop(page, shop.host, 1024, 768)
    await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'GraphQL' })
    await page.getByRole('textbox', { name: 'URL' }).fill(gql.url)
    const editor = page.getByRole('textbox', { name: 'GraphQL query' })
    await editor.click()
    await page.keyboard.press('ControlOrMeta+a')
    await page.keyboard.press('Delete')
    await page.keyboard.type(
      'query ListEveryOrderOfTheCustomer { hello }\nsubscription WatchEveryOrderOfTheCustomer { hello ',
    )
    const bar = page.getByRole('group', { name: 'GraphQL options' })
    const operation = page.getByRole('combobox', { name: 'Operation' })
    await operation.selectOption('ListEveryOrderOfTheCustomer')
    for (const transport of ['legacy-ws', 'transport-ws', 'ws', 'sse-single']) {
      await page.getByRole('combobox', { name: 'Transport' }).selectOption(transport)
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme })
        const lines = await bar.evaluate((b) => {
          const tops = [...b.children].map((c) => Math.round(c.getBoundingClientRect().top))
          return { spread: Math.max(...tops) - Math.min(...tops), over: b.scrollWidth - b.clientWidth }
        })
        expect(lines.spread, `${transport} ${scheme}: on one line`).toBeLessThanOrEqual(6)
        expect(lines.over, `${transport} ${scheme}: inside the bar`).toBeLessThanOrEqual(1)
      }
    }
    // The name the box cuts is whole on its hover.
    await expect(operation).toHaveAttribute('title', 'ListEveryOrderOfTheCustomer')
    await pictures(page, 'graphql-bar-long-operations')
  } finally {
    await gql?.close()
  }
})

test("an SSE stream read as raw chunks says why inside the pane's margin, not on its border", async ({
  page,
}) => {
  await openShop(page, shop.host, 1024, 768)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'SSE' })
  await page.getByRole('textbox', { name: 'URL' }).fill(`${shop.base}/orders`)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const details = page.getByRole('region', { name: 'Stream details' })
  const note = details.getByText(/^Read as raw chunks: the response is application\/json/)
  await expect(note).toBeVisible()
  // It sat flush on the pane's left border (0 px), where the head above it starts 10 px in.
  const inset = await note.evaluate(
    (el) => el.getBoundingClientRect().left + parseFloat(getComputedStyle(el).paddingLeft),
  )
  const paneLeft = await details.evaluate((el) => el.getBoundingClientRect().left)
  expect(inset - paneLeft).toBeGreaterThanOrEqual(8)
  await pictures(page, 'sse-raw-chunks-note')
})
