import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * A file part with no Content-Type typed: the composer shows, greyed, the type its name says, and that is the
 * Content-Type the part arrives with, as Postman and Insomnia send it; its filename is the path's last name
 * unless one is typed beside it. A path too long for its box shows its end, the file name, out of focus.
 */

let server: Fixture
let host: RunningWebHost | null = null
let dir: string
/** Folders enough that the path never fits its box at 1280 px. */
const DEEP = 'accounts/2026/quarterly-statements-for-the-board/scanned originals, signed'

test.beforeAll(async () => {
  server = await startHttpServer()
  host = await startBuiltWebHost()
  dir = mkdtempSync(join(tmpdir(), 'fd-e2e-file-type-'))
  writeFileSync(join(dir, 'receipt.csv'), 'item,total\ncoffee,2.50\n')
  mkdirSync(join(dir, DEEP), { recursive: true })
  writeFileSync(join(dir, DEEP, 'invoice (march, final).pdf'), '%PDF-1.4\n')
})

test.afterAll(async () => {
  await host?.stop()
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

test('an untyped file part shows the type its name says and arrives with it', async ({ page }) => {
  if (!host) throw new Error('no host')
  await page.goto(host.url)
  await page.getByRole('button', { name: 'New request tab' }).click()
  await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/echo`)
  await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
  await page.getByRole('tab', { name: /^Body/ }).click()
  await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('Multipart', { exact: true }).click()
  await page.getByRole('button', { name: '+ File part' }).click()
  await page.getByRole('textbox', { name: 'Part 1 name' }).fill('receipt')
  const type = page.getByRole('textbox', { name: 'Part 1 content type' })
  await expect(type).toHaveAttribute('placeholder', 'content type (by its name)')
  await page.getByLabel('Part 1 file path').fill(join(dir, 'receipt.csv'))
  await expect(type).toHaveAttribute('placeholder', 'text/csv')
  await expect(type).toHaveValue('')
  // Into this test's own output folder (kept after the run), not another spec's or engineer's.
  await page.screenshot({ path: test.info().outputPath('multipart-file-type.png') })
  const before = server.requests.length
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => server.requests.length).toBeGreaterThan(before)
  const body = server.requests[before]?.body.toString('utf8') ?? ''
  expect(body).toContain(
    'Content-Disposition: form-data; name="receipt"; filename="receipt.csv"\r\nContent-Type: text/csv\r\n\r\nitem,total\ncoffee,2.50\n\r\n',
  )

  // The filename it is sent with (curl's ;filename=) is shown beside the path, greyed, and can be typed; a
  // content type typed after it keeps it.
  const name = page.getByRole('textbox', { name: 'Part 1 file name' })
  await expect(name).toHaveAttribute('placeholder', 'receipt.csv')
  await name.fill('march.csv')
  await type.fill('text/plain')
  await expect(name).toHaveValue('march.csv')
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`multipart-file-name-${scheme}.png`) })
  }
  const next = server.requests.length
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => server.requests.length).toBeGreaterThan(next)
  expect(server.requests[next]?.body.toString('utf8') ?? '').toContain(
    'Content-Disposition: form-data; name="receipt"; filename="march.csv"\r\nContent-Type: text/plain\r\n\r\nitem,total',
  )

  // A path too long for its box shows its end, the file name, once the box is left, and the whole path on hover.
  const pathBox = page.getByLabel('Part 1 file path')
  const longPath = join(dir, DEEP, 'invoice (march, final).pdf')
  await pathBox.fill(longPath)
  await name.click()
  await expect(pathBox).toHaveAttribute('title', longPath)
  const view = () =>
    pathBox.evaluate((el) => {
      const input = el as HTMLInputElement
      return {
        cut: input.scrollWidth > input.clientWidth,
        end: Math.round(input.scrollWidth - input.clientWidth - input.scrollLeft),
      }
    })
  await expect.poll(view).toEqual({ cut: true, end: 0 })

  // At 1024 px the path takes the row's room: the type and the file name (text/csv, receipt.csv) are compact
  // beside it, the part's name a short key, and a text part's type still shows its whole placeholder.
  await page.setViewportSize({ width: 1024, height: 700 })
  await page.getByRole('button', { name: '+ Text part' }).click()
  const width = async (label: string): Promise<number> =>
    (await page.getByLabel(label, { exact: true }).boundingBox())?.width ?? 0
  await expect.poll(() => width('Part 2 content type')).toBeGreaterThan(0)
  const path = await width('Part 1 file path')
  expect(path, 'the path against its type and file name').toBeGreaterThan(
    (await width('Part 1 content type')) + (await width('Part 1 file name')),
  )
  expect(path, 'the path against the part name').toBeGreaterThan(2 * (await width('Part 1 name')))
  // A common long type is read whole in its compact box (an imported receipt's application/pdf read application/pd).
  for (const long of ['application/pdf', 'application/json']) {
    await type.fill(long)
    const whole = await type.evaluate((el) => el.scrollWidth <= el.clientWidth)
    expect(whole, `${long} whole in the file part's type box`).toBe(true)
  }
  const placeholder = await page.getByLabel('Part 2 content type', { exact: true }).evaluate((el) => {
    const input = el as HTMLInputElement
    const probe = document.createElement('span')
    probe.style.font = getComputedStyle(input).font
    probe.textContent = input.placeholder
    document.body.append(probe)
    const fits = probe.offsetWidth <= input.clientWidth - 12
    probe.remove()
    return fits
  })
  expect(placeholder, "a text part's type placeholder whole").toBe(true)
})
