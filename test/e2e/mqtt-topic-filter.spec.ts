import { connectAsync, type MqttClient } from 'mqtt'
import { type Locator } from '@playwright/test'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { expect, test } from './file-page'
import { placeholderRoom } from './legibility'
import { rowsAfterRestore } from './timeline-restored'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * The message log's topic filter on an MQTT session, through the browser host in Chromium: 5,000 messages on
 * twenty topics, a wildcard filter that the engine matches over the whole log ("N matches of M"), a filter that
 * is not one refused in words; topics longer than their column, cut in the middle and shown whole in the
 * message's pane; screenshots light and dark for docs/messaging.md.
 */

const TOTAL = 5000

let broker: MosquittoFixture | null = null
let peer: MqttClient | null = null
let host: RunningWebHost

test.beforeAll(async () => {
  if (MOSQUITTO) {
    broker = await startMosquitto()
    peer = await connectAsync(broker.url, { protocolVersion: 5, clientId: 'e2e-peer', reconnectPeriod: 0 })
  }
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await peer?.endAsync(true)
  await broker?.close()
})

test('an MQTT topic filter in the message log: wildcards over the whole log, N of M', async ({ page }) => {
  test.skip(!MOSQUITTO, MOSQUITTO_MISSING)
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1400, height: 860 })
  await page.goto(host.url)
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  await page.getByRole('button', { name: 'Details on the right' }).click()

  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'MQTT' })
  await page.getByRole('textbox', { name: 'Subscriptions' }).fill('plant/#@0')
  const url = page.getByRole('textbox', { name: 'URL' })
  await url.fill(broker?.url ?? '')
  await url.press('Enter')
  const mqttRow = timeline.locator('[role="row"][data-sid^="mq"]')
  await mqttRow.click()
  const details = page.getByRole('region', { name: 'Stream details' })
  await expect(details.getByRole('gridcell', { name: 'SUBACK', exact: true })).toBeVisible()

  for (let i = 0; i < TOTAL; i++) {
    const topic = `plant/line${i % 4}/${['temp', 'rpm', 'vibration', 'power', 'door'][i % 5]}`
    peer?.publish(topic, JSON.stringify({ n: i, value: (i * 7) % 100 }), { qos: 0 })
  }
  await peer?.publishAsync('plant/end', 'done', { qos: 1 })
  await expect(details.getByRole('gridcell', { name: 'plant/end', exact: true })).toBeVisible({
    timeout: 20_000,
  })

  const topic = details.getByRole('searchbox', { name: 'Topic filter' })
  await topic.fill('plant/+/temp')
  // Every fifth message is a temp reading, on every line; the log holds the SUBACK and plant/end besides.
  await expect(details.getByText(`${(TOTAL / 5).toLocaleString('en-US')} matches of`)).toBeVisible()
  await expect(details.getByRole('gridcell', { name: 'plant/line1/temp', exact: true }).first()).toBeVisible()
  await expect(details.getByRole('gridcell', { name: 'plant/line1/rpm', exact: true })).toHaveCount(0)

  await topic.fill('plant/line2/#')
  await expect(details.getByText(`${(TOTAL / 4).toLocaleString('en-US')} matches of`)).toBeVisible()

  await topic.fill('plant/#/temp')
  await expect(details.getByRole('alert')).toHaveText(/"#" stands alone as the last level/)

  await topic.fill('plant/line3/+')
  await expect(details.getByText(`${(TOTAL / 4).toLocaleString('en-US')} matches of`)).toBeVisible()
  // The count is line2/#'s too: wait for the rows themselves before the screenshot.
  await expect(details.getByRole('gridcell', { name: 'plant/line3/temp', exact: true }).first()).toBeVisible()
  await expect(details.getByRole('gridcell', { name: 'plant/line2/temp', exact: true })).toHaveCount(0)
  // The timeline row's hover card would cover the lane.
  await topic.hover()
  await page.screenshot({ path: docsPicture('messaging-topic-filter.png') })
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.screenshot({ path: docsPicture('messaging-topic-filter-dark.png') })
  await page.emulateMedia({ colorScheme: 'light' })
  expect(pageErrors).toEqual([])
})

