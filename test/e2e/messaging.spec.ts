import { expect, test, type Page } from '@playwright/test'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { docsPicture } from './docs-pictures'

/**
 * An MQTT subscription and a Socket.IO session beside an HTTP request on one timeline, through the browser host
 * in Chromium: a publish arrives on the subscription with its QoS handshake, an emit's ack comes back paired
 * with it, the server's ack request is answered from the Acks tab, saved emits are renamed and reordered in the
 * Saved tab; the composer offers only the tabs that apply. Screenshots light and dark for docs/messaging.md.
 */

let http: Fixture
let io: SocketIoFixture
let broker: MosquittoFixture | null = null
let host: RunningWebHost

test.beforeAll(async () => {
  http = await startHttpServer()
  io = await startSocketIoServer()
  if (MOSQUITTO) broker = await startMosquitto()
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
  await broker?.close()
  await io?.close()
  await http?.close()
})

async function open(page: Page, mode: string, url: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: mode })
  const field = page.getByRole('textbox', { name: 'URL' })
  await field.fill(url)
  await field.press('Enter')
}

test('an MQTT subscription and a Socket.IO session beside an HTTP request', async ({ page }) => {
  test.skip(!MOSQUITTO, MOSQUITTO_MISSING)
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.setViewportSize({ width: 1400, height: 860 })
  await page.goto(host.url)
  const timeline = page.getByRole('grid', { name: 'Timeline' })
  const rows = timeline.getByRole('row')
  await page.getByRole('button', { name: 'Details on the right' }).click()

  await open(page, 'HTTP', `${http.url}/delay?ms=300`)
  const parts = page.getByRole('tablist', { name: 'Request parts' }).getByRole('tab')
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'MQTT' })
  // Only the tabs that mean something for MQTT, opening on its Connection.
  await expect(parts).toHaveText(['Connection', 'Auth', 'Tests', 'Saved'])
  await expect(parts.first()).toHaveAttribute('aria-selected', 'true')
  await page.getByRole('textbox', { name: 'Subscriptions' }).fill('sensors/#@1')
  await open(page, 'MQTT', broker?.url ?? '')
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'Socket.IO' })
  await expect(parts).toHaveText(['Connection', 'Params', 'Headers', 'Auth', 'Acks', 'Tests', 'Saved'])
  await page.getByRole('textbox', { name: 'Events to listen to' }).fill('welcome, echo, question, answered')
  // The server's ack request for `question` is answered from the Acks tab.
  await parts.filter({ hasText: 'Acks' }).click()
  await page.getByRole('button', { name: '+ Add an answer' }).click()
  await page.getByRole('textbox', { name: 'Ack answer 1 event' }).fill('question')
  await page.getByRole('textbox', { name: 'Ack answer 1 arguments' }).fill('{"seen": true}')
  await expect(parts.filter({ hasText: 'Acks' })).toContainText('1')
  await parts.filter({ hasText: 'Connection' }).click()
  await open(page, 'Socket.IO', io.url)
  await expect(rows).toHaveCount(3)

  // MQTT: publish with QoS 1 on the subscribed topic; it comes back, and PUBACK is paired with the publish.
  const mqttRow = timeline.locator('[role="row"][data-sid^="mq"]')
  await mqttRow.click()
  const details = page.getByRole('region', { name: 'Stream details' })
  await expect(details).toHaveAttribute('data-state', 'open')
  await details.getByRole('tab', { name: 'Publish' }).click()
  await details.getByRole('textbox', { name: 'Topic' }).fill('sensors/kitchen')
  await details.getByRole('combobox', { name: 'QoS' }).selectOption({ label: 'QoS 1' })
  await details.getByRole('textbox', { name: 'Payload' }).fill('{"celsius": 21.5}')
  await details.getByRole('button', { name: 'Publish' }).click()
  await expect(details.getByText(/PUBACK #\d+ for sensors\/kitchen: Success \(0\)/)).toBeVisible()
  await expect(details.getByText('{"celsius": 21.5}').first()).toBeVisible()
  // Messages are named by their topic in the log (the type column), control packets by theirs.
  await expect(details.getByRole('gridcell', { name: 'sensors/kitchen', exact: true }).first()).toBeVisible()
  await expect(details.getByRole('gridcell', { name: 'SUBACK', exact: true })).toBeVisible()

  // Socket.IO: emit with an ack; the answer appears.
  const ioRow = timeline.locator('[role="row"][data-sid^="io"]')
  await ioRow.click()
  await expect(details).toHaveAttribute('data-state', 'open')
  await details.getByRole('tab', { name: 'Emit' }).click()
  await details.getByRole('textbox', { name: 'Event' }).fill('ack-me')
  await details.getByRole('textbox', { name: 'Arguments (JSON)' }).fill('{"order": 42}')
  await details.getByRole('checkbox', { name: 'Ask for an ack' }).check()
  await details.getByRole('button', { name: 'Emit' }).click()
  await expect(details.getByText('[{"got":[{"order":42}]}]').first()).toBeVisible()
  await expect(details.getByText(/"token":null/).first()).toBeVisible()
  // The server asks for an ack: the answer set in the Acks tab goes back (the server echoes it as `answered`).
  await details.getByRole('textbox', { name: 'Event' }).fill('ask')
  await details.getByRole('textbox', { name: 'Arguments (JSON)' }).fill('"ready?"')
  await details.getByRole('checkbox', { name: 'Ask for an ack' }).uncheck()
  await details.getByRole('button', { name: 'Emit' }).click()
  await expect(details.getByRole('gridcell', { name: 'answered', exact: true })).toBeVisible()
  await expect(details.getByText('[{"seen":true}]').first()).toBeVisible()

  // Saved emits: the box added under a name, then renamed and reordered in the composer's Saved tab.
  await details.getByRole('textbox', { name: 'Name to save the emit under' }).fill('ask ready')
  await details.getByRole('button', { name: 'Add to saved' }).click()
  await details.getByRole('textbox', { name: 'Event' }).fill('echo')
  await details.getByRole('textbox', { name: 'Arguments (JSON)' }).fill('["hi"]')
  await details.getByRole('textbox', { name: 'Name to save the emit under' }).fill('echo hi')
  await details.getByRole('button', { name: 'Add to saved' }).click()
  await parts.filter({ hasText: 'Saved' }).click()
  await expect(parts.filter({ hasText: 'Saved' })).toContainText('2')
  // Each column is labelled, for the eye and for a screen reader.
  await expect(page.getByRole('table', { name: 'Saved emits' }).getByRole('columnheader')).toHaveText([
    'Name',
    'Event',
    'Ack',
    'Arguments',
    'Order',
    'Remove',
  ])
  await page.getByRole('textbox', { name: 'Saved emit 1 name' }).fill('ask if ready')
  await page.getByRole('button', { name: 'Move saved emit 2 up' }).click()
  await expect(page.getByRole('textbox', { name: 'Saved emit 1 name' })).toHaveValue('echo hi')
  await expect(page.getByRole('textbox', { name: 'Saved emit 2 name' })).toHaveValue('ask if ready')
  await page.getByRole('textbox', { name: 'Saved emit 2 event' }).fill('')
  await expect(page.getByRole('alert').filter({ hasText: 'A saved emit needs its event' })).toBeVisible()
  await page.getByRole('textbox', { name: 'Saved emit 2 event' }).fill('ask')
  await expect(details.getByRole('combobox', { name: 'Saved emits' })).toContainText('ask if ready')
  const composer = page.getByRole('region', { name: 'Request' })
  await composer.screenshot({ path: docsPicture('messaging-saved.png') })
  await page.emulateMedia({ colorScheme: 'dark' })
  await composer.screenshot({ path: docsPicture('messaging-saved-dark.png') })
  await page.emulateMedia({ colorScheme: 'light' })
  await parts.filter({ hasText: 'Connection' }).click()

  await mqttRow.click()
  await details.getByRole('tab', { name: 'Messages' }).click()
  await page.screenshot({ path: docsPicture('messaging.png') })
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.screenshot({ path: docsPicture('messaging-dark.png') })
  await page.emulateMedia({ colorScheme: 'light' })
  expect(pageErrors).toEqual([])
})
