import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { eventsOf, makeService, send, spec } from './helpers'

/** A port on 127.0.0.1 that nothing listens on: bound, closed, then dialled. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

describe('a refused connection', () => {
  it('names the address and port it tried, not port 0', async () => {
    const service = makeService({ persistWorkspace: false, watchCollections: false })
    try {
      const port = await closedPort()
      const result = await send(service, spec(`http://127.0.0.1:${port}/x`))
      expect(result.final.type).toBe('error')
      const connect = eventsOf(result, 'connect')
      expect(connect.map((c) => `${c.remoteAddress}:${c.remotePort}`)).toEqual([`127.0.0.1:${port}`])
    } finally {
      await service.dispose()
    }
  })
})
