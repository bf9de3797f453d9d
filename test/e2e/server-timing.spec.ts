import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Page } from '@playwright/test'
import { startServerTimingServer, type ServerTimingFixture } from '../fixtures/server-timing-server'
import { expect, test } from './file-page'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * Server-Timing on the timeline, through the browser host in Chromium: a request whose server says
 * `db;dur=120, cache;desc=miss, render;dur=60` (and `total` in a trailer) shows db and render as slices of its
 * green waiting bar; the hover card and the Timing tab list the entries. Leaves docs/server-timing.png and
 * docs/server-timing-dark.png.
 */

let server: ServerTimingFixture
let host: RunningWebHost

test.beforeAll(async () => {
  server = await startServerTimingServer()
  host = await startBuiltWebHost(15_000, {
    env: { FLIGHTDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'flightdeck-st-')) },
  })
})

test.afterAll(async () => {
  await host?.stop()
  await server?.close()
})

interface Hovered {
  sid: string
  bars: { phase: string; x: number; w: number }[]
  slices?: { name: string; x: number; w: number }[]
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

test('Server-Timing entries are slices of the waiting bar, in the hover card and in the Timing tab', async ({
  page,
}) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(host.url)
  const rows = page.getByRole('grid', { name: 'Timeline' }).getByRole('row')
  const field = page.getByRole('textbox', { name: 'URL' })
  // The trailer's total (900 ms) starts after the 180 ms of slices: past a wait of 300 ms even when a loaded
  // machine measures that wait at three times its length.
  await field.fill(`${server.url}/timed?wait=300&db=120&render=60&total=900`)
  await field.press('Control+Enter')
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toHaveAttribute('data-state', 'done', { timeout: 10_000 })
  const sid = (await rows.first().getAttribute('data-sid')) ?? ''

  // The slices lie inside the green waiting bar, db before render, and db is about twice render.
  const hovered = await hoverRow(page, sid)
  const wait = hovered.bars.find((b) => b.phase === 'wait')
  expect(wait).toBeDefined()
  const slices = hovered.slices ?? []
  expect(slices.map((s) => s.name).slice(0, 2)).toEqual(['db', 'render'])
  for (const s of slices) {
    expect(s.x).toBeGreaterThanOrEqual((wait?.x ?? 0) - 0.5)
    expect(s.x + s.w).toBeLessThanOrEqual((wait?.x ?? 0) + (wait?.w ?? 0) + 0.5)
  }
  const [db, render] = slices
  expect(Math.abs((db?.w ?? 0) / (render?.w ?? 1) - 2)).toBeLessThan(0.1)

  // The card lists the server's entries under the client's phases.
  const card = page.getByRole('tooltip')
  await expect(card.getByRole('table', { name: 'Server timing' })).toBeVisible()
  await expect(card.locator('tr[data-server-timing="db"]')).toContainText('120 ms')
  await expect(card.locator('tr[data-server-timing="render"]')).toContainText('60 ms')
  await expect(card.locator('tr[data-server-timing="total"]')).toContainText('trailer')

  // The Timing tab: the client's phases, then the server's entries with their descriptions.
  await rows.first().locator('.c-name').click()
  await page.getByRole('tab', { name: 'Timing' }).click()
  const table = page.getByRole('tabpanel').getByRole('table', { name: 'Server timing' })
  await expect(table).toBeVisible()
  await expect(table.locator('tr[data-server-timing="db"]')).toContainText('Primary DB')
  await expect(table.locator('tr[data-server-timing="cache"]')).toContainText('miss')
  await expect(table.locator('tr[data-server-timing="total"]')).toContainText('900 ms')
  await expect(table.locator('tr[data-server-timing="total"]')).toContainText('past wait')

  // The pictures with the details on the right, so the Timing tab's server entries show beside the bar.
  await page.getByRole('button', { name: 'Details on the right' }).click()
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await hoverRow(page, sid)
    await page.screenshot({
      path: docsPicture(scheme === 'light' ? 'server-timing.png' : 'server-timing-dark.png'),
    })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  expect(pageErrors).toEqual([])
})

test('near the frame’s bottom the hover card, placed by its drawn height, stays inside the timeline and the window', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(host.url)
  // Details on the right: the timeline is the window's height below the composer, room for the card above a row.
  await page.getByRole('button', { name: 'Details on the right' }).click()
  const rows = page.getByRole('grid', { name: 'Timeline' }).getByRole('row')
  const field = page.getByRole('textbox', { name: 'URL' })
  await field.fill(`${server.url}/timed?wait=20&db=12&render=6`)
  // Twenty at once, more rows than the frame shows (rows of earlier tests may come back with the page too).
  await page.getByRole('spinbutton', { name: 'Count' }).fill('20')
  await page.getByRole('button', { name: 'Send ×20' }).click()
  await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(20)
  await expect(page.locator('[role="grid"] [role="row"][data-state="done"]')).toHaveCount(
    await rows.count(),
    {
      timeout: 10_000,
    },
  )
  const head = await page.locator('canvas.wf-head').boundingBox()
  const body = await page.getByTestId('waterfall').boundingBox()
  if (!head || !body) throw new Error('no waterfall')
  // The lowest row wholly drawn in the frame: its card (phases, then the server's four entries) is taller than
  // the room below the pointer, so it goes above, by the height it is drawn at.
  const sid = await rows.evaluateAll(
    (els, bottom) =>
      els
        .map((el) => ({ sid: el.getAttribute('data-sid') ?? '', b: el.getBoundingClientRect().bottom }))
        .filter((r) => r.b <= bottom + 0.5)
        .sort((a, b) => b.b - a.b)[0]?.sid ?? '',
    body.y + body.height,
  )
  await hoverRow(page, sid)
  const row = await page.locator(`[role="grid"] [role="row"][data-sid="${sid}"]`).boundingBox()
  const card = page.getByRole('tooltip')
  await expect(card.getByRole('table', { name: 'Server timing' })).toBeVisible()
  const box = await card.boundingBox()
  if (!box || !row) throw new Error('no card')
  expect(body.y + body.height - (row.y + row.height), 'row at the frame’s bottom').toBeLessThan(
    row.height * 2,
  )
  expect(box.y, 'card top inside the frame').toBeGreaterThanOrEqual(head.y - 0.5)
  expect(box.y + box.height, 'card bottom inside the frame').toBeLessThanOrEqual(body.y + body.height + 0.5)
  expect(box.y + box.height, 'card bottom inside the window').toBeLessThanOrEqual(800)
  // Above the pointer, not over the row it names.
  expect(box.y + box.height, 'card bottom above the hovered row').toBeLessThanOrEqual(row.y + 1)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`hover-card-bottom-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  // A card drawn taller than its guess (a wrapped note, a larger font: here 86 px of padding) is placed by its drawn
  // height: placed by the guess, its last lines would cover the row it names. Hovered afresh, so it is measured.
  await page.mouse.move(head.x + 5, head.y - 40)
  await expect(card).toBeHidden()
  await page.addStyleTag({ content: '.hover-card { padding-bottom: 86px }' })
  await hoverRow(page, sid)
  const tall = await card.boundingBox()
  if (!tall) throw new Error('no tall card')
  expect(tall.height, 'the card is taller than before').toBeGreaterThan(box.height + 60)
  expect(tall.y, 'tall card top inside the frame').toBeGreaterThanOrEqual(head.y - 0.5)
  expect(tall.y + tall.height, 'tall card bottom above the hovered row').toBeLessThanOrEqual(row.y + 1)
})
