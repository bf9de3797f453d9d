import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * The timeline gets its room and its numbers agree, through the browser host in Chromium: at 1440×900 the
 * waterfall is at least half the window; the timeline toolbar stays one line at 1280 px; a finished bar's
 * painted segments are the hover card's figures; axis labels stay distinct and inside the canvas however far
 * one zooms, one Ctrl+wheel notch at a time (each at most 1.5x); a click then a Ctrl+click compares. Leaves
 * docs/timeline-room.png and docs/timeline-room-dark.png.
 */

let fixture: Fixture
let host: RunningWebHost

test.beforeAll(async () => {
  fixture = await startHttpServer()
  host = await startBuiltWebHost(15_000, {
    env: { FLIGHTDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'flightdeck-room-')) },
  })
})

test.afterAll(async () => {
  await host?.stop()
  await fixture?.close()
})

interface Painted {
  ticks: { text: string; x: number; w: number }[]
  window: { start: number; end: number; width: number }
  hover: { sid: string; bars: { phase: string; x: number; w: number }[] } | null
}

/** What the waterfall's painter says it just painted (its canvases' data attributes). */
async function painted(page: Page): Promise<Painted> {
  const head = page.locator('canvas.wf-head')
  const body = page.getByTestId('waterfall')
  const ticks = (await head.getAttribute('data-ticks')) ?? '[]'
  const win = (await head.getAttribute('data-window')) ?? '{}'
  const hover = await body.getAttribute('data-hover-bars')
  return {
    ticks: JSON.parse(ticks) as Painted['ticks'],
    window: JSON.parse(win) as Painted['window'],
    hover: hover === null ? null : (JSON.parse(hover) as Painted['hover']),
  }
}

/** "43 ms", "0.5 ms", "1.23 s" -> ms; a dash (did not happen) -> -1. */
function parseMs(text: string): number {
  const m = /^([\d.]+)\s*(ms|s|min)$/.exec(text.trim())
  if (!m) return -1
  const n = Number(m[1])
  return m[2] === 's' ? n * 1000 : m[2] === 'min' ? n * 60_000 : n
}

const PHASE_OF_LABEL: Record<string, string> = {
  Queued: 'blocked',
  DNS: 'dns',
  Connect: 'connect',
  TLS: 'tls',
  'Request sent': 'send',
  'Waiting (TTFB)': 'wait',
  'Content download': 'receive',
}

async function sendOne(page: Page, url: string): Promise<void> {
  const field = page.getByRole('textbox', { name: 'URL' })
  await field.fill(url)
  await field.press('Control+Enter')
}

/** Hover the middle of a row's line on the waterfall and read the card and the painted bar. */
async function hoverRow(page: Page, sid: string) {
  const row = page.locator(`[role="grid"] [role="row"][data-sid="${sid}"]`)
  const rb = await row.boundingBox()
  const cb = await page.getByTestId('waterfall').boundingBox()
  if (!rb || !cb) throw new Error('no row or canvas box')
  await page.mouse.move(cb.x + cb.width * 0.5, rb.y + rb.height / 2)
  const card = page.getByRole('tooltip')
  await expect(card).toBeVisible()
  await expect.poll(async () => (await painted(page)).hover?.sid).toBe(sid)
  const lines = await card.locator('tr').evaluateAll((els) =>
    els.map((el) => {
      const cells = (el as unknown as { children: ArrayLike<{ textContent: string | null }> }).children
      return [cells[0]?.textContent ?? '', cells[1]?.textContent ?? ''] as const
    }),
  )
  return { lines, painted: await painted(page) }
}

