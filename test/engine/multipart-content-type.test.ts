import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { done, eventsOf, makeService, send, spec, writeTemp } from './helpers'
import { multipartFields, startStub, type Stub } from './import-formats-helpers'

/**
 * A person (or an Insomnia import of old) sets `Content-Type: multipart/form-data` by hand on a multipart
 * body: without the boundary the server cannot split the parts. The engine sends the body's own header with
 * its boundary and the request says so.
 */

let stub: Stub
let service: EngineService
beforeAll(async () => {
  stub = await startStub()
  service = makeService({ configDir: mkdtempSync(join(tmpdir(), 'fd-mp-')), persistWorkspace: false })
})
afterAll(async () => {
  await service.dispose()
  await stub.close()
})

const body = {
  kind: 'multipart' as const,
  parts: [
    { kind: 'text' as const, name: 'a', value: '1', enabled: true },
    { kind: 'text' as const, name: 'b', value: 'two', enabled: true },
  ],
}

describe('a hand-set multipart Content-Type without boundary', () => {
  it('goes out with the body’s boundary, the parts arrive, and the sent request carries a note', async () => {
    const r = await send(
      service,
      spec(`${stub.url}/upload`, {
        method: 'POST',
        headers: [{ name: 'Content-Type', value: 'multipart/form-data', enabled: true }],
        body,
      }),
    )
    done(r)
    const got = stub.arrived.at(-1)
    expect(String(got?.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/)
    expect(got && multipartFields(got)).toEqual({ a: '1', b: 'two' })
    const sent = eventsOf(r, 'request-sent')[0]
    expect(sent?.note).toMatch(
      /^Content-Type "multipart\/form-data" has no boundary: sent with the body's own/,
    )
  })

  it('one with a boundary of its own is left as the person wrote it, without a note', async () => {
    const r = await send(
      service,
      spec(`${stub.url}/upload`, {
        method: 'POST',
        headers: [{ name: 'Content-Type', value: 'multipart/form-data; boundary=mine', enabled: true }],
        body,
      }),
    )
    done(r)
    expect(stub.arrived.at(-1)?.headers['content-type']).toBe('multipart/form-data; boundary=mine')
    expect(eventsOf(r, 'request-sent')[0]?.note).toBeUndefined()
  })
})

describe('a part whose own Content-Type a part header cannot carry', () => {
  it('is refused before sending, naming the part, not sent as application/octet-stream', async () => {
    const file = writeTemp('receipt.csv', 'a,b\n')
    for (const [type, what] of [
      ['text/csv\r\nX-Injected: 1', 'a line break or NUL'],
      ['text/csv; name=café', 'a character outside printable ASCII'],
    ]) {
      const before = stub.arrived.length
      const r = await send(
        service,
        spec(`${stub.url}/upload`, {
          method: 'POST',
          body: {
            kind: 'multipart',
            parts: [
              { kind: 'text', name: 'note', value: 'march', enabled: true },
              { kind: 'file', name: 'receipt', path: file, contentType: type, enabled: true },
            ],
          },
        }),
      )
      expect(r.final).toMatchObject({ type: 'error', code: 'invalid_request' })
      expect(r.final.type === 'error' && r.final.message).toBe(
        `Part "receipt" has ${what} in its Content-Type ${JSON.stringify(type)}, which a part's header cannot carry: nothing was sent`,
      )
      expect(stub.arrived.length).toBe(before)
    }
  })
})
