import { mkdtempSync } from 'node:fs'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Page } from '@playwright/test'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'
import { startPushServer, type PushFixture } from '../fixtures/push-server'
import { expect, test } from './file-page'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * What the server tells you, through the browser host in Chromium: an HTTP/2 request sent with "Accept server
 * push" whose server pushes two assets and says `db` and `render` in Server-Timing shows the slices in its
 * waiting bar and the pushed streams as rows under it; a request answered after two 103 Early Hints shows their
 * marks before its response and their links in the details. Leaves docs/server-push*.png and
 * docs/early-hints*.png.
 */

const HINTS =
  'HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload; as=style\r\nlink: </app.js>; rel=preload; as=script\r\n\r\n' +
  'HTTP/1.1 103 Early Hints\r\nlink: <https://fonts.example/inter.woff2>; rel=preload; as=font; crossorigin\r\n\r\n'
const FINAL = 'HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 15\r\n\r\n<!doctype html>'

let push: PushFixture
let raw: RawServer
let host: RunningWebHost

test.beforeAll(async () => {
  push = await startPushServer()
  raw = await startRawServer((socket: Socket, head: string) => {
    if (pathOf(head) !== '/hinted') return
    socket.write(HINTS.split('\r\n\r\n')[0] + '\r\n\r\n')
    setTimeout(() => socket.write(HINTS.split('\r\n\r\n')[1] + '\r\n\r\n'), 120)
    setTimeout(() => socket.write(FINAL), 400)
  })
  host = await startBuiltWebHost(15_000, {
    env: { FLIGHTDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'flightdeck-push-')) },
  })
})

test.afterAll(async () => {
  await host?.stop()
  await push?.close()
  await raw?.close()
})

interface Hovered {
  sid: string
  bars: { phase: string; x: number; w: number }[]
  slices?: { name: string; x: number; w: number }[]
  interim?: { x: number; w: number }[]
}

async function hoverRow(page: Page, sid: string): Promise<Hovered> {
  const row = page.locator(`[role="grid"] [role="row"][data-sid="${sid}"]`)
  const rb = await row.boundingBox()
  const cb = await page.getByTestId('waterfall').boundingBox()
  if (!rb || !cb) throw new Error('no row or canvas box')
  await page.mouse.move(cb.x + cb.width * 0.5, rb.y + rb.height / 2)
  await expect(page.getByRole('tooltip')).toBeVisible()
  const body = page.getByTestId('waterfall')
  await expect.poll(async () => (await body.getAttribute('data-hover-bars')) ?? '').toContain(`"${sid}"`)
  return JSON.parse((await body.getAttribute('data-hover-bars')) ?? '{}') as Hovered
}

