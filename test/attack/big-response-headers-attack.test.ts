import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService, spec } from '../engine/helpers'
import { runToEnd } from '../engine/import-formats-helpers'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'

/**
 * A response whose headers add up past Node's 16 KB parser default (a gateway's big Set-Cookie, a long CSP and
 * Link list: browsers read up to 256 KB, curl 100 KB) failed as "network: … failed: Headers Overflow Error".
 * Headers up to 256 KB are read; past that the failure says what and how much.
 */

function headers(bytes: number): string {
  const line = `X-Filler: ${'a'.repeat(90)}\r\n`
  return line.repeat(Math.ceil(bytes / line.length))
}

let server: RawServer
let service: EngineService
beforeAll(async () => {
  server = await startRawServer((socket, head) => {
    const path = pathOf(head)
    const size = path === '/huge' ? 300 * 1024 : 40 * 1024
    if (path === '/events')
      socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n${headers(size)}\r\ndata: one\n\n`)
    else socket.end(`HTTP/1.1 200 OK\r\n${headers(size)}Content-Length: 2\r\n\r\nok`)
  })
})
afterAll(async () => {
  await server.close()
})
beforeEach(() => {
  service = makeService({})
})
afterEach(async () => {
  await service.dispose()
})

/** The status that came, or the error's code and words. */
async function send(path: string): Promise<number | string> {
  const r = await service.invoke('request.send', {
    request: spec(`${server.url}${path}`),
    auth: { type: 'none' },
  })
  if (!r.ok) throw new Error(r.error.message)
  const { final } = await service.http.waitFor(r.value.sids[0] as string)
  if (final.type === 'error') return `${final.code}: ${final.message}`
  return final.type === 'done' ? final.status : final.type
}

describe('response headers past 16 KB', () => {
  it('an SSE stream whose handshake has 40 KB of headers opens and delivers its event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-big-headers-'))
    try {
      writeFileSync(join(dir, 'collection.yaml'), `flightdeck: 1\nname: H\n`)
      writeFileSync(
        join(dir, 'events.yaml'),
        `name: Events\nkind: sse\nmethod: GET\nurl: ${server.url}/events\nstop:\n  count: 1\n`,
      )
      const opened = await service.invoke('collection.open', { dir, create: false })
      if (!opened.ok) throw new Error(opened.error.message)
      const run = await runToEnd(service, dir, '')
      expect(run.finished?.stats).toMatchObject({ passed: 1, failed: 0 })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('40 KB of headers are read; 300 KB fail saying what and how much', async () => {
    expect(await send('/big')).toBe(200)
    expect(await send('/huge')).toBe(
      `protocol: The response headers from ${new URL(server.url).host} are larger than 256 KB, the most Flightdeck reads (as browsers do)`,
    )
  })
})
