import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Locator, type Page } from '@playwright/test'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto } from '../fixtures/mosquitto'
import { startHttp2Server } from '../fixtures/servers'
import { expect, test } from './file-page'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * Screens nobody had pictured, each against a real peer on 127.0.0.1, looked at light and dark (pictures in the
 * test's output folder): the MQTT publish box's note when a publish waits for the broker's Receive Maximum, an
 * HTTP/2 request's details (its size named as HPACK-compressed header text, its headers, pseudo-headers first),
 * and the OAuth 2.0 token request's row on the timeline with its tokens masked. Each asserts what a person would
 * stumble on: words clipped, one control over another, headers in an order the wire never had, a token shown.
 */

let host: RunningWebHost

test.beforeAll(async () => {
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
})

async function pictures(page: Page, name: string): Promise<void> {
  await page.mouse.move(1, 1)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`${name}-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
}

/** Whether any of `what`'s text is cut at its right edge (it scrolls or is hidden sideways). */
async function clipped(what: Locator): Promise<boolean> {
  return what.evaluate((el) => el.scrollWidth > el.clientWidth + 1)
}

test('a publish past the broker’s Receive Maximum says it waits, whole, under the payload', async ({
  page,
}) => {
  test.skip(!MOSQUITTO, MOSQUITTO_MISSING)
  const broker = await startMosquitto(['max_inflight_messages 2'])
  try {
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.goto(host.url)
    await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'MQTT' })
    const field = page.getByRole('textbox', { name: 'URL' })
    await field.fill(broker.url)
    await field.press('Enter')
    const timeline = page.getByRole('grid', { name: 'Timeline' })
    await timeline.locator('[role="row"][data-sid^="mq"]').click()
    const details = page.getByRole('region', { name: 'Stream details' })
    await expect(details).toHaveAttribute('data-state', 'open')
    await details.getByRole('tab', { name: 'Publish' }).click()
    await details.getByRole('textbox', { name: 'Topic' }).fill('plant/line-3/press')
    await details.getByRole('combobox', { name: 'QoS' }).selectOption({ label: 'QoS 1' })
    await details.getByRole('textbox', { name: 'Payload' }).fill('{"bar": 212}')
    const publish = details.getByRole('button', { name: 'Publish' })
    await publish.click()
    await expect(details.getByText(/PUBACK #\d+ for plant\/line-3\/press/)).toBeVisible()
    // Frozen, the broker acknowledges nothing: two publishes fill its Receive Maximum, the third waits.
    broker.pause()
    for (let i = 0; i < 3; i++) await publish.click()
    const note = details.getByRole('status').filter({ hasText: 'Receive Maximum' })
    await expect(note).toBeVisible()
    expect(await clipped(note)).toBe(false)
    const [n, b] = await Promise.all([note.boundingBox(), publish.boundingBox()])
    expect(n && b && (n.y + n.height <= b.y || b.y + b.height <= n.y || n.x + n.width <= b.x)).toBe(true)
    await pictures(page, 'mqtt-publish-waits')
    broker.resume()
  } finally {
    await broker.close()
  }
})

test('an HTTP/2 request’s details: its size as HPACK-compressed header text, its headers', async ({
  page,
}) => {
  const h2 = await startHttp2Server()
  try {
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.goto(host.url)
    // The host keeps the last session: the test before may have left an MQTT tab, and it may come back after the
    // page shows its first Untitled. A tab of the person's own stays in front of a late restore.
    await page.getByRole('button', { name: 'New request tab' }).click()
    await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'HTTP' })
    await page.getByRole('tab', { name: 'Options' }).click()
    await page.getByLabel('Accept invalid certificates').check()
    const field = page.getByRole('textbox', { name: 'URL' })
    await field.fill(`${h2.url}/echo?via=h2`)
    await field.press('Control+Enter')
    const row = page
      .getByRole('grid', { name: 'Timeline' })
      .getByRole('row')
      .filter({ hasText: '/echo?via=h2' })
    await expect(row).toHaveCount(1)
    await row.click()
    await page.getByRole('tab', { name: 'Overview', exact: true }).click()
    const size = page.getByText(/header text \(sent HPACK-compressed\)/)
    await expect(size).toBeVisible()
    expect(await clipped(size)).toBe(false)
    await pictures(page, 'h2-overview')
    await page.getByRole('tab', { name: 'Headers', exact: true }).last().click()
    // The request's pseudo-headers come first, as HTTP/2 sends them (after the others reads as malformed).
    const sent = page.getByRole('table', { name: 'Request headers' }).getByRole('rowheader')
    await expect(sent.first()).toHaveText(/^:/)
    const names = await sent.allTextContents()
    const firstPlain = names.findIndex((n) => !n.startsWith(':'))
    expect(names.slice(firstPlain).filter((n) => n.startsWith(':'))).toEqual([])
    expect(names).toContain(':method')
    await pictures(page, 'h2-headers')
  } finally {
    await h2.close()
  }
})

test('the OAuth 2.0 token request’s row shows its tokens masked', async ({ page }) => {
  const TOKEN = `eyJ${'a'.repeat(40)}Z9kQ`
  const REFRESH = `rt_${'b'.repeat(40)}`
  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          access_token: TOKEN,
          refresh_token: REFRESH,
          token_type: 'bearer',
          expires_in: 3600,
          scope: 'read write',
        }),
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.goto(host.url)
    await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'HTTP' })
    const composer = page.getByRole('region', { name: 'Request' })
    await composer.getByRole('tab', { name: 'Auth' }).click()
    await page.getByRole('combobox', { name: 'Auth type' }).selectOption('oauth2')
    await composer.getByLabel('Token URL', { exact: true }).fill(tokenUrl)
    await composer.getByLabel('Client ID', { exact: true }).fill('app')
    await composer.getByLabel('Client secret', { exact: true }).fill('s3cret')
    await composer.getByRole('button', { name: 'Get token' }).click()
    await expect(composer.locator('dl[aria-label="Token held"]')).toBeVisible()
    const row = page.getByRole('grid', { name: 'Timeline' }).getByRole('row').filter({ hasText: '/token' })
    await expect(row).toHaveCount(1)
    await row.click()
    await expect(page.getByText('"access_token": "eyJa…Z9kQ (47 characters)"')).toBeVisible()
    await pictures(page, 'oauth-token-row')
    for (const tab of ['Response', 'Headers']) {
      await page.getByRole('tab', { name: tab, exact: true }).last().click()
      await pictures(page, `oauth-token-row-${tab.toLowerCase()}`)
    }
    await expect(page.locator('body')).not.toContainText(TOKEN)
    await expect(page.locator('body')).not.toContainText(REFRESH)
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})
