import { describe, it } from 'vitest'
import { SLICE_BYTES, TURN_MAX_BYTES } from '../../src/engine/socketio/socketio-paced-websocket'
import { floodThrough, sidOf } from './flood-fairness'

/**
 * A Socket.IO server that floods tiny events (`t`, one digit each) at a session over long-polling only. A server
 * answers a poll with every packet it has waiting, and engine.io-client handed the whole answer on in one turn
 * of the event loop: every event of a poll handled while nothing else ran. The answer is now handed on a slice at
 * a time, bounded per turn as the WebSocket transport's messages are; the events must all be logged and
 * requests sent meanwhile go through.
 */

const EVENTS = 300_000

/** The flooding server, in a child process as a real one would be; it offers no upgrade to WebSocket. */
const PEER = `
const http = require('node:http')
const { Server } = require('socket.io')
const server = http.createServer()
const io = new Server(server, { transports: ['polling'] })
io.on('connection', (socket) => {
  for (let i = 0; i < ${EVENTS}; i++) socket.emit('t', i % 10)
})
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'))
`

describe('Socket.IO over long-polling: a flood of tiny events', () => {
  it('is handed on a bounded number of events per turn of the event loop; all are logged; requests go through', async () => {
    await floodThrough({
      label: 'Socket.IO polling flood',
      peer: PEER,
      open: async (engine, port) =>
        sidOf(
          await engine.invoke('socketio.open', {
            url: `http://127.0.0.1:${port}`,
            headers: [],
            query: [],
            listen: [],
            options: {},
          }),
        ),
      total: EVENTS,
      underWayAt: 5_000,
      // TURN_MAX_BYTES and one slice more of packets of 10 characters or more (`42["t",0]` and its separator).
      mostInATurn: Math.ceil((TURN_MAX_BYTES + SLICE_BYTES) / 10),
      leastSends: 5,
      withinMs: 60_000,
    })
  }, 90_000)
})
