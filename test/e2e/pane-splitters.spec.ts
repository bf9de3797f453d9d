import { type Locator, type Page } from '@playwright/test'
import { expect, test } from './file-page'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * The pane splitters as a person meets them when the window changes size: a pane made tall or wide in a big
 * window gives way in a smaller one (the timeline and the splitter to drag it back stay on screen), comes back
 * to its remembered size when the window grows again, and the splitter reports the size drawn, not the one
 * remembered (aria-valuenow), as it does when a CSS minimum draws the gRPC composer taller. The details pane
 * below takes the room empty timeline rows would have until the person sizes it, and the composer a share of
 * the window until the person drags it.
 */

let host: RunningWebHost

test.beforeAll(async () => {
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
})

/** The pane's drawn size along the splitter's axis. */
async function drawn(pane: Locator, axis: 'height' | 'width'): Promise<number> {
  return pane.evaluate(
    (el, a) => (a === 'height' ? (el as HTMLElement).offsetHeight : (el as HTMLElement).offsetWidth),
    axis,
  )
}

/** The splitter's aria-valuenow matches the pane as drawn (polled: a ResizeObserver reports it). */
async function reportsDrawn(splitter: Locator, pane: Locator, axis: 'height' | 'width'): Promise<number> {
  await expect
    .poll(async () => Number(await splitter.getAttribute('aria-valuenow')) - (await drawn(pane, axis)))
    .toBe(0)
  return drawn(pane, axis)
}

async function press(page: Page, splitter: Locator, key: string, times: number): Promise<void> {
  await splitter.focus()
  for (let i = 0; i < times; i++) await page.keyboard.press(key)
}

