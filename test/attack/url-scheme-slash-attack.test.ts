import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { snippet } from '../../src/engine/exporters/snippets'
import type { EngineService } from '../../src/engine/service'
import { emptySavedRequest } from '../../src/shared/collection'
import { makeService } from '../engine/helpers'

/**
 * A scheme typed with one slash or with backslashes (`http:/host`, `http:\\host`, a `{{base}}` missing a slash)
 * is read by URL parsers and browsers as `http://host`. Flightdeck looked for `://` alone: it put `http://` in
 * front, and `http:/127.0.0.1:8080/x` went to a host named `http` (DNS: not found), while `mqtt:/broker` in a
 * WebSocket tab passed the check that refuses another mode's scheme and became `ws://mqtt/broker`.
 */

let server: Server
let port: number
const paths: string[] = []
let service: EngineService

beforeAll(async () => {
  server = createServer((req, res) => {
    paths.push(req.url ?? '')
    res.writeHead(200, { 'content-type': 'text/plain' }).end('reached')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  service = makeService({ watchCollections: false, persistWorkspace: false })
})

afterAll(async () => {
  await service.dispose()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

it('a request to http:/host or http:\\\\host reaches that host, as a browser reads it', async () => {
  for (const url of [`http:/127.0.0.1:${port}/one-slash`, `http:\\\\127.0.0.1:${port}\\backslashes`]) {
    const request = { method: 'GET', url, headers: [], body: { kind: 'none' as const }, options: {} }
    const sent = await service.invoke('request.send', { request, auth: { type: 'none' } })
    if (!sent.ok) throw new Error(sent.error.message)
    const result = await service.http.waitFor(sent.value.sids[0] ?? '')
    expect(result.final.type === 'done' ? result.final.status : result.final.type).toBe(200)
  }
  expect(paths).toEqual(['/one-slash', '/backslashes'])
})

it("another mode's scheme typed with one slash is refused before any session, as with two", async () => {
  const opened = await service.invoke('ws.open', { url: 'mqtt:/127.0.0.1:1883', headers: [], protocols: [] })
  expect(opened.ok ? 'opened' : opened.error.message).toBe(
    'WebSocket takes ws:// or wss:// URLs, not mqtt:// (e.g. ws://localhost:8080)',
  )
})

it('Copy as curl of such a URL names the host Send goes to', async () => {
  const saved = { ...emptySavedRequest('Typo'), url: 'http:/127.0.0.1:8080/x' }
  const code = await snippet(saved, { type: 'none' }, [], 'curl')
  expect(code.ok ? code.value : code.error.message).toContain('http://127.0.0.1:8080/x')
})
