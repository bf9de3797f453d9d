// The loop-delay bench's server, in its own process so its work never counts against the engine's event loop:
// GET /big.json is a 100 MB JSON array of small objects (built once), GET /delay?ms=N answers after N ms.
import http from 'node:http'
import { serveForBench } from './serve-child.mjs'

const SIZE = Number(process.env.BENCH_LOOP_BODY_BYTES ?? 100 * 1024 * 1024)

function bigJson() {
  const parts = ['[']
  let bytes = 1
  for (let i = 0; bytes < SIZE - 200; i++) {
    const item = `${i === 0 ? '' : ','}{"id":${i},"name":"item ${i}","tags":["a","b"],"price":${(i % 1000) / 10},"ok":true}`
    parts.push(item)
    bytes += item.length
  }
  parts.push(']')
  return Buffer.from(parts.join(''))
}

const big = bigJson()
const server = http.createServer((req, res) => {
  req.resume()
  const url = new URL(req.url ?? '/', 'http://bench.invalid')
  if (url.pathname === '/big.json') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': big.length })
    res.end(big)
    return
  }
  const ms = Math.min(60_000, Number(url.searchParams.get('ms') ?? 0))
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 })
    res.end('ok')
  }, ms)
})
server.maxConnections = 5000
serveForBench(server)
