import { appendFileSync } from 'node:fs'
import type { Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'
import { done, makeService, send, spec, writeTemp } from './helpers'

/**
 * A resend (after the server closed a reused connection, or a GOAWAY) builds the body again from the request: a
 * body file must read as it did the first time. The server here answers each connection's first request and
 * closes it unanswered when the second arrives; for /grow it first appends to the body file, as a log being
 * written to would change between the two reads.
 */
describe('a resent request whose body is a file', () => {
  let raw: RawServer
  let service: EngineService
  const answered = new WeakSet<Socket>()
  /** The paths of the requests closed unanswered on a reused connection, in order. */
  const cut: string[] = []
  const file = writeTemp('body.txt', 'v1')
  beforeAll(async () => {
    service = makeService()
    raw = await startRawServer((socket, head) => {
      if (answered.has(socket)) {
        if (pathOf(head) === '/grow') appendFileSync(file, '+more')
        cut.push(pathOf(head))
        socket.destroy()
        return
      }
      answered.add(socket)
      socket.write('HTTP/1.1 204 No Content\r\n\r\n')
    })
  })
  afterAll(async () => {
    await service.dispose()
    await raw.close()
  })

  /**
   * A PUT on the connection a GET warmed. Under load the pool may put it on a new connection instead (or the warm GET lands
   * on one left from before, is cut and goes once more): the server answers that one, and the PUT is tried again, three times at most.
   */
  const putOnReused = async (path: string): Promise<Awaited<ReturnType<typeof send>>> => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const cutBefore = cut.filter((p) => p === path).length
      done(await send(service, spec(`${raw.url}/warm`)))
      const r = await send(
        service,
        spec(`${raw.url}${path}`, { method: 'PUT', body: { kind: 'file', path: file } }),
      )
      if (cut.filter((p) => p === path).length > cutBefore) return r
    }
    throw new Error(`no PUT to ${path} went on a reused connection in 3 tries`)
  }

  it('goes once more when the file is as it was', async () => {
    const r = await putOnReused('/same')
    expect(done(r).status).toBe(204)
    expect(cut.filter((p) => p === '/same')).toHaveLength(1)
  })

  it('is not sent again when the file changed after the first attempt read it, and the error says so', async () => {
    const r = await putOnReused('/grow')
    if (r.final.type !== 'error') throw new Error(`expected an error, got ${r.final.type}`)
    expect(r.final.code).toBe('file')
    expect(r.final.message).toBe(
      `The PUT to 127.0.0.1:${raw.port} was cut off before any response and was not sent again: its body file changed after the first attempt read it, so a second read would not send the same bytes`,
    )
    expect(cut.filter((p) => p === '/grow')).toHaveLength(1)
  })
})
