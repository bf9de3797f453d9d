import { expect, test, type Page } from '@playwright/test'
import { harOfUpload } from '../engine/har-upload-entry'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * After a HAR import, the HAR menu's note has a line of its own under the timeline toolbar's controls: at
 * 1024×768 its count and its first words are there to read, not "Imported …". The controls stay on their one
 * line; × puts the note away and the toolbar is one line again.
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

test("a HAR import's note shows its count and first words at 1024 px", async ({ page }) => {
  if (!host) throw new Error('no host')
  await page.setViewportSize({ width: 1024, height: 768 })
  await page.goto(host.url)
  const toolbar = page.getByRole('toolbar', { name: 'Timeline tools' })
  const oneLine = (await toolbar.boundingBox())?.height ?? 0
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
  const note = page.getByRole('status').filter({ hasText: 'Imported 1 from upload.har' }).getByRole('button')
  await expect(note).toBeVisible()
  await shots(page, 'har-note-line-1024x768')

  // Its words up to the file parts' count are shown, not cut: the line has room for them.
  const shown = await note.evaluate((el) => {
    const r = document.createRange()
    r.selectNodeContents(el)
    const box = el.getBoundingClientRect()
    // The text that lies inside the button's box (what an ellipsis does not hide).
    const text = el.textContent ?? ''
    let inside = 0
    for (let i = 1; i <= text.length; i++) {
      r.setStart(el.firstChild as Node, 0)
      r.setEnd(el.firstChild as Node, i)
      if (r.getBoundingClientRect().right > box.right + 0.5) break
      inside = i
    }
    return text.slice(0, inside)
  })
  expect(shown).toContain('Imported 1 from upload.har; request 1 has file parts recorded without their files')

  // The controls keep one line: Filter and Follow live side by side, the note under them.
  const filter = await page.getByRole('searchbox', { name: 'Filter' }).boundingBox()
  const follow = await page.getByRole('button', { name: 'Follow live' }).boundingBox()
  const noteBox = await note.boundingBox()
  if (!filter || !follow || !noteBox) throw new Error('the toolbar is not shown')
  expect(Math.abs(filter.y + filter.height / 2 - (follow.y + follow.height / 2))).toBeLessThan(2)
  expect(noteBox.y).toBeGreaterThanOrEqual(follow.y + follow.height - 1)

  await page.getByRole('button', { name: 'Dismiss the note' }).click()
  await expect(note).toBeHidden()
  expect((await toolbar.boundingBox())?.height).toBe(oneLine)
})
