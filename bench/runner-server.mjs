// The runner bench's server: keep-alive JSON on 127.0.0.1, in its own process so it shares no event loop with
// the clients it measures. It counts what it serves, so the bench can check every tool really made every
// request: GET /__stats answers {requests, paths, methods} since the last GET /__reset (neither is counted).
// Prints its port on stdout, exits when stdin closes or on SIGTERM.
import http from 'node:http'
import { serveForBench } from './serve-child.mjs'

const body = JSON.stringify({ ok: true, items: [1, 2, 3], note: 'flightdeck runner bench' })
const MAX_PATHS = 100_000
let requests = 0
let paths = new Set()

const server = http.createServer((req, res) => {
  req.resume()
  const url = req.url ?? '/'
  if (url === '/__stats' || url === '/__reset') {
    const stats = JSON.stringify({ requests, paths: paths.size })
    if (url === '/__reset') {
      requests = 0
      paths = new Set()
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(stats) })
    res.end(stats)
    return
  }
  requests++
  if (paths.size < MAX_PATHS) paths.add(url)
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
})
serveForBench(server)
