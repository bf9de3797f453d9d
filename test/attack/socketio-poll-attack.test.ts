import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { POLL_LIMIT_BYTES } from '../../src/engine/socketio/socketio-polling'
import { makeService } from '../engine/helpers'

/**
 * A Socket.IO server (Engine.IO 4 over long-polling, written by hand) that answers one poll with one giant
 * event. socket.io-client's Node transport copied the whole answer so far on every chunk read: a 40 MB event
 * was still not delivered after 45 s, and nothing bounded an answer's size. Now a big answer is read in one
 * pass, and one past the limit ends the session in words.
 */

let server: Server | null = null
let service: EngineService | null = null
afterEach(async () => {
  await service?.dispose()
  server?.closeAllConnections()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = service = null
})

/** Answers the handshake, the namespace's CONNECT, then one poll with `42["big","xxx…"]` of `mb` MB. */
async function bigPollServer(mb: number): Promise<string> {
  let polls = 0
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (req.method === 'POST') {
      req.resume()
      req.on('end', () => res.end('ok'))
      return
    }
    if (!url.searchParams.get('sid')) {
      const open = { sid: 'abc', upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1e6 }
      res.end(`0${JSON.stringify(open)}`)
      return
    }
    polls++
    if (polls === 1) {
      res.end(`40${JSON.stringify({ sid: 'nsid' })}`)
      return
    }
    if (polls > 2) return // held open, as a long poll is
    res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8' })
    res.write('42["big","')
    const chunk = 'x'.repeat(1024 * 1024)
    let n = 0
    const pump = (): void => {
      while (n < mb) {
        n++
        if (!res.write(chunk)) {
          res.once('drain', pump)
          return
        }
      }
      res.end('"]')
    }
    pump()
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function open(url: string): Promise<string> {
  service = makeService()
  const r = await service.invoke('socketio.open', { url, headers: [], query: [], listen: [] })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sid
}

describe('Socket.IO long-polling: a giant answer', () => {
  it('a 40 MB event in one poll is delivered in one pass', async () => {
    const sid = await open(await bigPollServer(40))
    const started = Date.now()
    let size = 0
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the 40 MB event did not arrive within 20 s')), 20_000)
      service?.subscribe((b) => {
        for (const e of b.events) {
          if (e.sid !== sid || e.type !== 'sse-event' || e.dir !== 'in') continue
          size = e.size
          clearTimeout(timer)
          resolve()
        }
      })
    })
    console.log(`a 40 MB Socket.IO event over polling arrived after ${Date.now() - started} ms`)
    expect(size).toBeGreaterThan(40 * 1024 * 1024)
  }, 30_000)

  it('an answer past the limit ends the session saying so, before it is read whole', async () => {
    const url = await bigPollServer(POLL_LIMIT_BYTES / 1024 / 1024 + 20)
    const sid = await open(url)
    const ended = await Promise.race([
      (service as EngineService).streams.wait(sid),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000)),
    ])
    expect(ended?.final.type === 'error' && ended.final.message).toBe(
      `Disconnected: The server at ${new URL(url).host} sent a long-polling answer larger than 100 MB; Flightdeck closed the connection`,
    )
  }, 30_000)
})
