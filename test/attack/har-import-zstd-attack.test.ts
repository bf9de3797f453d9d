import { describe, expect, it } from 'vitest'
import { sendSaved, useImportTarget } from '../engine/import-formats-helpers'

/**
 * A HAR saved from Chrome (123+) records `accept-encoding: gzip, deflate, br, zstd`. Replayed as recorded, a
 * server that speaks zstd (Cloudflare does) answers in zstd, which the engine cannot decode on Node 20: the body
 * is bytes, and every JSON check on it says "the body is not JSON". The imported request offers only the codings
 * the engine decodes, and the report says so; what is sent is checked at a stub.
 */

const har = (base: string): string =>
  JSON.stringify({
    log: {
      version: '1.2',
      creator: { name: 'WebInspector', version: '537.36' },
      pages: [],
      entries: [
        {
          startedDateTime: '2024-05-01T10:00:00.000Z',
          time: 12,
          request: {
            method: 'GET',
            url: `${base}/api/items?page=2`,
            httpVersion: 'http/2.0',
            headers: [
              { name: ':authority', value: 'shop.example' },
              { name: ':method', value: 'GET' },
              { name: 'accept', value: 'application/json' },
              { name: 'accept-encoding', value: 'gzip, deflate, br, zstd' },
              { name: 'accept-language', value: 'en-GB,en;q=0.9' },
            ],
            queryString: [{ name: 'page', value: '2' }],
            cookies: [],
            headersSize: -1,
            bodySize: 0,
          },
          response: {
            status: 200,
            statusText: '',
            httpVersion: 'http/2.0',
            headers: [{ name: 'content-encoding', value: 'zstd' }],
            cookies: [],
            content: { size: 20, mimeType: 'application/json' },
            redirectURL: '',
            headersSize: -1,
            bodySize: -1,
          },
          cache: {},
          timings: { blocked: 1, dns: -1, ssl: -1, connect: -1, send: 0, wait: 10, receive: 1 },
        },
      ],
    },
  })

const target = useImportTarget('fd-har-zstd')

describe('a browser HAR offering zstd', () => {
  it('is replayed offering only codings Flightdeck decodes, and the report says so', async () => {
    const { stub, service, dir } = target
    const r = await service.invoke('import.run', { text: har(stub.url), format: 'auto', into: dir })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.unmapped).toContain(
      "Accept-Encoding: codings Flightdeck cannot decode (zstd, …) left out in 1 request, so servers answer in one it can (the browser's list as recorded offered them)",
    )
    const host = new URL(stub.url).host.replace(':', '-')
    const sent = await sendSaved(service, stub, dir, `${host}/get-api-items.yaml`)
    expect(sent.url).toBe('/api/items?page=2')
    expect(sent.headers['accept-encoding']).toBe('gzip, deflate, br')
    expect(sent.headers['accept-language']).toBe('en-GB,en;q=0.9')
  })
})
