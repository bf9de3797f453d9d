import { type Locator, type Page } from '@playwright/test'
import { expect, test } from './file-page'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * What lies over the composer's content, through the browser host in headless Chromium (no scrollbars): the
 * "more below ↓" cue shows only when content is out of sight (not for a body editor's empty lower part), its
 * words never lie over a row a person reads, and the hover card of escaped braces on the body's first line
 * leaves the body-kind tabs above the editor in sight. Pictures light and dark in the test's output folder.
 */

let host: RunningWebHost

test.beforeAll(async () => {
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
})

type Box = { x: number; y: number; width: number; height: number }

function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

/**
 * Where the panel's "more below ↓" words are drawn, or null when nowhere: the line under the panel when it has
 * one, else the words of its `::after` (sticky at its lower edge), worked out from the cue's style.
 */
async function cueWords(page: Page): Promise<Box | null> {
  return page.evaluate(() => {
    const strip = document.querySelector<HTMLElement>('.scroll-cue-strip')
    if (strip && !strip.hidden && strip.hasAttribute('data-below')) {
      const r = strip.getBoundingClientRect()
      return { x: r.x, y: r.y, width: r.width, height: r.height }
    }
    const el = document.querySelector<HTMLElement>('.composer-panel')
    if (!el) return null
    const cue = getComputedStyle(el, '::after')
    if (cue.content === 'none' || cue.content === 'normal') return null
    const box = el.getBoundingClientRect()
    const ctx = document.createElement('canvas').getContext('2d')
    if (ctx === null) return null
    ctx.font = `${cue.fontSize} ${cue.fontFamily}`
    const words = ctx.measureText(cue.content.replace(/^"|"$/g, '')).width
    const room = el.clientWidth - parseFloat(cue.paddingLeft) - parseFloat(cue.paddingRight)
    const left = box.left + el.clientLeft + parseFloat(cue.paddingLeft) + (room - words)
    const bottom = box.top + el.clientTop + el.clientHeight
    const top = bottom - parseFloat(cue.height) + parseFloat(cue.paddingTop)
    return { x: left, y: top, width: words, height: bottom - top }
  })
}

/** The panel's fields wholly in sight (a person reads them), as boxes. */
async function fieldsInSight(panel: Locator): Promise<Box[]> {
  return panel.evaluate((el) => {
    const view = el.getBoundingClientRect()
    const boxes: Box[] = []
    for (const f of el.querySelectorAll('input:not([type="checkbox"])')) {
      const r = f.getBoundingClientRect()
      if (r.width > 0 && r.top >= view.top - 0.5 && r.bottom <= view.bottom + 0.5)
        boxes.push({ x: r.x, y: r.y, width: r.width, height: r.height })
    }
    return boxes
  })
}

async function pictures(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`${name}-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
}

test('a one-line JSON body has nothing below: no cue, and the editor with its grip in sight', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(host.url)
  const composer = page.getByRole('region', { name: 'Request' })
  const panel = composer.getByRole('tabpanel')
  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
  await composer.getByRole('tab', { name: /^Body/ }).click()
  await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('JSON', { exact: true }).click()
  await page.getByRole('textbox', { name: 'Body JSON' }).fill('{"a":1}')
  const grip = page.getByRole('separator', { name: 'Resize Body JSON' })
  for (const height of [800, 600]) {
    await page.setViewportSize({ width: 1280, height })
    await expect(grip).toBeInViewport({ ratio: 1 })
    await expect.poll(() => panel.getAttribute('data-more')).toBeNull()
    expect(await cueWords(page)).toBeNull()
    const [bar, view] = await Promise.all([grip.boundingBox(), panel.boundingBox()])
    expect(bar && view && bar.y + bar.height <= view.y + view.height + 0.5).toBe(true)
    await page.mouse.move(1, 1)
    await pictures(page, `one-line-json-${height}`)
  }
})

test('the cue never lies over a row in sight of a cut params table', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 })
  await page.goto(host.url)
  const composer = page.getByRole('region', { name: 'Request' })
  const panel = composer.getByRole('tabpanel')
  const query = Array.from(
    { length: 12 },
    (_, i) => `p${i}=${'value-of-a-long-parameter-'.repeat(4)}${i}`,
  ).join('&')
  await composer.getByRole('textbox', { name: /URL/ }).first().fill(`http://127.0.0.1:9/x?${query}`)
  await expect(panel).toHaveAttribute('data-more', 'below')
  // Row by row (26 px apart) in 2 px steps: whatever row the lower edge cuts, the words lie off those in sight.
  for (let top = 0; top <= 26; top += 2) {
    await panel.evaluate((el, y) => el.scrollTo(0, y), top)
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
    const words = await cueWords(page)
    expect(words, `cue at scroll ${top}`).not.toBeNull()
    const covered = (await fieldsInSight(panel)).filter((f) => words !== null && overlap(f, words))
    expect(covered, `fields under the words at scroll ${top}`).toEqual([])
  }
  await panel.evaluate((el) => el.scrollTo(0, 0))
  await page.mouse.move(1, 1)
  await pictures(page, 'params-cut')
  await panel.evaluate((el) => el.scrollTo(0, el.scrollHeight))
  await expect(panel).toHaveAttribute('data-more', 'above')
  expect(await cueWords(page)).toBeNull()
  await pictures(page, 'params-end')
})

test('the hover card of escaped braces on the first line leaves the body-kind tabs in sight', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(host.url)
  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
  await page.getByRole('tab', { name: /^Body/ }).click()
  const kinds = page.getByRole('radiogroup', { name: 'Body kind' })
  await kinds.getByText('JSON', { exact: true }).click()
  await page.getByRole('textbox', { name: 'Body JSON' }).fill('{"key":"\\{{apiKey}}"}')
  const literal = page.locator('.code-editor .cm-var-literal')
  const card = page.getByRole('tooltip').filter({ hasText: 'literal {{' })
  const parts = page.getByRole('tablist', { name: 'Request parts' })
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.mouse.move(1, 1)
    await literal.hover()
    await expect(card).toBeVisible()
    const [c, k, p, l] = await Promise.all([
      card.boundingBox(),
      kinds.boundingBox(),
      parts.boundingBox(),
      literal.boundingBox(),
    ])
    if (!c || !k || !p || !l) throw new Error('no box')
    expect(overlap(c, k), 'card over the body kinds').toBe(false)
    expect(overlap(c, p), 'card over the request parts').toBe(false)
    expect(overlap(c, l), 'card over the braces it explains').toBe(false)
    await page.screenshot({ path: test.info().outputPath(`literal-hover-${scheme}.png`) })
  }
})
