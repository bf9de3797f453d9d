// A raw HTTP/1.1 server for the informational-flood bench: every request gets 103 Early Hints (with a Link
// header) as fast as the connection takes them for FLOOD_MS, then a small 200. Writes wait for the socket to
// drain, so this process holds one batch of hints at most. Prints its port; exits on SIGTERM or stdin end.
import { createServer } from 'node:net'
import { serveForBench } from './serve-child.mjs'

const FLOOD_MS = Number(process.env.BENCH_FLOOD_MS ?? 20_000)
const HINT = 'HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload; as=style\r\n\r\n'
const BATCH = Buffer.from(HINT.repeat(256))
const FINAL = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nfinal'

const server = createServer((socket) => {
  socket.on('error', () => undefined)
  socket.once('data', () => {
    const until = Date.now() + FLOOD_MS
    let sent = 0
    const pump = () => {
      while (!socket.destroyed) {
        if (Date.now() >= until) {
          socket.write(FINAL.replace('\r\n\r\n', `\r\nx-hints-sent: ${sent}\r\n\r\n`))
          return
        }
        sent += 256
        if (!socket.write(BATCH)) {
          socket.once('drain', pump)
          return
        }
      }
    }
    pump()
  })
})
serveForBench(server)
