import { connectAsync, type MqttClient } from 'mqtt'
import { expect, test } from '@playwright/test'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * An MQTT message log's rows are told apart by their topics' last levels (plant/line3/temp, plant/line3/rpm):
 * a topic longer than its column shows its end, cut at its start, and the whole topic on hover.
 */

let broker: MosquittoFixture | null = null
let peer: MqttClient | null = null
let host: RunningWebHost

test.beforeAll(async () => {
  if (MOSQUITTO) {
    broker = await startMosquitto()
    peer = await connectAsync(broker.url, {
      protocolVersion: 5,
      clientId: 'e2e-outsider',
      reconnectPeriod: 0,
    })
  }
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await peer?.endAsync(true)
  await broker?.close()
})

test("a long topic's last level is visible in its row", async ({ page }) => {
  test.skip(!MOSQUITTO, MOSQUITTO_MISSING)
  await page.setViewportSize({ width: 1400, height: 860 })
  await page.goto(host.url)
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  await page.getByRole('button', { name: 'Details on the right' }).click()
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'MQTT' })
  await page.getByRole('textbox', { name: 'Subscriptions' }).fill('plant/#@0')
  const url = page.getByRole('textbox', { name: 'URL' })
  await url.fill(broker?.url ?? '')
  await url.press('Enter')
  await timeline.locator('[role="row"][data-sid^="mq"]').click()
  const details = page.getByRole('region', { name: 'Stream details' })
  await expect(details.getByRole('gridcell', { name: 'SUBACK', exact: true })).toBeVisible()
  await peer?.publishAsync('plant/line3/vibration', '{"v":1}', { qos: 1 })
  const cell = details.getByRole('gridcell', { name: 'plant/line3/vibration', exact: true })
  await expect(cell).toBeVisible()
  // The word "vibration" is drawn inside the cell's box (not past its right edge, hidden).
  const inside = await cell.evaluate((el) => {
    // The text node holding the last level (the name may be laid out in pieces).
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
    let node: Node | null = null
    for (let t = walker.nextNode(); t; t = walker.nextNode())
      if (t.textContent?.includes('vibration')) node = t
    if (!node || !node.textContent) return 'no text'
    const at = node.textContent.lastIndexOf('vibration')
    const range = document.createRange()
    range.setStart(node, at)
    range.setEnd(node, node.textContent.length)
    const word = range.getBoundingClientRect()
    const box = el.getBoundingClientRect()
    return word.left >= box.left - 0.5 && word.right <= box.right + 0.5
      ? 'inside'
      : `word ${word.left}-${word.right}, cell ${box.left}-${box.right}`
  })
  expect(inside).toBe('inside')
  await expect(cell).toHaveAttribute('title', 'plant/line3/vibration')
})
