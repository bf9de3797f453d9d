import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { HeaderList } from '../../src/shared/timeline'
import { makeService, send, spec } from './helpers'

// Repeated header blocks (sent and received) are worked out once and shared; each response must still
// carry exactly its own headers, byte for byte.

let server: Server
let base = ''
let service: EngineService
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    const n = new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? '0'
    // Same length, different value; and one value that is not ASCII.
    res.setHeader('x-n', n)
    res.setHeader('x-name', 'caf\u00e9')
    res.end('ok')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})

const headersOf = async (url: string): Promise<{ sent: HeaderList; got: HeaderList }> => {
  const out = await send(service, spec(url))
  const sent = out.events.find((e) => e.type === 'request-sent')
  const got = out.events.find((e) => e.type === 'response-headers')
  if (sent?.type !== 'request-sent' || got?.type !== 'response-headers') throw new Error('missing events')
  return { sent: sent.headers, got: got.headers }
}
const value = (h: HeaderList, name: string): string | undefined => h.find(([k]) => k === name)?.[1]

describe('repeated header blocks', () => {
  it('each response and request keeps its own headers', async () => {
    const seen: string[] = []
    const names = new Set<string>()
    for (const n of ['1', '2', '2', '3', '1']) {
      const { sent, got } = await headersOf(`${base}/h?n=${n}`)
      seen.push(value(got, 'x-n') ?? '')
      names.add(value(got, 'x-name') ?? '')
      expect(value(sent, 'host')).toBe(base.slice('http://'.length))
    }
    expect(seen).toEqual(['1', '2', '2', '3', '1'])
    // Decoded the same every time.
    expect(names).toEqual(new Set(['caf\u00e9']))
    const a = await headersOf(`${base}/h?n=1`)
    const b = await headersOf(`${base}/h?n=22`)
    expect(value(a.sent, 'host')).toBe(value(b.sent, 'host'))
    expect(value(b.got, 'x-n')).toBe('22')
  })
})
