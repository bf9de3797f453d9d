import { describe, expect, it } from 'vitest'
import { floodPeerEachCase } from './flood-peer-cases'
import { settle } from './stream-helpers'

/**
 * Long-polling answers are handed on a slice at a time (socketio-polling.ts). The upgrade to WebSocket pauses the
 * polling transport and then lets it go: the pause must wait for the answer being handed on, or the packets
 * still waiting would go to a transport nobody listens to. Here a server emits 50,000 numbered events as the
 * session connects, so the first answers are large while the upgrade is under way; every event must be logged,
 * in order, and the session upgraded.
 */

const EVENTS = 50_000

const PEER = `
const http = require('node:http')
const { Server } = require('socket.io')
const server = http.createServer()
const io = new Server(server)
io.on('connection', (socket) => {
  for (let i = 0; i < ${EVENTS}; i++) socket.emit('n', i)
  socket.on('done?', (ack) => ack('yes'))
  socket.on('bye', () => socket.disconnect(true))
})
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'))
`

const each = floodPeerEachCase()

describe('Socket.IO: polling answers paced while the upgrade to WebSocket happens', () => {
  it('logs every event in order and upgrades', async () => {
    const port = await each.peer(PEER, 'Socket.IO server')
    const service = each.service()
    const r = await service.invoke('socketio.open', {
      url: `http://127.0.0.1:${port}`,
      headers: [],
      query: [],
      listen: [],
      options: {},
    })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    const logs = service.streams.logs
    const entries = (): number => logs.get(sid)?.entries ?? 0
    // Bounded wait for the flood's events to be logged (each turn hands some on).
    const deadline = Date.now() + 60_000
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (entries() >= EVENTS) resolve()
        else if (Date.now() > deadline) reject(new Error(`only ${entries()} of ${EVENTS} entries`))
        else setImmediate(check)
      }
      check()
    })
    await service.invoke('socketio.emit', { sid, event: 'bye', args: [], ack: false })
    await settle(service, sid)
    const numbers: number[] = []
    let upgraded = false
    for (let from = 0; ; from += 2000) {
      const read = await service.invoke('stream.read', { sid, from, count: 2000 })
      if (!read.ok) throw new Error(read.error.message)
      for (const e of read.value.entries) {
        if (e.dir === 'in' && e.event === 'n') numbers.push((JSON.parse(e.data) as number[])[0] ?? -1)
        if (e.event === 'upgrade' && e.data === 'Upgraded from polling to websocket') upgraded = true
      }
      if (read.value.entries.length < 2000) break
    }
    expect(numbers.length).toBe(EVENTS)
    expect(numbers.every((n, i) => n === i)).toBe(true)
    expect(upgraded).toBe(true)
  }, 90_000)
})
