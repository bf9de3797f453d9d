import { appendFileSync } from 'node:fs'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { done, eventsOf, makeService, send, sleep, spec, writeTemp } from './helpers'

/**
 * A resend (after the server closed a reused connection, or a GOAWAY) builds the body again from the request: a
 * body file must read as it did the first time. The server here answers each connection's first request as soon as
 * its head arrives (reading its body after) and closes the connection unanswered when a second head arrives; for
 * /grow it first appends to the body file, as a log being written to would change between the two reads.
 *
 * Both timelines must show what went out: the first attempt is cut before undici has written its whole body, and the
 * second is answered before its body is all written (with a large body, always; with a small one, under load).
 */
interface CuttingServer {
  url: string
  port: number
  /** The paths of the requests closed unanswered on a reused connection, in order. */
  cut: string[]
  /** The paths of the requests whose body it does not read (/hold…), in order. */
  held: string[]
  close(): Promise<void>
}

async function startCuttingServer(onCut: (path: string) => void): Promise<CuttingServer> {
  const cut: string[] = []
  const held: string[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    let heads = 0
    let head = ''
    /** Body bytes still to come of the request being read. */
    let bodyLeft = 0
    socket.on('data', (chunk: Buffer) => {
      let data = chunk.toString('latin1')
      while (data.length > 0) {
        if (bodyLeft > 0) {
          const n = Math.min(bodyLeft, data.length)
          bodyLeft -= n
          data = data.slice(n)
          continue
        }
        head += data
        data = ''
        const end = head.indexOf('\r\n\r\n')
        if (end === -1) {
          if (head.length > 64 * 1024) socket.destroy()
          return
        }
        data = head.slice(end + 4)
        const text = head.slice(0, end)
        head = ''
        const path = text.split(' ')[1] ?? '/'
        if (path.startsWith('/hold')) {
          // Takes the head and reads no more: the body fills the connection's buffers and waits.
          socket.pause()
          held.push(path)
          return
        }
        if (++heads > 1) {
          onCut(path)
          cut.push(path)
          socket.destroy()
          return
        }
        bodyLeft = Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? 0)
        socket.write('HTTP/1.1 204 No Content\r\n\r\n')
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    cut,
    held,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

const RESENT_NOTE =
  /Sent a second time, on a new connection: the server closed the kept-alive connection it was sent on, before any response \(a PUT is safe to repeat\)$/

describe('a resent request whose body is a file', () => {
  let server: CuttingServer
  let service: EngineService
  const small = writeTemp('body.txt', 'v1')
  /** Past what undici writes in one turn: its write is cut, and its resend answered, before the body is all out. */
  const large = writeTemp('large.bin', Buffer.alloc(8 * 1024 * 1024, 'a'))
  const grows = writeTemp('grows.txt', 'v1')
  beforeAll(async () => {
    service = makeService()
    server = await startCuttingServer((path) => {
      if (path === '/grow') appendFileSync(grows, '+more')
    })
  })
  afterAll(async () => {
    await service.dispose()
    await server.close()
  })

  /** A PUT (or `method`) of `file` on the connection a GET warmed (the server closes it as the PUT arrives). */
  const putOnReused = async (
    path: string,
    file: string,
    method = 'PUT',
  ): Promise<Awaited<ReturnType<typeof send>>> => {
    done(await send(service, spec(`${server.url}/warm`)))
    return send(service, spec(`${server.url}${path}`, { method, body: { kind: 'file', path: file } }))
  }

  it.each([
    ['/same', small],
    ['/large', large],
  ])(
    'goes once more when the file is as it was (%s), and both attempts are on its timeline',
    async (path, file) => {
      const r = await putOnReused(path, file)
      expect(done(r).status).toBe(204)
      expect(server.cut.filter((p) => p === path)).toHaveLength(1)
      const sent = eventsOf(r, 'request-sent')
      expect(sent.map((s) => s.reused)).toEqual([true, false])
      expect(sent.map((s) => s.resent ?? false)).toEqual([false, true])
      expect(sent[1]?.note).toMatch(RESENT_NOTE)
    },
  )

  it('says, of each attempt answered or cut before its body was all written, how much of it went out', async () => {
    const r = await putOnReused('/large-again', large)
    expect(done(r).status).toBe(204)
    const sent = eventsOf(r, 'request-sent')
    expect(sent[0]?.note).toMatch(/^Cut off after [\d,]+ of its 8,388,608 body bytes were written$/)
    expect(sent[1]?.note).toMatch(
      /^Answered after [\d,]+ of its 8,388,608 body bytes were written; Sent a second time/,
    )
    for (const s of sent) {
      expect(s.bodyBytes).toBeLessThan(8 * 1024 * 1024)
      expect(s.note).toContain(`after ${s.bodyBytes.toLocaleString('en-US')} of its`)
    }
  })

  it('a POST cut while its body was going out is not sent again, and its timeline shows what was written', async () => {
    // The same engine as the next case, whose PUT must go on the connection its GET warmed (http-cut-reuse.test.ts).
    const r = await putOnReused('/order', large, 'POST')
    if (r.final.type !== 'error') throw new Error(`expected an error, got ${r.final.type}`)
    expect(r.final.message).toMatch(/the POST was not sent again: it is not idempotent/)
    expect(server.cut.filter((p) => p === '/order')).toHaveLength(1)
    const sent = eventsOf(r, 'request-sent')
    expect(sent.map((s) => s.reused)).toEqual([true])
    expect(sent[0]?.note).toMatch(/^Cut off after [\d,]+ of its 8,388,608 body bytes were written$/)
    expect(sent[0]?.bodyBytes).toBeLessThan(8 * 1024 * 1024)
  })

  it('is not sent again when the file changed after the first attempt read it, and the error says so', async () => {
    const r = await putOnReused('/grow', grows)
    if (r.final.type !== 'error') throw new Error(`expected an error, got ${r.final.type}`)
    expect(r.final.code).toBe('file')
    expect(r.final.message).toBe(
      `The PUT to 127.0.0.1:${server.port} was cut off before any response and was not sent again: its body file changed after the first attempt read it, so a second read would not send the same bytes`,
    )
    expect(server.cut.filter((p) => p === '/grow')).toHaveLength(1)
  })

  it('an upload cancelled while its body is going out shows what was written', async () => {
    const huge = writeTemp('huge.bin', Buffer.alloc(48 * 1024 * 1024, 'b'))
    // An engine of its own: the connection it cancels on is not one the other cases' pool counts on.
    const own = makeService()
    try {
      const r = await own.invoke('http.send', {
        request: spec(`${server.url}/hold`, { method: 'PUT', body: { kind: 'file', path: huge } }),
      })
      if (!r.ok) throw new Error(r.error.message)
      const sid = r.value.sids[0] as string
      // Bounded: the server has the head within 5 s; the body then stalls in the connection's buffers.
      for (let i = 0; i < 100 && server.held.length === 0; i++) await sleep(50)
      expect(server.held).toEqual(['/hold'])
      await sleep(200)
      await own.invoke('session.cancel', { sid })
      const result = await own.http.waitFor(sid)
      expect(result.final.type).toBe('cancelled')
      const sent = eventsOf(result, 'request-sent')
      expect(sent).toHaveLength(1)
      expect(sent[0]?.note).toMatch(/^Cancelled after [\d,]+ of its 50,331,648 body bytes were written$/)
      expect(sent[0]?.bodyBytes).toBeLessThan(48 * 1024 * 1024)
    } finally {
      await own.dispose()
    }
  })
})
