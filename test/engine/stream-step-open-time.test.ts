import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collectionRunFolder, type CollectionRunFolder } from './collection-run-folder'

/**
 * A stream step whose session fails to open reports the time it spent trying, as any failed step does: a
 * GraphQL subscription over SSE's single connection mode against a server that holds its reservation (the PUT)
 * for HOLD_MS and then refuses it. The step fails, saying why, and its time (run.json, junit) is at least the
 * hold; it was 0 ms.
 */

const HOLD_MS = 400

let server: Server
const sockets = new Set<Socket>()
let folder: CollectionRunFolder

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    setTimeout(() => res.writeHead(404, { 'content-type': 'text/plain' }).end('no such thing'), HOLD_MS)
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  folder = collectionRunFolder('fd-stream-open-time')
  folder.write(
    'collection.yaml',
    `flightdeck: 1\nname: Open time\nvariables:\n  base: http://127.0.0.1:${(server.address() as AddressInfo).port}\n`,
  )
  folder.write(
    'single.yaml',
    [
      'name: Single',
      'kind: graphql',
      'url: "{{base}}/graphql"',
      'graphql:',
      '  query: "subscription { ticks }"',
      '  transport: sse-single',
      '',
    ].join('\n'),
  )
})

afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise<void>((r) => server.close(() => r()))
  folder?.remove()
})

describe('a stream step that fails to open', () => {
  it('reports the time it spent', async () => {
    const r = await folder.run('single.yaml')
    const [res] = r.report.results
    expect(res?.passed).toBe(false)
    expect(res?.error?.message).toMatch(/single connection mode/)
    expect(res?.timeMs).toBeGreaterThanOrEqual(HOLD_MS - 5)
  })
})
