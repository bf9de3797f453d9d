import { type Page } from '@playwright/test'
import { harOfUpload } from '../engine/har-upload-entry'
import { expect, test } from './file-page'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * The HAR menu's note after an import is longer than the toolbar's line has room for. Cut on the line, it opens
 * whole on a click (or Enter), wrapped inside the window, and its words can be selected and copied.
 */

let host: RunningWebHost | null = null

test.beforeAll(async () => {
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
})

async function shots(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`${name}-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
}

for (const width of [1280, 1024]) {
  test(`the whole note of a HAR import can be read at ${width} px`, async ({ page }) => {
    if (!host) throw new Error('no host')
    await page.setViewportSize({ width, height: 760 })
    await page.goto(host.url)
    const har = harOfUpload('http://127.0.0.1:9/echo', {
      mimeType: 'multipart/form-data; boundary=----x',
      params: [{ name: 'scan', value: '', fileName: 'receipt.png', contentType: 'image/png' }],
    })
    await page.getByRole('button', { name: 'HAR', exact: true }).click()
    const chooser = page.waitForEvent('filechooser')
    await page.getByRole('menuitem', { name: /Import HAR/ }).click()
    await (
      await chooser
    ).setFiles({ name: 'upload.har', mimeType: 'application/json', buffer: Buffer.from(har) })
    const note = page
      .getByRole('status')
      .filter({ hasText: 'Imported 1 from upload.har' })
      .getByRole('button')
    await expect(note).toBeVisible()
    const text = ((await note.textContent()) ?? '').trim()
    expect(text).toContain('request 1 has file parts recorded without their files')
    await shots(page, `har-note-line-${width}`)

    await note.click()
    const full = page.getByTestId('har-note-full')
    await expect(full).toHaveText(text)
    // All of it shown: inside the window, nothing cut inside the box.
    const box = await full.boundingBox()
    if (!box) throw new Error('the note is not shown')
    expect(box.x).toBeGreaterThanOrEqual(0)
    expect(box.x + box.width).toBeLessThanOrEqual(width)
    const cut = await full.evaluate(
      (el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1,
    )
    expect(cut).toBe(false)
    // Its first and last words are there to see: not clipped by the toolbar, nothing on top of them.
    const ends = await full.evaluate((el) => {
      const r = document.createRange()
      r.selectNodeContents(el)
      const rects = [...r.getClientRects()]
      const seen = (x: number, y: number) => {
        const hit = document.elementFromPoint(x, y)
        return hit !== null && el.contains(hit)
      }
      const first = rects[0]
      const end = rects[rects.length - 1]
      if (!first || !end) return [false, false]
      return [
        seen(first.left + 2, first.top + first.height / 2),
        seen(end.right - 2, end.top + end.height / 2),
      ]
    })
    expect(ends).toEqual([true, true])
    await shots(page, `har-note-full-${width}`)

    // Its words can be selected (a triple click selects the paragraph).
    await full.click({ clickCount: 3 })
    const selected = await page.evaluate(() => window.getSelection()?.toString() ?? '')
    expect(selected.trim()).toBe(text)
    await expect(full).toBeVisible()

    await page.keyboard.press('Escape')
    await expect(full).toBeHidden()
    await note.focus()
    await page.keyboard.press('Enter')
    await expect(full).toBeVisible()
  })
}
