import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { harOfUpload } from '../engine/har-upload-entry'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * A HAR of an upload opened onto the timeline: its file part came with a file name and no file, so Send refuses
 * it until a file is chosen. The row and its details say so as the HAR opens, with the way to send it again;
 * after Edit as new request, Send's refusal has a button that puts the cursor in that part's file box, and once
 * a file is typed there its bytes arrive under the recorded name.
 */

let server: Fixture
let host: RunningWebHost | null = null
let dir: string

test.beforeAll(async () => {
  server = await startHttpServer()
  host = await startBuiltWebHost()
  dir = mkdtempSync(join(tmpdir(), 'fd-e2e-har-files-'))
  writeFileSync(join(dir, 'scan-chosen.png'), 'the chosen scan')
})

test.afterAll(async () => {
  await host?.stop()
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function shots(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`${name}-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
}

test('a recorded upload says it needs its file, and Send points at where to choose it', async ({ page }) => {
  if (!host) throw new Error('no host')
  await page.goto(host.url)
  const har = harOfUpload(`${server.url}/echo`, {
    mimeType: 'multipart/form-data; boundary=----x',
    params: [
      { name: 'store', value: 'Corner Cafe' },
      { name: 'scan', value: '', fileName: 'receipt.png', contentType: 'image/png' },
    ],
  })
  await page.getByRole('button', { name: 'HAR', exact: true }).click()
  const chooser = page.waitForEvent('filechooser')
  await page.getByRole('menuitem', { name: /Import HAR/ }).click()
  await (
    await chooser
  ).setFiles({ name: 'upload.har', mimeType: 'application/json', buffer: Buffer.from(har) })
  await expect(page.getByRole('status').filter({ hasText: 'Imported 1 from upload.har' })).toContainText(
    'request 1 has file parts recorded without their files',
  )

  // The row says it, and its details say what is missing and how to send it again.
  const badge = page.getByTestId('files-badge')
  await expect(badge).toHaveText('needs file')
  await badge.click()
  const notice = page.getByTestId('har-files-notice')
  await expect(notice).toContainText('A file part came without its file')
  await expect(notice).toContainText('part scan, recorded as receipt.png')
  await expect(notice).toContainText('then choose the file in the Body tab. Until then Send refuses it.')
  await shots(page, 'har-files-notice')

  await notice.getByRole('button', { name: 'Edit as new request' }).click()
  // The new tab opens once the engine has answered: its Body tab says multipart then (a click before lands on the
  // tab that was open, and the new one opens on Params).
  await expect(page.locator('#composer-tab-body')).toContainText('multipart')
  await page.locator('#composer-tab-body').click()
  const box = page.getByLabel('Part 2 file path')
  await expect(box).toHaveAttribute('placeholder', 'choose the file for receipt.png — Tab or ↓ completes')
  await expect(box).toHaveAttribute('aria-invalid', 'true')
  await expect(page.getByTestId('parts-to-choose')).toContainText(
    'Part "scan" was recorded without its file (receipt.png)',
  )

  // Send refuses it, nothing goes, and the refusal's button leads to the box.
  await page.locator('#composer-tab-headers').click()
  const before = server.requests.length
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  const refusal = page.getByRole('alert')
  await expect(refusal).toContainText('Multipart part "scan" has no file chosen')
  await shots(page, 'har-files-send-refused')
  await refusal.getByRole('button', { name: 'Choose the file for part "scan" (receipt.png)' }).click()
  await expect(box).toBeFocused()
  expect(server.requests.length).toBe(before)

  await box.fill(join(dir, 'scan-chosen.png'))
  await expect(box).not.toHaveAttribute('aria-invalid', 'true')
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await expect.poll(() => server.requests.length).toBeGreaterThan(before)
  const sent = server.requests[before]
  const body = sent?.body.toString('utf8') ?? ''
  expect(body).toContain(
    'Content-Disposition: form-data; name="scan"; filename="receipt.png"\r\nContent-Type: image/png\r\n\r\nthe chosen scan\r\n',
  )
  // The recorded Content-Type named the recording's boundary: the server splits the parts by the one sent.
  const boundary = /boundary=([^;]+)/.exec(String(sent?.headers['content-type']))?.[1] ?? ''
  expect(boundary).not.toBe('----x')
  expect(body.startsWith(`--${boundary}\r\n`)).toBe(true)
})