test('the waterfall has the room, its bars are the card’s numbers, and its axis reads at every zoom', async ({
  page,
}) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(host.url)
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  const rows = timeline.getByRole('row')

  // The first request after start-up, on its own.
  await sendOne(page, `${fixture.url}/delay?ms=300`)
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toHaveAttribute('data-state', 'done', { timeout: 10_000 })
  const firstSid = (await rows.first().getAttribute('data-sid')) ?? ''

  // Room: the waterfall's drawing surface is at least half the window.
  const canvas = await page.getByTestId('waterfall').boundingBox()
  expect(canvas?.width ?? 0).toBeGreaterThanOrEqual(720)

  // Bar and numbers agree: each painted segment is the card's figure on the painted scale, within a pixel
  // (a phase under a pixel is drawn 1 px wide so it is seen at all).
  const first = await hoverRow(page, firstSid)
  const { start, end, width } = first.painted.window
  const pxPerMs = width / (end - start)
  const bars = first.painted.hover?.bars ?? []
  let compared = 0
  for (const [label, text] of first.lines) {
    const phase = PHASE_OF_LABEL[label]
    const ms = parseMs(text)
    if (phase === undefined || ms < 0) continue
    const bar = bars.find((b) => b.phase === phase)
    if (ms * pxPerMs < 0.5 && bar === undefined) continue
    expect(bar, `${label} ${text}`).toBeDefined()
    // The card rounds (43 ms, 1.23 s): allow its rounding too.
    const rounding = text.endsWith(' s') ? 5 : text.includes('.') ? 0.05 : 0.5
    const slack = 1 + rounding * pxPerMs
    expect(Math.abs((bar?.w ?? 0) - Math.max(1, ms * pxPerMs)), `${label} ${text}`).toBeLessThanOrEqual(slack)
    compared++
  }
  expect(compared).toBeGreaterThanOrEqual(3)
  const queued = parseMs(first.lines.find(([l]) => l === 'Queued')?.[1] ?? '')
  test.info().annotations.push({ type: 'first request queued', description: `${queued} ms` })

  // A few more, one at a time and a burst, for the axis and the pictures.
  for (const ms of [120, 480]) {
    await sendOne(page, `${fixture.url}/delay?ms=${ms}`)
    await expect(rows.last()).toHaveAttribute('data-state', 'done', { timeout: 10_000 })
  }
  await page.getByRole('textbox', { name: 'URL' }).fill(`${fixture.url}/delay?ms=650`)
  await page.getByRole('spinbutton', { name: 'Count' }).fill('5')
  await page.getByRole('button', { name: /Send ×/ }).click()
  await expect(rows).toHaveCount(8)
  await expect(timeline.locator('[role="row"][data-state="done"]')).toHaveCount(8, { timeout: 15_000 })

  // Axis labels: distinct, inside the canvas, at every zoom level; one Ctrl+wheel notch zooms at most 1.5x.
  const body = page.getByTestId('waterfall')
  const box = await body.boundingBox()
  if (!box) throw new Error('no canvas box')
  await page.mouse.move(box.x + box.width * 0.3, box.y + 10)
  let span = (await painted(page)).window
  const checkAxis = async (why: string): Promise<void> => {
    const p = await painted(page)
    const texts = p.ticks.map((t) => t.text)
    expect(texts.length, why).toBeGreaterThanOrEqual(2)
    expect(new Set(texts).size, `${why}: ${texts.join(', ')}`).toBe(texts.length)
    for (const t of p.ticks) {
      expect(t.x, `${why}: ${t.text}`).toBeGreaterThanOrEqual(0)
      expect(t.x + t.w, `${why}: ${t.text}`).toBeLessThanOrEqual(p.window.width)
    }
    for (let i = 1; i < p.ticks.length; i++) {
      const a = p.ticks[i - 1]
      const b = p.ticks[i]
      if (a && b) expect(b.x, `${why}: ${a.text} overlaps ${b.text}`).toBeGreaterThanOrEqual(a.x + a.w)
    }
  }
  await checkAxis('fit')
  await page.keyboard.down('Control')
  for (let notch = 1; notch <= 36; notch++) {
    await page.mouse.wheel(0, -100)
    await expect
      .poll(async () => (await painted(page)).window.end - (await painted(page)).window.start)
      .not.toBe(span.end - span.start)
    const next = (await painted(page)).window
    const factor = (span.end - span.start) / (next.end - next.start)
    expect(factor, `notch ${notch}`).toBeGreaterThan(1)
    expect(factor, `notch ${notch}`).toBeLessThanOrEqual(1.5)
    span = next
    if (notch % 4 === 0) await checkAxis(`notch ${notch}, ${(next.end - next.start).toFixed(3)} ms`)
  }
  await page.keyboard.up('Control')
  expect(span.end - span.start).toBeLessThan(5)
  await page.getByRole('button', { name: 'Fit all' }).click()
  await checkAxis('fit again')

  // A click then a Ctrl+click compares the two.
  await rows.nth(1).locator('.c-name').click()
  await rows
    .nth(2)
    .locator('.c-name')
    .click({ modifiers: ['Control'] })
  await expect(page.getByText('Comparing 2')).toBeVisible()
  await expect(page.getByRole('table', { name: 'Timings compared' })).toBeVisible()
  await page.getByRole('toolbar', { name: 'Timeline tools' }).getByRole('button', { name: 'clear' }).click()

  // Pictures, light and dark, with a bar's card showing.
  await rows.nth(3).locator('.c-name').click()
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    const sid = (await rows.nth(4).getAttribute('data-sid')) ?? ''
    await hoverRow(page, sid)
    await page.screenshot({
      path: docsPicture(scheme === 'light' ? 'timeline-room.png' : 'timeline-room-dark.png'),
    })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  expect(pageErrors).toEqual([])
})

