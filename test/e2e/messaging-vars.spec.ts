import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { connectAsync, type MqttClient } from 'mqtt'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'
import { startBuiltWebHost } from './web-host'

/**
 * A saved MQTT or Socket.IO request opened from its collection with an environment chosen: what the Publish or
 * Emit box sends resolves `{{variables}}` there, as a WebSocket message does (another client sees what the broker
 * relayed; the server echoes what it received), and an unknown variable is said under the box while the session
 * stays open. Through the browser host in Chromium.
 */

let broker: MosquittoFixture | null = null
let peer: MqttClient | null = null
let io: SocketIoFixture | null = null
const relayed: { topic: string; payload: string }[] = []

test.beforeAll(async () => {
  io = await startSocketIoServer()
  if (!MOSQUITTO) return
  broker = await startMosquitto()
  peer = await connectAsync(broker.url, { protocolVersion: 5, clientId: 'e2e-peer', reconnectPeriod: 0 })
  peer.on('message', (topic, payload) => relayed.push({ topic, payload: payload.toString() }))
  await peer.subscribeAsync('#')
})

test.afterAll(async () => {
  await peer?.endAsync(true)
  await broker?.close()
  await io?.close()
})

test('an MQTT publish from a collection tab resolves its variables; an unknown one is said, the session goes on', async ({
  page,
}) => {
  test.skip(!MOSQUITTO, MOSQUITTO_MISSING)
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const dir = mkdtempSync(join(tmpdir(), 'fd-e2e-mqtt-vars-'))
  const configDir = mkdtempSync(join(tmpdir(), 'fd-e2e-mqtt-vars-config-'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: plant\nvariables:\n  room: lobby\n')
  mkdirSync(join(dir, 'environments'))
  writeFileSync(
    join(dir, 'environments', 'local.yaml'),
    `name: Local\nvariables:\n  broker: ${broker?.url ?? ''}\n  token: e2e-token\n`,
  )
  writeFileSync(
    join(dir, 'sensors.yaml'),
    'name: Sensors\nkind: mqtt\nurl: "{{broker}}"\nmqtt:\n  subscriptions: []\n  publishes: []\n',
  )
  const host = await startBuiltWebHost(15_000, {
    args: ['--collections', dir],
    env: { FLIGHTDECK_CONFIG_DIR: configDir },
  })
  try {
    await page.setViewportSize({ width: 1400, height: 860 })
    await page.goto(host.url)
    await page.getByRole('combobox', { name: 'Environment' }).selectOption({ label: 'Local' })
    const sidebar = page.getByRole('complementary', { name: 'Collections' })
    await sidebar.getByRole('treeitem', { name: 'Sensors' }).click()
    await expect(page.getByRole('combobox', { name: 'Session type' })).toHaveValue('mqtt')
    await page.getByRole('textbox', { name: 'URL' }).press('Enter')

    const row = page.getByRole('grid', { name: 'Timeline' }).locator('[role="row"][data-sid^="mq"]')
    await expect(row).toHaveCount(1)
    await row.click()
    const details = page.getByRole('region', { name: 'Stream details' })
    await expect(details).toHaveAttribute('data-state', 'open')
    await details.getByRole('tab', { name: 'Publish' }).click()
    await details.getByRole('textbox', { name: 'Topic' }).fill('{{room}}/kitchen')
    await details.getByRole('textbox', { name: 'Payload' }).fill('{"token":"{{token}}"}')
    await details.getByRole('button', { name: 'Publish' }).click()
    await expect
      .poll(() => relayed.find((m) => m.topic === 'lobby/kitchen')?.payload)
      .toBe('{"token":"e2e-token"}')

    // An unknown variable: said under the box, nothing relayed, and the next publish still goes out.
    await details.getByRole('textbox', { name: 'Payload' }).fill('{{nowhere}}')
    await details.getByRole('button', { name: 'Publish' }).click()
    await expect(details.getByRole('alert')).toContainText('Unknown variable {{nowhere}}')
    await details.getByRole('textbox', { name: 'Payload' }).fill('after {{token}}')
    await details.getByRole('button', { name: 'Publish' }).click()
    await expect
      .poll(() => relayed.filter((m) => m.topic === 'lobby/kitchen').map((m) => m.payload))
      .toEqual(['{"token":"e2e-token"}', 'after e2e-token'])
    expect(pageErrors).toEqual([])
  } finally {
    await host.stop()
    rmSync(dir, { recursive: true, force: true })
    rmSync(configDir, { recursive: true, force: true })
  }
})

test('a Socket.IO emit from a collection tab resolves its event and arguments', async ({ page }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const dir = mkdtempSync(join(tmpdir(), 'fd-e2e-io-vars-'))
  const configDir = mkdtempSync(join(tmpdir(), 'fd-e2e-io-vars-config-'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: chat\nvariables:\n  evt: echo\n')
  mkdirSync(join(dir, 'environments'))
  writeFileSync(
    join(dir, 'environments', 'local.yaml'),
    `name: Local\nvariables:\n  io: ${io?.url ?? ''}\n  token: e2e-token\n`,
  )
  writeFileSync(
    join(dir, 'room.yaml'),
    'name: Room\nkind: socketio\nurl: "{{io}}"\nsocketio:\n  listen: []\n  emits: []\n',
  )
  const host = await startBuiltWebHost(15_000, {
    args: ['--collections', dir],
    env: { FLIGHTDECK_CONFIG_DIR: configDir },
  })
  try {
    await page.setViewportSize({ width: 1400, height: 860 })
    await page.goto(host.url)
    await page.getByRole('combobox', { name: 'Environment' }).selectOption({ label: 'Local' })
    const sidebar = page.getByRole('complementary', { name: 'Collections' })
    await sidebar.getByRole('treeitem', { name: 'Room' }).click()
    await expect(page.getByRole('combobox', { name: 'Session type' })).toHaveValue('socketio')
    await page.getByRole('textbox', { name: 'URL' }).press('Enter')
    const row = page.getByRole('grid', { name: 'Timeline' }).locator('[role="row"][data-sid^="io"]')
    await expect(row).toHaveCount(1)
    await row.click()
    const details = page.getByRole('region', { name: 'Stream details' })
    await expect(details).toHaveAttribute('data-state', 'open')
    await details.getByRole('tab', { name: 'Emit' }).click()
    await details.getByRole('textbox', { name: 'Event' }).fill('{{evt}}')
    await details.getByRole('textbox', { name: 'Arguments (JSON)' }).fill('{"token": "{{token}}"}')
    await details.getByRole('button', { name: 'Emit' }).click()
    // The server echoes what it received on `echo`: the event and the argument arrived resolved.
    await expect(details.getByRole('gridcell', { name: 'echo', exact: true }).nth(1)).toBeVisible()
    await expect(details.getByText('[{"token":"e2e-token"}]').first()).toBeVisible()
    expect(pageErrors).toEqual([])
  } finally {
    await host.stop()
    rmSync(dir, { recursive: true, force: true })
    rmSync(configDir, { recursive: true, force: true })
  }
})