test('panes give way in a smaller window, come back in a bigger one, and the splitters say what is drawn', async ({
  page,
}) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(host.url)
  const composerSplit = page.getByRole('separator', { name: 'Resize composer' })
  const composer = page.locator('.composer-wrap')
  const timeline = page.getByRole('grid', { name: 'Timeline' })

  // A plain GET shows one blank Params row (and room for a second): its composer is compact, the response below
  // gets the room. Typing the first param into that row, then adding a second, leaves it as it is: nothing below
  // moves under the person, and both rows are whole in it.
  await expect(composerSplit).toHaveAttribute('aria-valuenow', '160')
  const url = page.getByRole('textbox', { name: 'URL' })
  const parts = page.getByRole('tablist', { name: 'Request parts' })
  await page.getByRole('textbox', { name: 'Query parameters name 1' }).fill('page')
  await expect(url).toHaveValue(/\?page$/)
  await expect(page.getByRole('textbox', { name: 'Query parameters name 1' })).toBeFocused()
  expect(await drawn(composer, 'height')).toBe(160)
  await page.getByRole('button', { name: '+ Add' }).click()
  await page.keyboard.type('size')
  await expect(url).toHaveValue(/\?page&size$/)
  expect(await drawn(composer, 'height')).toBe(160)
  const partPanel = page.locator('.composer-panel')
  expect(await partPanel.evaluate((el) => el.scrollHeight - el.clientHeight), 'rows cut in the panel').toBe(0)
  // Another part (the options, a script) has the floor's room.
  await parts.getByRole('tab', { name: 'Options' }).click()
  await expect.poll(() => drawn(composer, 'height')).toBe(210)
  await parts.getByRole('tab', { name: /^Params/ }).click()
  await expect.poll(() => drawn(composer, 'height')).toBe(160)
  // A WebSocket or an SSE stream is compact too, with room for its options bar: its two rows whole, no empty
  // space under them (it kept the 210 px floor, 60 px of it blank).
  for (const kind of ['WebSocket', 'SSE']) {
    await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: kind })
    await expect.poll(() => drawn(composer, 'height'), kind).toBe(188)
    expect(await partPanel.evaluate((el) => el.scrollHeight - el.clientHeight), `${kind}: rows cut`).toBe(0)
  }
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'HTTP' })
  // Until the person drags it, a composer holding a body takes a share of the window (floor 210 px, room kept
  // for the timeline's rows and the details' 240 px): a JSON body shows a screenful of lines at 1440×900.
  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
  await page.getByRole('tab', { name: /^Body/ }).click()
  await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('JSON', { exact: true }).click()
  await expect(composerSplit).toHaveAttribute('aria-valuenow', '360')
  const lines = Array.from({ length: 20 }, (_, i) => `  "field${i}": ${i}`)
  await page.getByRole('textbox', { name: 'Body JSON' }).fill(`{\n${lines.join(',\n')}\n}`)
  const inSight = await page.locator('.composer-panel').evaluate((panel) => {
    const scroller = panel.querySelector('.cm-scroller')
    if (!scroller) return -1
    const a = panel.getBoundingClientRect()
    const b = scroller.getBoundingClientRect()
    return [...scroller.querySelectorAll('.cm-line')].filter((line) => {
      const r = line.getBoundingClientRect()
      return r.top >= Math.max(a.top, b.top) - 0.5 && r.bottom <= Math.min(a.bottom, b.bottom) + 0.5
    }).length
  })
  expect(inSight, 'body lines in sight at 1440×900').toBeGreaterThanOrEqual(8)
  // It follows the window: less in a 1024×700 one, where the timeline's four rows and the details keep room.
  await page.setViewportSize({ width: 1024, height: 700 })
  await expect.poll(() => drawn(composer, 'height')).toBe(235)
  await expect(timeline).toBeInViewport()
  expect(await drawn(page.locator('.details-wrap'), 'height')).toBeGreaterThanOrEqual(240)
  // A GraphQL query keeps a typical query in sight (48% of the window, 336 px at 1024×700: users-eye-4), and the
  // timeline keeps its toolbar, header and two rows' room below it.
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'GraphQL' })
  await expect.poll(() => drawn(composer, 'height')).toBe(336)
  const rowsRoom = await page
    .locator('.workspace > .timeline')
    .evaluate(
      (el) => el.getBoundingClientRect().height - (el.firstElementChild as HTMLElement).offsetHeight - 38,
    )
  expect(rowsRoom, 'timeline room for rows below a GraphQL composer').toBeGreaterThanOrEqual(2 * 22)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'HTTP' })
  await page.setViewportSize({ width: 1280, height: 800 })
  // The window's new size reaches the pane a frame or two later: the splitter agrees with the old drawing till then.
  await expect.poll(() => drawn(composer, 'height')).toBe(320)
  expect(await reportsDrawn(composerSplit, composer, 'height')).toBe(320)
  // A WebSocket's messages are written and read in the details pane: its composer keeps the floor.
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'WebSocket' })
  await expect.poll(() => drawn(composer, 'height')).toBe(210)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'HTTP' })
  await expect.poll(() => drawn(composer, 'height')).toBe(320)

  // Until the person sizes the details pane below, it takes the room the timeline's rows leave (a new session's
  // timeline keeps its toolbar, header and four rows' room, not a screen of empty rows); its splitter says the
  // height drawn and moves from it, and from then on the size set is kept.
  const details = page.locator('.details-wrap')
  const detailsSplit = page.getByRole('separator', { name: 'Resize details' })
  const panel = page.locator('.workspace > .timeline')
  const chrome = await panel.evaluate((el) => (el.firstElementChild as HTMLElement).offsetHeight + 38)
  await expect.poll(() => drawn(panel, 'height')).toBeLessThanOrEqual(chrome + 4 * 22 + 4 + 1)
  // That room follows the toolbar's own height, however it changes (it is observed, not read in a commit): a
  // toolbar drawn taller (here by a style) takes its rows' room with it, and gives it back.
  const taller = await panel.evaluate((el) => {
    const bar = el.firstElementChild as HTMLElement
    bar.style.paddingBottom = '20px'
    return bar.offsetHeight + 38
  })
  expect(taller).toBeGreaterThan(chrome)
  await expect.poll(() => drawn(panel, 'height')).toBeGreaterThan(chrome + 4 * 22 + 4 + 1)
  await panel.evaluate((el) => (el.firstElementChild as HTMLElement).style.removeProperty('padding-bottom'))
  await expect.poll(() => drawn(panel, 'height')).toBeLessThanOrEqual(chrome + 4 * 22 + 4 + 1)
  const filled = await reportsDrawn(detailsSplit, details, 'height')
  expect(filled).toBeGreaterThan(240)
  await press(page, detailsSplit, 'ArrowUp', 1)
  expect(await reportsDrawn(detailsSplit, details, 'height')).toBe(filled + 10)
  await press(page, detailsSplit, 'ArrowDown', 2)
  expect(await reportsDrawn(detailsSplit, details, 'height')).toBe(filled - 10)

  // The gRPC composer is drawn at least its own minimum, min(320 px, the window less 506 px): 294 px here, which
  // holds its 8-line message editor whole (grpc.spec) and leaves the timeline six rows; that is reported.
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'gRPC' })
  await expect.poll(() => drawn(composer, 'height')).toBeGreaterThanOrEqual(294)
  expect(await reportsDrawn(composerSplit, composer, 'height')).toBeGreaterThanOrEqual(294)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'HTTP' })
  await expect.poll(() => drawn(composer, 'height')).toBe(320)
  expect(await reportsDrawn(composerSplit, composer, 'height')).toBe(320)

  // The composer as tall as it goes in a tall window…
  await page.setViewportSize({ width: 1280, height: 1000 })
  await press(page, composerSplit, 'Shift+ArrowDown', 12)
  await expect(composerSplit).toHaveAttribute('aria-valuenow', '640')
  // …then a short window: the composer gives way; the timeline and the splitter are still on screen.
  await page.setViewportSize({ width: 1280, height: 480 })
  await expect.poll(() => drawn(composer, 'height')).toBeLessThan(640)
  const short = await reportsDrawn(composerSplit, composer, 'height')
  expect(short).toBeLessThan(640)
  expect(short).toBeGreaterThanOrEqual(120)
  await expect(composerSplit).toBeInViewport()
  await expect(timeline).toBeInViewport()
  const box = await page.locator('.workspace > .timeline').boundingBox()
  if (!box) throw new Error('no timeline')
  expect(box.y + box.height, 'timeline bottom inside the window').toBeLessThanOrEqual(480 + 1)
  expect(box.height, 'timeline keeps room for its rows').toBeGreaterThanOrEqual(120)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`short-window-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  // The window grows again: the remembered size comes back.
  await page.setViewportSize({ width: 1280, height: 1000 })
  await expect.poll(() => drawn(composer, 'height')).toBe(640)
  expect(await reportsDrawn(composerSplit, composer, 'height')).toBe(640)
  await press(page, composerSplit, 'Shift+ArrowUp', 9)
  expect(await reportsDrawn(composerSplit, composer, 'height')).toBe(190)
  await page.setViewportSize({ width: 1280, height: 800 })

  // Details on the right, as wide as they go in a wide window; in a 1280 px one the timeline keeps its room
  // beside them, and the splitter reports the width drawn; the wide window draws them whole again.
  await page.setViewportSize({ width: 1900, height: 800 })
  await page.getByRole('button', { name: 'Details on the right' }).click()
  await press(page, detailsSplit, 'Shift+ArrowLeft', 16)
  const whole = await reportsDrawn(detailsSplit, details, 'width')
  expect(whole).toBeGreaterThanOrEqual(1000)
  await page.setViewportSize({ width: 1280, height: 800 })
  await expect.poll(() => drawn(details, 'width')).toBeLessThan(whole)
  const narrow = await reportsDrawn(detailsSplit, details, 'width')
  expect(narrow).toBeLessThan(whole)
  expect(await drawn(page.locator('.workspace > .timeline'), 'width')).toBeGreaterThanOrEqual(540)
  await expect(detailsSplit).toBeInViewport()
  await page.setViewportSize({ width: 1900, height: 800 })
  await expect.poll(() => drawn(details, 'width')).toBe(whole)
  expect(await reportsDrawn(detailsSplit, details, 'width')).toBe(whole)
  expect(pageErrors).toEqual([])
})

test('the timeline toolbar keeps its last control whole at every width beside the details', async ({
  page,
}) => {
  await page.goto(host.url)
  await page.getByRole('button', { name: 'Details on the right' }).click()
  const cut: string[] = []
  // A 20px step across windows from 1100px (where the details, given way to their 280px, leave the timeline
  // the 540px its line needs with every optional filter in More) to 1900px (every filter on the line).
  for (let width = 1100; width <= 1900; width += 20) {
    await page.setViewportSize({ width, height: 700 })
    const over = await page.getByRole('toolbar', { name: 'Timeline tools' }).evaluate((bar) => {
      const inner = bar.getBoundingClientRect().right - parseFloat(getComputedStyle(bar).paddingRight)
      const group = bar.querySelector('[aria-label="Time window"]')
      return group ? group.getBoundingClientRect().right - inner : Infinity
    })
    if (over > 0.5) cut.push(`${width}px window: Follow live cut by ${Math.round(over)}px`)
  }
  expect(cut).toEqual([])
})
