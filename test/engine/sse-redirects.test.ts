import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { RequestSpec } from '../../src/shared/request'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { makeService } from './helpers'
import { settle } from './stream-helpers'

/** An SSE open follows redirects by the same rules as an HTTP send, and ends the same way when they go wrong. */

let server: SseFixture
let other: SseFixture
let service: EngineService

beforeAll(async () => {
  server = await startSseServer()
  server.route('/loop', (_r, res) => void res.writeHead(302, { location: '/loop' }).end())
  server.route('/chain', (r, res) => {
    const n = Number(new URL(r.path, 'http://x').searchParams.get('n') ?? '0')
    res.writeHead(302, { location: `/chain?n=${n + 1}` }).end()
  })
  // Another port is another origin: a redirect there must not carry the credentials written for this one.
  other = await startSseServer()
  server.route(
    '/elsewhere',
    (_r, res) => void res.writeHead(307, { location: `${other.url}/events?n=1&close=1` }).end(),
  )
  server.route(
    '/here',
    (_r, res) => void res.writeHead(307, { location: '/events?n=1&close=1&same=1' }).end(),
  )
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  await server.close()
  await other.close()
})

function req(path: string, maxRedirects: number): RequestSpec {
  return {
    method: 'GET',
    url: `${server.url}${path}`,
    headers: [],
    body: { kind: 'none' },
    options: { maxRedirects },
  }
}

async function finalOf(request: RequestSpec): Promise<unknown> {
  const opened = await service.invoke('sse.open', { request, stream: { reconnect: false } })
  if (!opened.ok) throw new Error(opened.error.message)
  return (await settle(service, opened.value.sid)).final
}

async function httpErrorOf(request: RequestSpec): Promise<unknown> {
  const sent = await service.invoke('http.send', { request })
  if (!sent.ok) throw new Error(sent.error.message)
  const r = await service.http.waitFor(sent.value.sids[0] as string)
  return r.final
}

describe('SSE redirects', () => {
  it('a redirect loop ends the open with the same clear error as an HTTP send', async () => {
    const message = 'Redirect loop: stopped after 5 redirects (/loop was already visited)'
    expect(await finalOf(req('/loop', 5))).toMatchObject({ type: 'error', code: 'redirect_loop', message })
    expect(await httpErrorOf(req('/loop', 5))).toMatchObject({
      type: 'error',
      code: 'redirect_loop',
      message,
    })
    // Six requests: the first and five redirects, then it stops.
    expect(server.requests.filter((r) => r.path === '/loop')).toHaveLength(6 * 2)
  })

  it('a long chain that is no loop says so', async () => {
    expect(await finalOf(req('/chain?n=0', 3))).toMatchObject({
      type: 'error',
      code: 'too_many_redirects',
      message: 'Too many redirects: stopped after 3',
    })
  })

  it('credentials stay with their origin; other headers follow the redirect', async () => {
    const headers = [
      { name: 'Authorization', value: 'Bearer secret', enabled: true },
      { name: 'Cookie', value: 'session=1', enabled: true },
      { name: 'X-Trace', value: 't1', enabled: true },
    ]
    const open = async (path: string): Promise<unknown> => finalOf({ ...req(path, 5), headers })
    expect(await open('/elsewhere')).toMatchObject({ type: 'done', status: 200 })
    const there = other.requests.find((r) => r.path.startsWith('/events'))
    expect([there?.headers['authorization'], there?.headers['cookie'], there?.headers['x-trace']]).toEqual([
      undefined,
      undefined,
      't1',
    ])
    expect(await open('/here')).toMatchObject({ type: 'done', status: 200 })
    const here = server.requests.find((r) => r.path.includes('same=1'))
    expect([here?.headers['authorization'], here?.headers['cookie']]).toEqual(['Bearer secret', 'session=1'])
  })

  it("an API-key auth's header stays with its origin too", async () => {
    const request: RequestSpec = {
      ...req('/elsewhere', 5),
      headers: [{ name: 'X-Api-Key', value: 'k-secret', enabled: true }],
      credentialHeaders: ['X-Api-Key'],
    }
    const before = other.requests.length
    expect(await finalOf(request)).toMatchObject({ type: 'done', status: 200 })
    const there = other.requests.slice(before).find((r) => r.path.startsWith('/events'))
    expect(there).toBeDefined()
    expect(there?.headers['x-api-key']).toBeUndefined()
    const first = server.requests.filter((r) => r.path === '/elsewhere').at(-1)
    expect(first?.headers['x-api-key']).toBe('k-secret')
  })
})
