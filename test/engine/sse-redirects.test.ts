import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { RequestSpec } from '../../src/shared/request'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { makeService } from './helpers'
import { settle } from './stream-helpers'

/** An SSE open follows redirects by the same rules as an HTTP send, and ends the same way when they go wrong. */

let server: SseFixture
let service: EngineService

beforeAll(async () => {
  server = await startSseServer()
  server.route('/loop', (_r, res) => void res.writeHead(302, { location: '/loop' }).end())
  server.route('/chain', (r, res) => {
    const n = Number(new URL(r.path, 'http://x').searchParams.get('n') ?? '0')
    res.writeHead(302, { location: `/chain?n=${n + 1}` }).end()
  })
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  await server.close()
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
})
