import { describe, it } from 'vitest'
import { TURN_BYTES } from '../../src/engine/mqtt/mqtt-paced-stream'
import { floodThrough, sidOf, type FloodCase } from './flood-fairness'

/**
 * A broker that floods tiny QoS 0 publishes (7 bytes each, 500,000 of them) at an MQTT session, over TCP and
 * over WebSocket. MQTT.js handles each parsed packet on its own process.nextTick, and nextTick work runs before
 * the event loop moves on, so every socket read's packets (about 9,000 in 64 KB) ran in the turn that read them,
 * and Node reads a busy socket many times a turn: a plain request sent meanwhile waited hundreds of ms. MQTT.js
 * now reads the connection 16 KB a turn (mqtt-paced-stream.ts), over WebSocket too: every message is still
 * logged and the requests sent meanwhile go through. 500,000 is 209 paced turns, time for the 15 requests (the
 * unpaced read takes 18,432 in a turn over TCP, 37,448 over WebSocket); 2,000,000 took 30 s a case at load 15.
 */

const PUBLISHES = 500_000

/**
 * The flooding broker, in a child process as a real broker would be: it answers CONNECT (3.1.1) with CONNACK
 * and writes every publish at once.
 */
const PUBLISHES_JS = `
const publish = Buffer.from([0x30, 0x05, 0x00, 0x01, 0x74, 0x68, 0x69])
const all = Buffer.concat(Array(${PUBLISHES}).fill(publish))
`
const TCP_PEER = `
const net = require('node:net')
${PUBLISHES_JS}
const server = net.createServer((s) => {
  s.on('error', () => {})
  let answered = false
  s.on('data', (c) => {
    if (answered || c[0] !== 0x10) return
    answered = true
    s.write(Buffer.from([0x20, 0x02, 0x00, 0x00]))
    s.write(all)
  })
})
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'))
`

/** The same over WebSocket (subprotocol mqtt): binary messages of 9,362 publishes each, as fast as they go. */
const WS_PEER = `
const { WebSocketServer } = require('ws')
${PUBLISHES_JS}
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (ps) => ps.has('mqtt') && 'mqtt' })
wss.on('connection', (ws) => {
  let answered = false
  ws.on('message', (m) => {
    if (answered || m[0] !== 0x10) return
    answered = true
    ws.send(Buffer.from([0x20, 0x02, 0x00, 0x00]))
    for (let i = 0; i < all.length; i += 65534) ws.send(all.subarray(i, i + 65534))
  })
})
wss.on('listening', () => process.stdout.write(String(wss.address().port) + '\\n'))
`

/** The flood of publishes from `peer`, whose port `scheme` reaches. */
function mqttFlood(scheme: 'mqtt' | 'ws', peer: string): FloodCase {
  return {
    label: `MQTT flood (${scheme})`,
    peer,
    open: async (engine, port) =>
      sidOf(
        await engine.invoke('mqtt.open', {
          url: `${scheme}://127.0.0.1:${port}`,
          subscriptions: [],
          options: { protocolVersion: 4 },
        }),
      ),
    total: PUBLISHES,
    underWayAt: 10_000,
    // 16 KB a turn holds 2,341 of these publishes (one cut across its end); unpaced, a turn handled several
    // 64 KB socket reads (18,432 publishes over TCP) or WebSocket messages (299,584).
    mostInATurn: Math.ceil(TURN_BYTES / 7) + 1,
    leastSends: 5,
    withinMs: 120_000,
  }
}

describe('MQTT: a flood of tiny publishes', () => {
  it('over TCP is read a bounded number of messages per turn of the event loop; all are logged; requests go through', async () => {
    await floodThrough(mqttFlood('mqtt', TCP_PEER))
  }, 180_000)

  it('over WebSocket is read a bounded number of messages per turn; all are logged; requests go through', async () => {
    await floodThrough(mqttFlood('ws', WS_PEER))
  }, 180_000)
})
