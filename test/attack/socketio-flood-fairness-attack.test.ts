import type { ChildProcess } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService, send, spec } from '../engine/helpers'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { SLICE_BYTES, TURN_MAX_BYTES } from '../../src/engine/socketio/socketio-paced-websocket'
import { countPerTurn, startFloodPeer } from './flood-peer'

/**
 * A Socket.IO server that floods tiny events (`t`, one digit each) at a session over WebSocket. Each event is a
 * WebSocket message of its own, and `ws` emits every message of a socket read at once: a busy socket is read
 * several times a turn of the event loop, 64 KB (thousands of events) a read, and before the transport paced
 * them 137,548 events were handled in one turn and a request sent meanwhile waited 1.7 s. The events must all
 * be logged and the requests sent meanwhile go through (their median is printed, not asserted: a shared
 * machine's timing is not a test's to judge).
 */

const EVENTS = 300_000
/**
 * The most events one turn can be handed: TURN_MAX_BYTES and one slice more of messages of 11 bytes or more
 * (`42["t",0]` and its frame's 2 bytes).
 */
const MOST_IN_A_TURN = Math.ceil((TURN_MAX_BYTES + SLICE_BYTES) / 11)
const SENDS = 15

let service: EngineService | null = null
let peer: ChildProcess | null = null
let http: Fixture | null = null
afterEach(async () => {
  await service?.dispose()
  peer?.kill()
  await http?.close()
  service = peer = http = null
})

/** The flooding server, in a child process as a real one would be: it emits every event as the socket opens. */
const PEER = `
const http = require('node:http')
const { Server } = require('socket.io')
const server = http.createServer()
const io = new Server(server, { transports: ['websocket'] })
io.on('connection', (socket) => {
  for (let i = 0; i < ${EVENTS}; i++) socket.emit('t', i % 10)
})
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'))
`

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? NaN
}

describe('Socket.IO: a flood of tiny events', () => {
  it('is read a bounded number of events per turn of the event loop; all are logged; requests go through', async () => {
    const started = await startFloodPeer(PEER, 'Socket.IO server')
    peer = started.child
    http = await startHttpServer()
    service = makeService()
    const engine = service
    const url = `${http.url}/json`
    const quiet: number[] = []
    for (let i = 0; i < 5; i++) {
      const t = performance.now()
      await send(engine, spec(url))
      quiet.push(performance.now() - t)
    }
    const r = await engine.invoke('socketio.open', {
      url: `http://127.0.0.1:${started.port}`,
      headers: [],
      query: [],
      listen: [],
      options: { transports: 'websocket' },
    })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    const entries = (): number => engine.streams.logs.get(sid)?.entries ?? 0
    const deadline = Date.now() + 60_000
    while (entries() < 5_000) {
      if (Date.now() > deadline) throw new Error(`the flood never started: ${entries()} events`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const counted = countPerTurn(entries, EVENTS, deadline)
    const during: number[] = []
    for (let i = 0; i < SENDS && entries() < EVENTS * 0.9; i++) {
      const t = performance.now()
      const x = await send(engine, spec(url))
      during.push(performance.now() - t)
      expect(x.final.type).toBe('done')
    }
    const { most, turns } = await counted
    console.log(
      `Socket.IO flood: ${EVENTS} events in ${turns} turns, at most ${most} in one; a request's median ` +
        `${median(quiet).toFixed(1)} ms quiet, ${median(during).toFixed(1)} ms during the flood ` +
        `(${during.length} sends: ${during.map((d) => d.toFixed(0)).join(', ')})`,
    )
    expect(during.length).toBeGreaterThanOrEqual(5)
    const last = await engine.invoke('stream.read', { sid, from: EVENTS - 1, count: 1 })
    expect(last.ok && last.value.total).toBe(EVENTS)
    expect(most).toBeLessThanOrEqual(MOST_IN_A_TURN)
  }, 90_000)
})
