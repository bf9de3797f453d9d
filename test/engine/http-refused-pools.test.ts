import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import DispatcherBase from 'undici/lib/dispatcher/dispatcher-base.js'
import PoolClass from 'undici/lib/dispatcher/pool.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { eventsOf, makeService, send, spec } from './helpers'

/**
 * Requests to a port nobody listens on are refused without a connection pool each: the engine keeps the origin's
 * pool through refused connects (undici's Agent closed it at every one and built a new one for the next request),
 * each request still says it was refused, in the same words, and once a server listens there the same pool
 * reaches it.
 */

/** Every undici pool a request was dispatched on, seen from the one dispatch every undici dispatcher shares. */
const poolsUsed = new WeakSet<object>()
let poolCount = 0
const proto = (DispatcherBase as unknown as { prototype: { dispatch: (...args: unknown[]) => boolean } })
  .prototype
const originalDispatch = proto.dispatch
beforeAll(() => {
  proto.dispatch = function (this: object, ...args: unknown[]): boolean {
    if (this instanceof PoolClass && !poolsUsed.has(this)) {
      poolsUsed.add(this)
      poolCount++
    }
    return originalDispatch.apply(this, args)
  }
})
afterAll(() => {
  proto.dispatch = originalDispatch
})

let service: EngineService
let port: number
beforeAll(async () => {
  service = makeService()
  // A port that was free a moment ago: nobody listens on it until the last test.
  const probe = createServer()
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
  port = (probe.address() as AddressInfo).port
  await new Promise<void>((r) => probe.close(() => r()))
})
afterAll(async () => {
  await service.dispose()
})

describe('refused connections', () => {
  it('300 refused requests, 10 at a time, use one pool and each says it was refused', async () => {
    const before = poolCount
    const messages = new Set<string>()
    let left = 300
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (left-- > 0) {
          const r = await send(service, spec(`http://127.0.0.1:${port}/x`))
          const error = eventsOf(r, 'error')[0]
          expect(error?.code).toBe('refused')
          messages.add(error?.message ?? '')
        }
      }),
    )
    expect([...messages]).toEqual([`Connection refused by 127.0.0.1:${port}`])
    expect(poolCount - before).toBe(1)
  })

  it('reaches a server that starts listening on that port afterwards', async () => {
    const server: Server = createServer((_req, res) => res.end('up'))
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
    try {
      const r = await send(service, spec(`http://127.0.0.1:${port}/x`))
      expect(eventsOf(r, 'error')).toEqual([])
      expect(eventsOf(r, 'response-headers')[0]?.status).toBe(200)
    } finally {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    }
  })
})
