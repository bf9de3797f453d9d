// A plain keep-alive HTTP server for the bench, run in its own process so it does not share the client's
// event loop. Prints its port on stdout, exits when stdin closes or on SIGTERM.
import http from 'node:http'
import { serveForBench } from './serve-child.mjs'

const body = JSON.stringify({ ok: true, items: [1, 2, 3], note: 'flightdeck bench' })
const server = http.createServer((req, res) => {
  req.resume()
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
})
serveForBench(server)
