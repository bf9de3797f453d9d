import { rmSync, writeFileSync } from 'node:fs'
import { createSecureServer, type Http2SecureServer } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeTestPki } from '../fixtures/certs'
import { done, makeService, send, spec } from '../engine/helpers'

/**
 * A request whose own headers are too many (200 fields; a Node server reads 128) or too big (210 KB; Node's
 * client sends a header block of at most 64 KB) over HTTP/2. The failure blamed the response's headers, or was
 * undici's `HTTP/2: "frameError" received - type 1, code 6`: it says it was our request's headers, with the
 * count and size.
 */

let service: EngineService
let server: Http2SecureServer
let port = 0
let caFile = ''

beforeAll(async () => {
  const pki = await makeTestPki()
  caFile = join(tmpdir(), `flightdeck-h2-request-headers-ca-${process.pid}.pem`)
  writeFileSync(caFile, pki.ca.cert)
  server = createSecureServer({ cert: pki.localhost.cert, key: pki.localhost.key, allowHTTP1: false })
  server.on('stream', (stream) => {
    stream.on('error', () => undefined)
    stream.respond({ ':status': 200 })
    stream.end('ok')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  port = (server.address() as AddressInfo).port
  service = makeService()
})

afterAll(async () => {
  await service.dispose()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(caFile, { force: true })
})

function fields(count: number, valueLength: number) {
  return Array.from({ length: count }, (_, i) => ({
    name: `x-field-${i}`,
    value: 'v'.repeat(valueLength),
    enabled: true,
  }))
}

const sendWith = (headers: ReturnType<typeof fields>) =>
  send(service, spec(`https://localhost:${port}/`, { headers }, { caFile, http2: true }))

async function failure(headers: ReturnType<typeof fields>): Promise<string> {
  const r = await sendWith(headers)
  if (r.final.type !== 'error') throw new Error(`expected an error, got ${r.final.type}`)
  return `${r.final.code}: ${r.final.message}`
}

describe("an HTTP/2 request's own headers past the limits", () => {
  it('100 request fields are sent', async () => {
    expect(done(await sendWith(fields(100, 10))).status).toBe(200)
  })

  it('200 request fields: the server refused our request headers, named with their count', async () => {
    const message = await failure(fields(200, 10))
    // The engine's own User-Agent, Accept and Accept-Encoding are counted with the user's 200.
    expect(message).toMatch(
      new RegExp(
        `^protocol: localhost:${port} refused this request's headers \\(20\\d fields, 4 KB\\) before answering`,
      ),
    )
    expect(message).toMatch(/more fields than it reads \(a Node server reads 128/)
    expect(message).not.toMatch(/response headers/)
  })

  it('210 KB of request headers: too large to send, named with their size', async () => {
    const message = await failure(fields(70, 3000))
    expect(message).toMatch(
      /^protocol: This request's headers \(7\d fields, 20\d KB\) were not sent: over HTTP\/2 they make a header block larger than Flightdeck sends \(64 KB/,
    )
    expect(message).not.toMatch(/frameError/)
  })

  it('200 request fields sent with Accept server push (its own HTTP/2 connection): the same words', async () => {
    const r = await send(
      service,
      spec(`https://localhost:${port}/`, { headers: fields(200, 10) }, { caFile, acceptPush: true }),
    )
    if (r.final.type !== 'error') throw new Error(`expected an error, got ${r.final.type}`)
    expect(r.final.message).toMatch(
      new RegExp(
        `^localhost:${port} refused this request's headers \\(20\\d fields, 4 KB\\) before answering`,
      ),
    )
    expect(r.final.message).not.toMatch(/response headers/)
  })
})
