import { expect, test, type Page } from '@playwright/test'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * The GraphQL options bar at the sizes people use, light and dark: every control wholly visible (none cut by the
 * bar's edge), on one line down to 1024 px, where the bar shares the width with the schema's column (which runs
 * from the panel's top beside it, u32-composer-room), with the most the bar ever holds: a WebSocket transport (its
 * Share connection switch) and a document with two operations (the Operation choice). The transport box is as
 * wide as its longest option: "GraphQL over SSE (single connection)" made it ~260 px and the bar two lines at 1024.
 * The schema's controls (Fetch / Refresh schema, the schema file, the status) are in the column beside the
 * editors, where a failure's words wrap as the prose they are. Screenshots go to the test's output folder.
 */

/** With the most the bar holds, the lines it takes beside the schema's column: one, a narrow window's too. */
const SIZES = [
  { width: 1024, height: 700, lines: 1 },
  { width: 1280, height: 800, lines: 1 },
  { width: 1440, height: 900, lines: 1 },
] as const

let gql: GraphqlFixture
let host: RunningWebHost

test.beforeAll(async () => {
  gql = await startGraphqlServer()
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await gql?.close()
})

/** Each control of the bar that is drawn, and whether it sits on the first control's line, inside the bar. */
async function barLayout(page: Page) {
  return page.getByRole('group', { name: 'GraphQL options' }).evaluate((bar) => {
    const box = bar.getBoundingClientRect()
    const items = [...bar.children].filter((c) => c.getBoundingClientRect().width > 0)
    const firstTop = items[0]?.getBoundingClientRect().top ?? 0
    // A line starts where a control's top is below the line before's by more than a centred control's offset.
    const tops = items.map((c) => c.getBoundingClientRect().top).sort((a, b) => a - b)
    const lines = tops.filter((t, i) => i === 0 || t > (tops[i - 1] ?? t) + 12).length
    return {
      lines,
      overflowing: bar.scrollWidth > bar.clientWidth + 1,
      items: items.map((c) => {
        const r = c.getBoundingClientRect()
        return {
          text: (c.textContent ?? '').trim().slice(0, 40) || c.tagName,
          sameLine: Math.abs(r.top - firstTop) < r.height / 2,
          inside: r.left >= box.left - 1 && r.right <= box.right + 1,
          cut: c.scrollWidth > c.clientWidth + 1 && getComputedStyle(c).overflow !== 'visible',
        }
      }),
    }
  })
}

test('the options bar keeps every control whole on one line beside the schema column at 1024×700, 1280×800 and 1440×900, light and dark', async ({
  page,
}, testInfo) => {
  await page.setViewportSize(SIZES[0])
  await page.goto(host.url)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'GraphQL' })
  await page.getByRole('textbox', { name: 'URL' }).fill(gql.url)
  await page.getByRole('button', { name: 'Fetch schema' }).click()
  await expect(page.getByTestId('graphql-schema-state')).toHaveText(/^Schema: \d+ types$/)
  await page.getByRole('combobox', { name: 'Transport' }).selectOption('ws')
  const editor = page.getByRole('textbox', { name: 'GraphQL query' })
  await editor.click()
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.press('Delete')
  await page.keyboard.type('query First { hello }\nquery Second { hello ')
  await expect(page.getByRole('combobox', { name: 'Operation' })).toBeVisible()
  await page.getByRole('checkbox', { name: 'Share connection' }).waitFor()

  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height })
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      const layout = await barLayout(page)
      expect(layout.overflowing, JSON.stringify(layout)).toBe(false)
      expect(layout.lines, JSON.stringify(layout)).toBeLessThanOrEqual(size.lines)
      expect(layout.items.filter((i) => (size.lines === 1 && !i.sameLine) || !i.inside || i.cut)).toEqual([])
      await page
        .getByRole('group', { name: 'GraphQL options' })
        .screenshot({ path: testInfo.outputPath(`graphql-bar-${size.width}-${scheme}.png`) })
      await page.screenshot({ path: testInfo.outputPath(`graphql-composer-${size.width}-${scheme}.png`) })
    }
  }
  // The schema column's controls are drawn whole in it too.
  const column = await page.locator('.graphql-schema-tools').evaluate((tools) => {
    const box = tools.getBoundingClientRect()
    return [...tools.querySelectorAll('button, input')].map((c) => {
      const r = c.getBoundingClientRect()
      return r.left >= box.left - 1 && r.right <= box.right + 1 && c.scrollWidth <= c.clientWidth + 1
    })
  })
  expect(column).toEqual([true, true])
  await page.emulateMedia({ colorScheme: 'light' })
})
