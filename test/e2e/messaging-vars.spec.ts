import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Locator, type Page } from '@playwright/test'
import { connectAsync, type MqttClient } from 'mqtt'
import { MOSQUITTO, MOSQUITTO_MISSING, startMosquitto, type MosquittoFixture } from '../fixtures/mosquitto'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'
import { expect, test } from './file-page'
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

/**
 * A collection `collection` of one saved session request (`file`, named `name`, of `kind`) with `collectionVars` and a Local
 * environment of `envVars`, served by a built web host; the page opens it with Local chosen, starts it, and hands
 * the session's details (`sidPrefix` names its timeline row) to `use`. Everything is removed after.
 */
async function withSavedSession(
  page: Page,
  o: {
    kind: 'mqtt' | 'socketio'
    collection: string
    name: string
    file: string
    collectionVars: string
    envVars: string
    sidPrefix: string
  },
  use: (details: Locator, pageErrors: string[]) => Promise<void>,
): Promise<void> {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const dir = mkdtempSync(join(tmpdir(), `fd-e2e-${o.kind}-vars-`))
  const configDir = mkdtempSync(join(tmpdir(), `fd-e2e-${o.kind}-vars-config-`))
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: ${o.collection}\nvariables:\n${o.collectionVars}`,
  )
  mkdirSync(join(dir, 'environments'))
  writeFileSync(join(dir, 'environments', 'local.yaml'), `name: Local\nvariables:\n${o.envVars}`)
  writeFileSync(join(dir, `${o.name.toLowerCase()}.yaml`), o.file)
  const host = await startBuiltWebHost(15_000, {
    args: ['--collections', dir],
    env: { FLIGHTDECK_CONFIG_DIR: configDir },
  })
  try {
    await page.setViewportSize({ width: 1400, height: 860 })
    await page.goto(host.url)
    await page.getByRole('combobox', { name: 'Environment' }).selectOption({ label: 'Local' })
    const sidebar = page.getByRole('complementary', { name: 'Collections' })
    await sidebar.getByRole('treeitem', { name: o.name }).click()
    await expect(page.getByRole('combobox', { name: 'Session type' })).toHaveValue(o.kind)
    await page.getByRole('textbox', { name: 'URL' }).press('Enter')
    const row = page
      .getByRole('grid', { name: 'Timeline' })
      .locator(`[role="row"][data-sid^="${o.sidPrefix}"]`)
    await expect(row).toHaveCount(1)
    await row.click()
    const details = page.getByRole('region', { name: 'Stream details' })
    await expect(details).toHaveAttribute('data-state', 'open')
    await use(details, pageErrors)
  } finally {
    await host.stop()
    rmSync(dir, { recursive: true, force: true })
    rmSync(configDir, { recursive: true, force: true })
  }
}

test('an MQTT publish from a collection tab resolves its variables; an unknown one is said, the session goes on', async ({
  page,
}) => {
  test.skip(!MOSQUITTO, MOSQUITTO_MISSING)
  const sensors = {
    kind: 'mqtt',
    collection: 'plant',
    name: 'Sensors',
    collectionVars: '  room: lobby\n',
    envVars: `  broker: ${broker?.url ?? ''}\n  token: e2e-token\n`,
    file: 'name: Sensors\nkind: mqtt\nurl: "{{broker}}"\nmqtt:\n  subscriptions: []\n  publishes: []\n',
    sidPrefix: 'mq',
  } as const
  await withSavedSession(page, sensors, async (details, pageErrors) => {
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
  })
})

test('a Socket.IO emit from a collection tab resolves its event and arguments', async ({ page }) => {
  const room = {
    kind: 'socketio',
    collection: 'chat',
    name: 'Room',
    collectionVars: '  evt: echo\n',
    envVars: `  io: ${io?.url ?? ''}\n  token: e2e-token\n`,
    file: 'name: Room\nkind: socketio\nurl: "{{io}}"\nsocketio:\n  listen: []\n  emits: []\n',
    sidPrefix: 'io',
  } as const
  await withSavedSession(page, room, async (details, pageErrors) => {
    await details.getByRole('tab', { name: 'Emit' }).click()
    await details.getByRole('textbox', { name: 'Event' }).fill('{{evt}}')
    await details.getByRole('textbox', { name: 'Arguments (JSON)' }).fill('{"token": "{{token}}"}')
    await details.getByRole('button', { name: 'Emit' }).click()
    // The server echoes what it received on `echo`: the event and the argument arrived resolved.
    await expect(details.getByRole('gridcell', { name: 'echo', exact: true }).nth(1)).toBeVisible()
    await expect(details.getByText('[{"token":"e2e-token"}]').first()).toBeVisible()
    expect(pageErrors).toEqual([])
  })
})

test('the Emit box reads its arguments as JSON once their variables resolved, as a run does', async ({
  page,
}) => {
  const room = {
    kind: 'socketio',
    collection: 'chat',
    name: 'Room',
    collectionVars: '  n: 7\n',
    envVars: `  io: ${io?.url ?? ''}\n  token: e2e-token\n`,
    file: 'name: Room\nkind: socketio\nurl: "{{io}}"\nsocketio:\n  listen: []\n  emits: []\n',
    sidPrefix: 'io',
  } as const
  await withSavedSession(page, room, async (details, pageErrors) => {
    await details.getByRole('tab', { name: 'Emit' }).click()
    await details.getByRole('textbox', { name: 'Event' }).fill('echo')
    const args = details.getByRole('textbox', { name: 'Arguments (JSON)' })
    // Not JSON as typed: the number stands bare.
    await args.fill('[{{n}}, "{{token}}"]')
    await details.getByRole('button', { name: 'Emit' }).click()
    await expect(details.getByText('[7,"e2e-token"]').first()).toBeVisible()
    await expect(details.getByRole('alert')).toHaveCount(0)

    // A variable with no value is named under the box; the session stays open.
    await args.fill('[{{missing}}]')
    await details.getByRole('button', { name: 'Emit' }).click()
    await expect(details.getByRole('alert')).toContainText('Unknown variable {{missing}}')
    await expect(details).toHaveAttribute('data-state', 'open')
    expect(pageErrors).toEqual([])
  })
})
