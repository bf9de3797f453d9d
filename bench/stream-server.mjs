// Streaming servers for the stream benches, run in their own process so they do not share the client's event
// loop. One port serves both:
//   GET /sse?n=N           N server-sent events in large writes, then the end of the response
//   ws  /flood?n=N&size=S  N text messages of S bytes as fast as the socket takes them, then close 1000
//   ws  /paced?n=N&size=S&burst=B&every=MS  the same in bursts of B every MS ms (a steady stream)
// Prints its port on stdout, exits when stdin closes or on SIGTERM.
import http from 'node:http'
import { serveForBench } from './serve-child.mjs'
import { WebSocketServer } from 'ws'

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x')
  if (url.pathname !== '/sse') {
    res.writeHead(404).end()
    return
  }
  const n = Number(url.searchParams.get('n') ?? 1000)
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  let i = 0
  const pump = () => {
    while (i < n) {
      let chunk = ''
      for (let k = 0; k < 500 && i < n; k++, i++)
        chunk += `id: ${i}\ndata: {"i":${i},"text":"hello flightdeck"}\n\n`
      if (!res.write(chunk)) {
        res.once('drain', pump)
        return
      }
    }
    res.end()
  }
  pump()
})

const wss = new WebSocketServer({ server, perMessageDeflate: false })
wss.on('connection', (ws, req) => {
  const url = new URL(req.url ?? '/', 'http://x')
  const n = Number(url.searchParams.get('n') ?? 1000)
  const msg = 'x'.repeat(Number(url.searchParams.get('size') ?? 64))
  if (url.pathname === '/flood') {
    let i = 0
    const pump = () => {
      while (i < n) {
        ws.send(msg)
        i++
        if (ws._socket.writableNeedDrain) {
          ws._socket.once('drain', pump)
          return
        }
      }
      ws.close(1000, 'done')
    }
    pump()
    return
  }
  if (url.pathname === '/paced') {
    const burst = Number(url.searchParams.get('burst') ?? 1000)
    const every = Number(url.searchParams.get('every') ?? 10)
    let i = 0
    const timer = setInterval(() => {
      for (let k = 0; k < burst && i < n; k++, i++) ws.send(msg)
      if (i >= n) {
        clearInterval(timer)
        ws.close(1000, 'done')
      }
    }, every)
    ws.on('close', () => clearInterval(timer))
    return
  }
  ws.close(1008, 'unknown path')
})

serveForBench(server)
