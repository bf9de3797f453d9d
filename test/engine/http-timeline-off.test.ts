import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineService, type EngineService } from '../../src/engine/service'
import type { TimelineEvent } from '../../src/shared/timeline'

/**
 * `flightdeck run`'s engine (httpTimeline: false) delivers no HTTP rows to timeline subscribers, which nothing in a
 * run reads, while a stream's events still flow (a run's SSE and WebSocket steps count their messages from them)
 * and the HTTP records behind a HAR report are still kept. A real server on 127.0.0.1.
 */

let server: Server
let base: string

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end('data: one\n\ndata: two\n\n')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
})

const request = (path: string) => ({
  method: 'GET',
  url: `${base}${path}`,
  headers: [],
  body: { kind: 'none' as const },
  options: {},
})

async function sessionsSeen(
  service: EngineService,
): Promise<{ httpSid: string; http: TimelineEvent[]; sse: TimelineEvent[] }> {
  const events: TimelineEvent[] = []
  const off = service.subscribe((batch) => events.push(...batch.events))
  try {
    const sent = await service.invoke('http.send', { request: request('/json') })
    if (!sent.ok) throw new Error(sent.error.message)
    const httpSid = sent.value.sids[0] ?? ''
    await service.waitForExchange(httpSid)
    const opened = await service.invoke('sse.open', {
      request: request('/sse'),
      stream: { reconnect: false },
    })
    if (!opened.ok) throw new Error(opened.error.message)
    await service.waitForStream(opened.value.sid)
    service.flush()
    return {
      httpSid,
      http: events.filter((e) => e.sid === httpSid),
      sse: events.filter((e) => e.sid === opened.value.sid),
    }
  } finally {
    off()
  }
}

describe('an engine without HTTP timeline rows (flightdeck run)', () => {
  it('delivers no HTTP rows, still delivers stream rows, and still keeps the exchange for a HAR', async () => {
    const service = createEngineService({
      host: 'cli',
      watchCollections: false,
      persistWorkspace: false,
      httpTimeline: false,
    })
    try {
      const seen = await sessionsSeen(service)
      expect(seen.http).toEqual([])
      expect(seen.sse.some((e) => e.type === 'sse-event')).toBe(true)
      const har = await service.invoke('har.export', { sids: [seen.httpSid] })
      expect(har.ok && har.value.entries).toBe(1)
      expect(har.ok && har.value.har).toContain(`${base}/json`)
    } finally {
      await service.dispose()
    }
  })

  it('an engine for the app and the browser host delivers both', async () => {
    const service = createEngineService({ host: 'test', watchCollections: false, persistWorkspace: false })
    try {
      const seen = await sessionsSeen(service)
      expect(seen.http.map((e) => e.type)).toContain('done')
      expect(seen.sse.some((e) => e.type === 'sse-event')).toBe(true)
    } finally {
      await service.dispose()
    }
  })
})
