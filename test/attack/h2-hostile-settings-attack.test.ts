import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { RequestSpec } from '../../src/shared/request'
import { makeTestPki, type TestPki } from '../fixtures/certs'
import { startGoawayServer, type GoawayServer } from '../fixtures/h2-goaway-server'
import { makeService, send, spec } from '../engine/helpers'

/**
 * An outsider's HTTP/2 server that says what no well-behaved one says for long: SETTINGS allowing no stream at
 * all. Requests to it share one connection and wait for a stream; none is ever written, so no timeout of theirs
 * runs. They must fail, saying why, not wait for ever.
 */

let pki: TestPki
let caFile: string
let service: EngineService
let server: GoawayServer | undefined

beforeAll(async () => {
  pki = await makeTestPki()
  caFile = join(tmpdir(), `flightdeck-h2-hostile-ca-${process.pid}.pem`)
  writeFileSync(caFile, pki.ca.cert)
  service = makeService()
})
afterEach(async () => {
  await server?.close()
  server = undefined
})
afterAll(async () => {
  await service.dispose()
})

function h2(port: number, path: string): RequestSpec {
  return spec(`https://localhost:${port}${path}`, {}, { caFile, http2: true })
}

describe('an HTTP/2 server allowing no streams (SETTINGS_MAX_CONCURRENT_STREAMS 0)', () => {
  // About 1 s a send: the grace a server gets to raise its limit (NO_STREAMS_GRACE_MS).
  it('fails the requests waiting on its connection, saying nothing was sent, and the next tries a new connection', async () => {
    server = await startGoawayServer(pki, { maxConcurrentStreams: 0 })
    const port = server.port
    const [a, b] = await Promise.all([send(service, h2(port, '/a')), send(service, h2(port, '/b'))])
    for (const r of [a, b]) {
      expect(r.final).toMatchObject({
        type: 'error',
        code: 'protocol',
        message: expect.stringMatching(/allows no HTTP\/2 streams .*MAX_CONCURRENT_STREAMS 0.*not sent/),
      })
    }
    const c = await send(service, h2(port, '/c'))
    expect(c.final).toMatchObject({ type: 'error', code: 'protocol' })
    expect(server.sessions).toBe(2)
    expect(server.processed.size).toBe(0)
  }, 20_000)
})
