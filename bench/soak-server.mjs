// The soak bench's server, in its own process: GET /r answers a small JSON body; GET /ticks is an SSE stream
// that sends an event every 200 ms until the client goes away. Prints its port; exits when stdin closes.
import http from 'node:http'
import { serveForBench } from './serve-child.mjs'

const body = JSON.stringify({ ok: true, items: [1, 2, 3], note: 'flightdeck soak' })
const server = http.createServer((req, res) => {
  req.resume()
  if (req.url?.startsWith('/ticks')) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    let i = 0
    const timer = setInterval(() => res.write(`id: ${i}\ndata: {"tick":${i++}}\n\n`), 200)
    res.on('close', () => clearInterval(timer))
    return
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
})
serveForBench(server)
