import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { startTraceServer, type TraceServer } from '../fixtures/trace-server'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * Trace context through the browser host in Chromium: the toolbar's Trace switch on, a send carries a
 * traceparent; the details show its trace id with Copy and Open trace (the environment's traceLink, a new-tab
 * link); typing the id (or trace:<start>) in the filter finds that row alone; an SSE stream opened from an Untitled
 * tab carries a traceparent too and its details show the id. Leaves docs/trace-context.png and
 * docs/trace-context-dark.png.
 */

let server: TraceServer
let sse: SseFixture
let host: RunningWebHost
let dir: string

test.beforeAll(async () => {
  server = await startTraceServer()
  sse = await startSseServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-e2e-trace-'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: orders-api\n')
  mkdirSync(join(dir, 'environments'))
  writeFileSync(
    join(dir, 'environments', 'local.yaml'),
    'name: Local\ntraceLink: http://localhost:16686/trace/{traceId}\nvariables:\n  base: ' +
      server.url +
      '\n',
  )
  host = await startBuiltWebHost(15_000, {
    env: { FLIGHTDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'fd-e2e-trace-config-')) },
  })
})

test.afterAll(async () => {
  await host?.stop()
  await server?.close()
  await sse?.close()
  rmSync(dir, { recursive: true, force: true })
})

test('switch Trace on, send, see the trace id, filter by it, open it in the tracing backend', async ({
  page,
}) => {
  test.setTimeout(60_000)
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1440, height: 860 })
  await page.goto(host.url)
  await page.getByRole('textbox', { name: 'Collection folder' }).fill(dir)
  await page.getByRole('button', { name: 'Open', exact: true }).click()
  await page.getByRole('combobox', { name: 'Environment' }).selectOption('local')

  const rows = page.getByRole('grid', { name: 'Timeline' }).getByRole('row')
  const field = page.getByRole('textbox', { name: 'URL' })
  // One send without a trace, then the switch on and two with one each.
  await field.fill('{{base}}/orders?untraced=1')
  await field.press('Control+Enter')
  await expect(rows).toHaveCount(1)
  const trace = page.getByRole('button', { name: 'Trace', exact: true })
  await expect(trace).toHaveAttribute('aria-pressed', 'false')
  await trace.click()
  await expect(trace).toHaveAttribute('aria-pressed', 'true')
  await field.fill('{{base}}/orders/42')
  await field.press('Control+Enter')
  await field.fill('{{base}}/orders/42/items')
  await field.press('Control+Enter')
  await expect(rows).toHaveCount(3)
  for (let i = 0; i < 3; i++)
    await expect(rows.nth(i)).toHaveAttribute('data-state', 'done', { timeout: 10_000 })

  // The untraced row has no trace line; the traced one shows its id, which the server received.
  await rows.nth(0).locator('.c-name').click()
  await expect(page.getByRole('group', { name: 'Trace' })).toHaveCount(0)
  await rows.nth(1).locator('.c-name').click()
  const line = page.getByRole('group', { name: 'Trace' })
  await expect(line).toBeVisible()
  const traceId = (await line.getByTestId('trace-id').textContent()) ?? ''
  expect(traceId).toMatch(/^[0-9a-f]{32}$/)
  const details = page.getByRole('region', { name: 'Details' })
  await details.getByRole('tab', { name: 'Headers' }).click()
  await expect(details.getByRole('table', { name: 'Request headers' })).toContainText(`00-${traceId}-`)
  await details.getByRole('tab', { name: 'Response' }).click()
  await expect(details.getByRole('tabpanel')).toContainText(traceId)

  // Open trace: the environment's template, as a link that opens a new tab without opener or referrer.
  const open = line.getByRole('link', { name: 'Open trace' })
  await expect(open).toHaveAttribute('href', `http://localhost:16686/trace/${traceId}`)
  await expect(open).toHaveAttribute('target', '_blank')
  await expect(open).toHaveAttribute('rel', 'noopener noreferrer')

  // The filter finds the row by its id, typed whole or as trace:<start>.
  const filter = page.getByRole('searchbox', { name: 'Filter' })
  await filter.fill(traceId)
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toContainText('/orders/42')
  await filter.fill(`trace:${traceId.slice(0, 8)}`)
  await expect(rows).toHaveCount(1)
  await filter.fill('trace:')
  await expect(rows).toHaveCount(2)
  await filter.fill(traceId)
  await expect(rows).toHaveCount(1)

  await page.getByRole('button', { name: 'Details on the right' }).click()
  await rows.first().locator('.c-name').click()
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.mouse.move(0, 0)
    await page.screenshot({
      path: docsPicture(scheme === 'light' ? 'trace-context.png' : 'trace-context-dark.png'),
    })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await line.getByRole('button', { name: 'Copy' }).click()
  await expect(line.getByRole('status')).toContainText('trace id')

  // The switch is kept in the workspace: after a reload it is still on.
  await filter.fill('')
  await page.reload()
  // The page comes back and restores the workspace; on a busy machine that takes a few seconds.
  await expect(page.getByRole('button', { name: 'Trace', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
    {
      timeout: 15_000,
    },
  )

  // A stream from an Untitled tab with the switch on: its handshake carries a traceparent (sent by the engine,
  // received by the server), and the stream's details show that trace id with Copy and Open trace.
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'SSE' })
  await field.fill(`${sse.url}/events?n=3&every=50&traced=1`)
  await field.press('Enter')
  const streamRow = page.getByRole('grid', { name: 'Timeline' }).locator('[role="row"][data-sid^="e"]')
  await expect(streamRow).toHaveCount(1, { timeout: 10_000 })
  await streamRow.click()
  const stream = page.getByRole('region', { name: 'Stream details' })
  const streamLine = stream.getByRole('group', { name: 'Trace' })
  await expect(streamLine).toBeVisible()
  const streamTrace = (await streamLine.getByTestId('trace-id').textContent()) ?? ''
  expect(streamTrace).toMatch(/^[0-9a-f]{32}$/)
  expect(streamTrace).not.toBe(traceId)
  const received = sse.requests.find((r) => r.path.includes('traced=1'))?.headers['traceparent']
  expect(received).toMatch(new RegExp(`^00-${streamTrace}-[0-9a-f]{16}-01$`))
  await expect(streamLine.getByRole('link', { name: 'Open trace' })).toHaveAttribute(
    'href',
    `http://localhost:16686/trace/${streamTrace}`,
  )
  // The hover card over its lane names the start of the id.
  await streamRow.hover()
  await expect(page.getByRole('tooltip')).toContainText(`trace ${streamTrace.slice(0, 8)}…`)
  await stream.getByRole('button', { name: /^(Close|Stop)$/ }).click()
  expect(pageErrors).toEqual([])
})