/** Whether the text `word` (its last occurrence in `el`'s text) is drawn inside the box of `box`. */
async function drawnInside(el: Locator, word: string, box: Locator): Promise<string> {
  const handle = await box.elementHandle()
  return el.evaluate(
    (node, [w, outer]) => {
      const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT)
      const texts: Text[] = []
      for (let t = walker.nextNode(); t; t = walker.nextNode()) texts.push(t as Text)
      const hit = texts.filter((t) => (t.textContent ?? '').includes(w)).pop()
      if (!hit || !outer) return 'not found'
      const at = (hit.textContent ?? '').lastIndexOf(w)
      const range = document.createRange()
      range.setStart(hit, at)
      range.setEnd(hit, at + w.length)
      const r = range.getBoundingClientRect()
      // Inside every box from the text's own up to `outer`: any of them may clip it (a cut piece of a name).
      for (let el = hit.parentElement; el; el = el.parentElement) {
        const b = el.getBoundingClientRect()
        const inside =
          r.left >= b.left - 0.5 &&
          r.right <= b.right + 0.5 &&
          r.top >= b.top - 0.5 &&
          r.bottom <= b.bottom + 0.5
        if (!inside) return `"${w}" at ${r.left}-${r.right}, box ${b.left}-${b.right} (${el.className})`
        if (el === outer) break
      }
      return 'inside'
    },
    [word, handle] as const,
  )
}

test('a topic of 80+ characters: its start and last level in the row, whole on hover and in the message pane', async ({
  page,
}) => {
  test.skip(!MOSQUITTO, MOSQUITTO_MISSING)
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1400, height: 860 })
  await page.goto(host.url)
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  await page.getByRole('button', { name: 'Details on the right' }).click()
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'MQTT' })
  await page.getByRole('textbox', { name: 'Subscriptions' }).fill('site/#@0')
  const url = page.getByRole('textbox', { name: 'URL' })
  await url.fill(broker?.url ?? '')
  // The engine still holds the first test's session: this one's row is the one more.
  const rows = timeline.locator('[role="row"][data-sid^="mq"]')
  const before = await rowsAfterRestore(page, rows)
  await url.press('Enter')
  await expect(rows).toHaveCount(before + 1)
  await rows.last().click()
  const details = page.getByRole('region', { name: 'Stream details' })
  await expect(details.getByRole('gridcell', { name: 'SUBACK', exact: true })).toBeVisible()

  const base = 'site/north-campus/building-7/line3/station-12/conveyor-belt-assembly/motor-controller'
  for (const last of ['temperature', 'rpm', 'vibration']) {
    await peer?.publishAsync(`${base}/${last}`, JSON.stringify({ [last]: 42 }), { qos: 1 })
  }
  const long = `${base}/vibration`
  expect(long.length).toBeGreaterThan(80)
  const cell = details.getByRole('gridcell', { name: long, exact: true })
  await expect(cell).toBeVisible()
  await expect(cell).toHaveAttribute('title', long)
  // Cut in the middle: the start and the whole last level are drawn inside the cell.
  expect(await drawnInside(cell, 'vibration', cell)).toBe('inside')
  expect(await drawnInside(cell, 'site', cell)).toBe('inside')

  // The message's pane shows a topic whole, every character inside the pane: one far wider than the pane wraps.
  const view = page.getByRole('region', { name: 'Message' })
  const name = view.locator('.message-view-head .kind')
  const huge = `${base}/${base}/${base}/accelerometer`
  await peer?.publishAsync(huge, '{"g":1}', { qos: 1 })
  await details.getByRole('gridcell', { name: huge, exact: true }).click()
  await expect(name).toHaveText(huge)
  expect(await drawnInside(name, 'accelerometer', view)).toBe('inside')
  await cell.click()
  await expect(name).toHaveText(long)
  expect(await drawnInside(name, 'site/north', view)).toBe('inside')
  expect(await drawnInside(name, 'vibration', view)).toBe('inside')

  await page.mouse.move(0, 0)
  await page.screenshot({ path: docsPicture('messaging-long-topic.png') })
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.screenshot({ path: docsPicture('messaging-long-topic-dark.png') })
  await page.emulateMedia({ colorScheme: 'light' })

  // At 1024 px with details below, the message log's toolbar (two searches, two selects, the count and
  // Pause / Jump) stays on one line: nothing starts below the search's bottom.
  await page.getByRole('button', { name: 'Details below' }).click()
  await page.setViewportSize({ width: 1024, height: 700 })
  const toolbar = details.locator('.stream-log-toolbar')
  await expect(toolbar.getByRole('searchbox', { name: 'Topic filter' })).toBeVisible()
  const wrapped = await toolbar.evaluate((el) => {
    const first = el.children[0]?.getBoundingClientRect()
    return [...el.children]
      .filter((c) => first && c.getBoundingClientRect().top >= first.bottom)
      .map((c) => c.getAttribute('aria-label') ?? c.textContent)
  })
  expect(wrapped).toEqual([])
  // The narrowed searches' placeholders, and the sidebar's folder box, are drawn whole at this width.
  for (const input of [
    toolbar.getByRole('searchbox', { name: 'Search messages' }),
    toolbar.getByRole('searchbox', { name: 'Topic filter' }),
    page.getByRole('textbox', { name: 'Collection folder' }),
  ]) {
    expect(
      await placeholderRoom(input),
      (await input.getAttribute('aria-label')) ?? '',
    ).toBeGreaterThanOrEqual(0)
  }
  expect(pageErrors).toEqual([])
})
