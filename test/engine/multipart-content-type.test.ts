import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { done, eventsOf, makeService, send, spec } from './helpers'
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
