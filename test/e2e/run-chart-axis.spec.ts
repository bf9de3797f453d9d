import { expect, test } from '@playwright/test'
import { checkAnswer, openShop, shoot, startShop, type UsersEyeShop } from './users-eye-steps'

/**
 * The runner's latency histogram after a run of 11,000 requests, each answered in 30 ms: most fall in the bucket
 * up to 50 ms (8,000 of them in runs at load 15), so its y-axis reaches 10,000 (5,000 at least on a machine so
 * busy that they spread). The numbers read digit-grouped, as every other count in the app, each whole inside the
 * chart: the label column grows to the longest of them rather than cutting "10,000" at the pane's edge.
 */

let shop: UsersEyeShop

test.beforeAll(async () => {
  shop = await startShop(
    'run-chart-axis',
    (req, res) => {
      if (checkAnswer(new URL(req.url ?? '/', 'http://x'), res)) return
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{"ok":true}')
      }, 30)
    },
    (write) => write('one/ping.yaml', 'name: Ping\nmethod: GET\nurl: "{{base}}/ping"\n'),
  )
})

test.afterAll(async () => {
  await shop?.stop()
})

test('a run of 11,000 requests labels its histogram axis digit-grouped and whole', async ({ page }) => {
  test.setTimeout(180_000)
  await openShop(page, shop.host)
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  await sidebar.getByRole('treeitem', { name: 'one', exact: true }).hover()
  await sidebar.getByRole('button', { name: 'Run one', exact: true }).click()
  const runner = page.getByRole('region', { name: 'Runner' })
  await runner.getByRole('spinbutton', { name: 'Concurrency' }).fill('50')
  await runner.getByRole('spinbutton', { name: 'Iterations' }).fill('11000')
  await runner.getByRole('button', { name: 'Start run' }).click()
  await expect(runner.getByTestId('run-state')).toHaveText('Finished', { timeout: 150_000 })
  await expect(runner.getByText('11,000 passed')).toBeVisible()
  const histogram = runner.getByRole('img', { name: /^Latency histogram/ })
  await histogram.scrollIntoViewIfNeeded()
  // Each y-axis label: its text, and how far (px) it starts left of the chart's own left edge (> 0: cut off).
  const labels = await histogram.evaluate((svg) => {
    const left = svg.getBoundingClientRect().left
    return Array.from(svg.querySelectorAll('text.tick[text-anchor="end"]')).map((t) => ({
      text: t.textContent,
      cut: Math.round((left - t.getBoundingClientRect().left) * 10) / 10,
    }))
  })
  const top = labels.at(-1)?.text ?? ''
  expect(top, JSON.stringify(labels)).toMatch(/^\d{1,3}(,\d{3})+$/)
  expect(Number(top.replace(/,/g, '')), JSON.stringify(labels)).toBeGreaterThanOrEqual(5_000)
  for (const l of labels) expect(l.cut, JSON.stringify(labels)).toBeLessThanOrEqual(0)
  await shoot(page, 'run-chart-axis', { width: 1024, height: 700 })
})
