import { fileURLToPath } from 'node:url'
import { connectAsync, type MqttClient } from 'mqtt'
import { expect, test } from '@playwright/test'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * The message log's topic filter on an MQTT session, through the browser host in Chromium: 5,000 messages on
 * twenty topics, a wildcard filter that the engine matches over the whole log ("N matches of M"), a filter that
 * is not one refused in words; screenshots light and dark for docs/messaging.md.
 */

const shot = (name: string): string => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url))
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
  // The timeline row's hover card would cover the lane.
  await topic.hover()
  await page.screenshot({ path: shot('messaging-topic-filter.png') })
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.screenshot({ path: shot('messaging-topic-filter-dark.png') })
  await page.emulateMedia({ colorScheme: 'light' })
  expect(pageErrors).toEqual([])
})
