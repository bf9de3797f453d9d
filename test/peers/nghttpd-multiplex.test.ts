import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { hasNghttpd, SITE, startNghttpd, type NghttpdServer } from '../fixtures/nghttpd'
import { bodyText, done, eventsOf, makeService, send, spec } from '../engine/helpers'

/**
 * Requests to an HTTP/2 server we did not write (Debian's nghttpd, package nghttp2-server) share one connection,
 * as a browser's do: the first request learns from ALPN that the origin speaks h2, the others wait for that and
 * go as streams beside it.
 */

let service: EngineService
let server: NghttpdServer | null = null

beforeAll(async () => {
  service = makeService()
  if (hasNghttpd()) server = await startNghttpd()
  else console.warn('nghttpd (/usr/sbin/nghttpd, package nghttp2-server) is missing: its tests are skipped')
})

afterAll(async () => {
  await service.dispose()
  await server?.stop()
})

describe.skipIf(!hasNghttpd())('requests to nghttpd share one HTTP/2 connection', () => {
  it('60 requests sent at once all succeed over one connection: one claims its TLS, the rest reuse it', async () => {
    const s = server!
    const paths = ['/style.css', '/app.js']
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        send(service, spec(`${s.url}${paths[i % 2]}?n=${i}`, {}, { caFile: s.caFile })),
      ),
    )
    for (const [i, r] of results.entries()) {
      expect(done(r).status).toBe(200)
      expect(await bodyText(service, done(r))).toBe(SITE[i % 2 === 0 ? 'style.css' : 'app.js'])
    }
    const sent = results.map((r) => eventsOf(r, 'request-sent')[0])
    expect(sent.every((e) => e?.protocol === 'h2')).toBe(true)
    expect(new Set(sent.map((e) => e?.connectionId)).size).toBe(1)
    expect(sent.filter((e) => e?.reused === false)).toHaveLength(1)
    expect(results.flatMap((r) => eventsOf(r, 'tls'))).toHaveLength(1)
  })
})
