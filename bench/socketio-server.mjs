// The Socket.IO bench server, in its own process so it does not share the client's event loop: on `go` (n,
// size) it emits `tick` n times with a payload of `size` characters as fast as the socket takes them, then
// `end`. Prints its port on stdout, exits when stdin closes or on SIGTERM.
import http from 'node:http'
import { Server } from 'socket.io'
import { serveForBench } from './serve-child.mjs'

const server = http.createServer()
const io = new Server(server, { transports: ['websocket'] })
io.on('connection', (socket) => {
  socket.on('go', (n, size) => {
    const payload = 'x'.repeat(size)
    for (let i = 0; i < n; i++) socket.emit('tick', payload)
    socket.emit('end')
  })
})
serveForBench(server)
