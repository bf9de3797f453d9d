import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClock } from '../../src/engine/clock'
import { HttpEngine } from '../../src/engine/http/http-engine'
import { spec } from './helpers'

// A lean request's result is read once, by the caller that waits for it as it sends (a run's plain step): once told,
// the engine forgets it instead of holding it through the next 256 requests. One that ends before anyone waits (an
// invalid URL ends inside `send`) is still held for that wait; an ordinary request is still found late.

let server: Server
let base = ''
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})

function sendOne(http: HttpEngine, url: string, lean: boolean): string {
  const sent = http.send(spec(url), 1, undefined, true, lean)
  if (!sent.ok) throw new Error(sent.error.message)
  return sent.value.sids[0] as string
}

describe('a lean request, once its result is taken', () => {
  it('is forgotten; one that ended before the wait is still told; a watched request is still found late', async () => {
    const http = new HttpEngine({ clock: createClock(), emit: () => {}, unwatched: true })
    try {
      const lean = sendOne(http, `${base}/lean`, true)
      const [first, second] = await Promise.all([http.waitFor(lean), http.waitFor(lean)])
      expect(first.final.type === 'done' && first.final.status).toBe(200)
      expect(second).toBe(first)
      await expect(http.waitFor(lean)).rejects.toThrow(`Unknown session ${lean}`)
      expect(http.cancel(lean)).toBe(false)

      // Ends inside `send`, before anyone waits: its result waits for its reader.
      const invalid = sendOne(http, 'http://', true)
      const ended = await http.waitFor(invalid)
      expect(ended.final.type === 'error' && ended.final.code).toBe('invalid_url')

      const kept = sendOne(http, `${base}/kept`, false)
      const once = await http.waitFor(kept)
      expect(await http.waitFor(kept)).toBe(once)
    } finally {
      await http.dispose()
    }
  })
})
