import { describe, it } from 'vitest'
import { SLICE_BYTES, TURN_MAX_BYTES } from '../../src/engine/socketio/socketio-paced-websocket'
import { floodThrough, sidOf } from './flood-fairness'

/**
 * A Socket.IO server that floods tiny events (`t`, one digit each) at a session over WebSocket. Each event is a
 * WebSocket message of its own, and `ws` emits every message of a socket read at once: a busy socket is read
 * several times a turn of the event loop, 64 KB (thousands of events) a read, and before the transport paced
 * them 137,548 events were handled in one turn and a request sent meanwhile waited 1.7 s. The events must all
 * be logged and the requests sent meanwhile go through. 100,000 events are ~340 paced turns, time for the 15
 * requests (unpaced, 30,889 were handled in one turn); 300,000 took 20 s at load 15.
 */

const EVENTS = 100_000

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

describe('Socket.IO: a flood of tiny events', () => {
  it('is read a bounded number of events per turn of the event loop; all are logged; requests go through', async () => {
    await floodThrough({
      label: 'Socket.IO flood',
      peer: PEER,
      open: async (engine, port) =>
        sidOf(
          await engine.invoke('socketio.open', {
            url: `http://127.0.0.1:${port}`,
            headers: [],
            query: [],
            listen: [],
            options: { transports: 'websocket' },
          }),
        ),
      total: EVENTS,
      underWayAt: 5_000,
      // TURN_MAX_BYTES and one slice more of messages of 11 bytes or more (`42["t",0]` and its frame's 2 bytes).
      mostInATurn: Math.ceil((TURN_MAX_BYTES + SLICE_BYTES) / 11),
      leastSends: 5,
      withinMs: 120_000,
    })
  }, 180_000)
})