test('a pushed stream is a row under its request, whose waiting bar holds its Server-Timing slices', async ({
  page,
}) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(host.url)
  await page.getByRole('tab', { name: 'Options' }).click()
  await page.getByLabel('Accept invalid certificates').check()
  await page.getByLabel('Accept server push').check()
  const field = page.getByRole('textbox', { name: 'URL' })
  await field.fill(`${push.url}/page?wait=300`)
  await field.press('Control+Enter')

  const rows = page.getByRole('grid', { name: 'Timeline' }).getByRole('row')
  await expect(rows).toHaveCount(3)
  for (let i = 0; i < 3; i++)
    await expect(rows.nth(i)).toHaveAttribute('data-state', 'done', { timeout: 10_000 })
  const parent = rows.first()
  const sid = (await parent.getAttribute('data-sid')) ?? ''
  await expect(parent.locator('.push-badge')).toHaveCount(0)
  // The pushed streams are listed under their request, marked as pushes, with their own status.
  const pushed = rows.filter({ has: page.locator('.push-badge') })
  await expect(pushed).toHaveCount(2)
  await expect(pushed.nth(0)).toContainText('/style.css')
  await expect(pushed.nth(1)).toContainText('/app.js')
  await expect(pushed.nth(0).locator('.c-status')).toHaveText('200')

  // The request's waiting bar holds db and render.
  const hovered = await hoverRow(page, sid)
  expect((hovered.slices ?? []).map((s) => s.name).slice(0, 2)).toEqual(['db', 'render'])

  // A pushed row's details: the request it came with and the headers the server promised.
  await pushed.nth(0).locator('.c-name').click()
  await page.getByRole('tab', { name: 'Overview' }).click()
  const overview = page.getByTestId('pushed-by')
  await expect(overview).toContainText('Pushed by the server with its request')
  await expect(overview).toContainText(':path: /style.css')
  await expect(overview).toContainText(':method: GET')
  await expect(page.locator('.fact', { hasText: 'Request size' })).toContainText(
    'nothing sent (the server pushed it)',
  )
  await expect(page.locator('.fact', { hasText: 'TLS' })).toContainText("its request's (connection #")
  // Its body is viewable like any other.
  await page.getByRole('tab', { name: 'Response', exact: true }).click()
  await expect(page.getByRole('tabpanel', { name: 'Response' })).toContainText('body { color: #123; }')
  await page.getByRole('tab', { name: 'Overview' }).click()
  // The request's details count its pushes.
  await parent.locator('.c-name').click()
  await expect(page.getByTestId('push-count')).toContainText('2 pushed streams accepted')

  await pushed.nth(0).locator('.c-name').click()
  await page.getByRole('button', { name: 'Details on the right' }).click()
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    // No hover card: it would cover the pushed rows (server-timing.png shows the card).
    await page.mouse.move(5, 890)
    await expect(page.getByRole('tooltip')).toHaveCount(0)
    await page.screenshot({
      path: docsPicture(scheme === 'light' ? 'server-push.png' : 'server-push-dark.png'),
    })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  expect(pageErrors).toEqual([])
})

test('103 Early Hints are marks before the response, and their links are listed in the details', async ({
  page,
}) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(host.url)
  // The first test's rows would squeeze this one into a corner of the axis.
  await page.getByRole('button', { name: 'Clear', exact: true }).click()
  const field = page.getByRole('textbox', { name: 'URL' })
  await field.fill(`${raw.url}/hinted`)
  await field.press('Control+Enter')
  const row = page.getByRole('grid', { name: 'Timeline' }).getByRole('row').last()
  await expect(row).toHaveAttribute('data-state', 'done', { timeout: 10_000 })
  const sid = (await row.getAttribute('data-sid')) ?? ''

  // Two marks, both inside the waiting bar: before the response's first byte.
  const hovered = await hoverRow(page, sid)
  const wait = hovered.bars.find((b) => b.phase === 'wait')
  expect(wait).toBeDefined()
  // The card says what came before the response, and when.
  await expect(page.getByRole('tooltip')).toContainText(/103 Early Hints ×2 \(\+[\d.]+ ms, \+[\d.]+ ms\)/)
  const marks = hovered.interim ?? []
  expect(marks).toHaveLength(2)
  for (const mark of marks) {
    expect(mark.x).toBeGreaterThanOrEqual((wait?.x ?? 0) - 1)
    expect(mark.x).toBeLessThanOrEqual((wait?.x ?? 0) + (wait?.w ?? 0) + 1)
  }

  await row.locator('.c-name').click()
  await page.getByRole('tab', { name: 'Overview' }).click()
  const notes = page.getByTestId('interim-responses')
  await expect(notes).toContainText('103 Early Hints ×2 before the response')
  const first = notes.getByRole('table', { name: 'Links of 103 Early Hints' }).first()
  await expect(first.locator('tr[data-link="/style.css"]')).toContainText('preload')
  await expect(first.locator('tr[data-link="/style.css"]')).toContainText('style')
  await expect(first.locator('tr[data-link="/app.js"]')).toContainText('script')
  await expect(notes.locator('tr[data-link="https://fonts.example/inter.woff2"]')).toContainText('font')

  await page.getByRole('button', { name: 'Details on the right' }).click()
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await hoverRow(page, sid)
    await page.screenshot({
      path: docsPicture(scheme === 'light' ? 'early-hints.png' : 'early-hints-dark.png'),
    })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  expect(pageErrors).toEqual([])
})
