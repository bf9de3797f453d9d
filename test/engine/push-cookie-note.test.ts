import { createSecureServer, type Http2SecureServer } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { QueuedEvent, ResponseHeadersEvent } from '../../src/shared/timeline'
import { makeTestPki } from '../fixtures/certs'
import { done, makeService, send, spec, writeTemp } from './helpers'

/**
 * A pushed response's Set-Cookie that the jar refuses is said on the pushed row, as on any response's
 * (`cookieJar` on its response-headers event): one too large, one for a domain that is not the host's. Against
 * node:http2 pushing from its own server.
 */

let server: Http2SecureServer
let url = ''
let caFile = ''
let service: EngineService

beforeAll(async () => {
  const pki = await makeTestPki()
  caFile = writeTemp('push-cookie-note-ca.pem', pki.ca.cert)
  server = createSecureServer({ cert: pki.localhost.cert, key: pki.localhost.key, allowHTTP1: false })
  server.on('stream', (stream) => {
    stream.on('error', () => undefined)
    if (!stream.pushAllowed) {
      stream.respond({ ':status': 200 })
      stream.end('no push')
      return
    }
    stream.pushStream({ ':path': '/theme.css' }, (err, pushed) => {
      if (!err) {
        pushed.on('error', () => undefined)
        pushed.respond({
          ':status': 200,
          'content-type': 'text/css',
          'set-cookie': [`huge=${'x'.repeat(5000)}; Path=/`, 'elsewhere=1; Domain=other.example', 'kept=yes'],
        })
        pushed.end('/* theme */')
      }
      stream.respond({ ':status': 200, 'content-type': 'text/plain' })
      stream.end('parent')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `https://localhost:${(server.address() as AddressInfo).port}`
  service = makeService()
})

afterAll(async () => {
  await service.dispose()
  await new Promise<void>((r) => server.close(() => r()))
})

describe('a pushed response whose cookies the jar refuses', () => {
  it('carries the jar’s note on its own response headers', async () => {
    const r = await send(service, spec(`${url}/page`, {}, { acceptPush: true, caFile }))
    const parent = done(r)
    expect(parent.pushes).toEqual({ accepted: 1, refused: 0 })
    const pushed = r.events.find(
      (e): e is QueuedEvent => e.type === 'queued' && e.initiator === parent.sid && !!e.promised,
    )
    const headers = r.events.find(
      (e): e is ResponseHeadersEvent => e.type === 'response-headers' && e.sid === pushed?.sid,
    )
    expect(headers?.cookieJar?.refused).toEqual([
      { name: 'huge', bytes: 5005, limit: 4096 },
      { name: 'elsewhere', reason: expect.stringMatching(/domain/i) as unknown },
    ])
    expect(headers?.cookieJar?.moreRefused).toBe(0)
  })
})
