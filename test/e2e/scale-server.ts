import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/**
 * A loopback server for the scale journey and the UI bench: `/item/<i>` answers with a status that depends on
 * i (so the final states are known in advance) after a short delay, and `/big.json?mb=N` streams a JSON
 * document of about N MB (an object with a `records` array), generated as it is sent.
 */

export interface ScaleServer {
  url: string
  /** Requests answered so far by path, for comparing with what the UI shows. */
  answered: Map<string, number>
  /** The most `/item` requests the server held at once. */
  peakInFlight(): number
  /** Date.now() when the server last finished an `/item` answer (0 before any). */
  lastAnsweredAt(): number
  close(): Promise<void>
}

/** The status `/item/<i>` answers with: mostly 200, every 10th a 404, every 25th a 500, every 40th a 201. */
export function statusFor(i: number): number {
  if (i % 25 === 0) return 500
  if (i % 10 === 0) return 404
  if (i % 40 === 1) return 201
  return 200
}

function record(i: number): string {
  return JSON.stringify({
    id: i,
    name: `user ${i}`,
    email: `user${i}@example.test`,
    active: i % 3 !== 0,
    score: Math.round(((i * 7919) % 10_000) / 7) / 10,
    tags: ['alpha', i % 2 ? 'beta' : 'gamma'],
    address: { city: `City ${i % 97}`, zip: String(10_000 + (i % 89_999)) },
  })
}

export async function startScaleServer(): Promise<ScaleServer> {
  const answered = new Map<string, number>()
  let inFlight = 0
  let peak = 0
  let lastAt = 0
  const sockets = new Set<Socket>()
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const item = /^\/item\/(\d+)$/.exec(url.pathname)
    if (item) {
      const i = Number(item[1])
      const status = statusFor(i)
      const asked = Number(url.searchParams.get('ms'))
      const delay = Number.isFinite(asked) && asked > 0 ? Math.min(asked, 60_000) : 5 + (i % 7) * 5
      inFlight++
      peak = Math.max(peak, inFlight)
      setTimeout(() => {
        inFlight--
        answered.set(url.pathname, status)
        const body = JSON.stringify({ i, status })
        res.writeHead(status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        })
        res.end(body)
        lastAt = Date.now()
      }, delay)
      return
    }
    if (url.pathname === '/big.json') {
      const mb = Math.min(512, Math.max(0.001, Number(url.searchParams.get('mb') ?? 1)))
      const target = mb * 1024 * 1024
      res.writeHead(200, { 'content-type': 'application/json' })
      let sent = 0
      let i = 0
      res.write('{"generated":"flightdeck scale server","records":[')
      const pump = (): void => {
        while (sent < target) {
          let chunk = ''
          for (let k = 0; k < 500 && sent + chunk.length < target; k++) chunk += (i++ ? ',' : '') + record(i)
          sent += chunk.length
          if (!res.write(chunk)) {
            res.once('drain', pump)
            return
          }
        }
        res.end(']}')
      }
      pump()
      return
    }
    res.writeHead(404, { 'content-type': 'text/plain' })
    res.end('not found')
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    answered,
    peakInFlight: () => peak,
    lastAnsweredAt: () => lastAt,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      }),
  }
}
