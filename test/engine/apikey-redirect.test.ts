import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthSpec } from '../../src/shared/collection'
import type { RequestSpec } from '../../src/shared/request'
import type { EngineService } from '../../src/engine/service'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { makeService } from './helpers'

/**
 * An API-key auth's header is a credential like Authorization: a redirect to another origin goes without it, a
 * redirect on the same origin keeps it. A header typed by hand that is not a standard credential follows, as
 * curl and fetch send it.
 */

let here: Fixture
let other: Fixture
let service: EngineService

beforeAll(async () => {
  here = await startHttpServer()
  // Another port on the same address is another origin.
  other = await startHttpServer()
  service = makeService({ watchCollections: false })
})
afterAll(async () => {
  await service.dispose()
  await here.close()
  await other.close()
})

const apiKey: AuthSpec = { type: 'apikey', key: 'X-Api-Key', value: 'k-secret', in: 'header' }

async function sendWithAuth(url: string, headers: RequestSpec['headers'] = []): Promise<number> {
  const request: RequestSpec = { method: 'GET', url, headers, body: { kind: 'none' }, options: {} }
  const r = await service.invoke('request.send', { request, auth: apiKey })
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  const result = await service.http.waitFor(r.value.sids[r.value.sids.length - 1] as string)
  if (result.final.type !== 'done') throw new Error(`request ended with ${result.final.type}`)
  return result.final.status
}

describe('an API-key auth header and redirects', () => {
  it('is not sent to the other origin a redirect leads to', async () => {
    const target = encodeURIComponent(`${other.url}/echo?hop=cross`)
    expect(await sendWithAuth(`${here.url}/redirect-to?url=${target}&status=307`)).toBe(200)
    const first = here.requests.filter((q) => q.url.startsWith('/redirect-to')).at(-1)
    expect(first?.headers['x-api-key']).toBe('k-secret')
    const there = other.requests.find((q) => q.url === '/echo?hop=cross')
    expect(there).toBeDefined()
    expect(there?.headers['x-api-key']).toBeUndefined()
  })

  it('stays on a redirect within its origin', async () => {
    const target = encodeURIComponent(`${here.url}/echo?hop=same`)
    expect(await sendWithAuth(`${here.url}/redirect-to?url=${target}&status=302`)).toBe(200)
    const same = here.requests.find((q) => q.url === '/echo?hop=same')
    expect(same?.headers['x-api-key']).toBe('k-secret')
  })

  it('a header typed by hand follows the redirect, as curl and fetch send it', async () => {
    const target = encodeURIComponent(`${other.url}/echo?hop=typed`)
    const typed = [{ name: 'X-Trace', value: 't-1', enabled: true }]
    expect(await sendWithAuth(`${here.url}/redirect-to?url=${target}&status=307`, typed)).toBe(200)
    const there = other.requests.find((q) => q.url === '/echo?hop=typed')
    expect([there?.headers['x-trace'], there?.headers['x-api-key']]).toEqual(['t-1', undefined])
  })
})