test('the timeline toolbar is one line at 1280 px, the details pane beside or below; the choice is kept', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(host.url)
  const toolbar = page.getByRole('toolbar', { name: 'Timeline tools' })
  const filter = toolbar.getByRole('searchbox', { name: 'Filter' })
  await expect(filter).toBeVisible()

  const oneLine = async (why: string): Promise<void> => {
    const bar = await toolbar.boundingBox()
    const field = await filter.boundingBox()
    if (!bar || !field) throw new Error('no toolbar box')
    // One row: the toolbar is as tall as its tallest control plus its padding, not two rows of them.
    expect(bar.height, why).toBeLessThan(field.height * 2)
    const tops = await toolbar.evaluate((el) => {
      const kids = Array.from((el as unknown as { children: ArrayLike<unknown> }).children) as {
        getBoundingClientRect(): { top: number; bottom: number; width: number; right: number }
      }[]
      return kids
        .map((k) => k.getBoundingClientRect())
        .filter((r) => r.width > 0)
        .map((r) => ({ mid: (r.top + r.bottom) / 2, right: r.right }))
    })
    const mids = tops.map((t) => t.mid)
    expect(Math.max(...mids) - Math.min(...mids), why).toBeLessThan(4)
    // Nothing runs past the toolbar's right edge either.
    expect(Math.max(...tops.map((t) => t.right)), why).toBeLessThanOrEqual(bar.x + bar.width + 0.5)
    await expect(toolbar.getByRole('button', { name: 'Follow live' }), why).toBeVisible()
  }

  await oneLine('details below (the default)')
  await page.getByRole('button', { name: 'Details on the right' }).click()
  await expect(page.locator('.workspace.details-right')).toBeVisible()
  await oneLine('details on the right')
  // What left the line is in "More".
  await toolbar.getByRole('button', { name: 'More' }).click()
  await expect(page.getByRole('group', { name: 'More filters' }).getByLabel('Group by')).toBeVisible()
  await toolbar.getByRole('button', { name: 'More' }).click()

  await page.getByRole('button', { name: 'Hide details' }).click()
  await expect(page.locator('.details-wrap')).toBeHidden()
  await oneLine('details hidden')
  await page.reload()
  await expect(page.getByRole('button', { name: 'Hide details' })).toHaveAttribute('aria-pressed', 'true')
  await expect(page.locator('.details-wrap')).toBeHidden()
  await page.getByRole('button', { name: 'Details below' }).click()
  await expect(page.locator('.workspace.details-below .details-wrap')).toBeVisible()
})
