import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { har as validateHar } from 'har-validator'
import type { HarDocument } from '../../src/engine/har/har-types'
import type { EngineService } from '../../src/engine/service'
import type { DoneEvent, TimelineEvent } from '../../src/shared/timeline'
import { MAX_SERVER_TIMING_ENTRIES } from '../../src/shared/server-timing'
import {
  startServerTimingH2Server,
  startServerTimingServer,
  type ServerTimingFixture,
} from '../fixtures/server-timing-server'
import { done, makeService, send, spec } from './helpers'

describe('Server-Timing from a real server', () => {
  let server: ServerTimingFixture
  let service: EngineService
  const events: TimelineEvent[] = []

  beforeAll(async () => {
    server = await startServerTimingServer()
    service = makeService({ persistWorkspace: false, watchCollections: false })
    service.subscribe((b) => events.push(...b.events))
  })
  afterAll(async () => {
    await service.dispose()
    await server.close()
  })

  it('carries the headers’ and the trailers’ entries on done and into the HAR as _serverTiming', async () => {
    const result = await send(service, spec(`${server.url}/timed?wait=40&db=25&render=5`))
    const d = done(result)
    expect(d.serverTiming?.entries).toEqual([
      { name: 'db', dur: 25, desc: 'Primary DB', source: 'header' },
      { name: 'cache', desc: 'miss', source: 'header' },
      { name: 'render', dur: 5, source: 'header' },
      { name: 'total', dur: 40, desc: 'Whole handler', source: 'trailer' },
    ])
    const res = await service.invoke('har.export', { sids: [d.sid] })
    if (!res.ok) throw new Error(res.error.message)
    const doc = JSON.parse(res.value.har) as HarDocument
    await validateHar(doc)
    expect(doc.log.entries[0]?._serverTiming).toEqual([
      { name: 'db', dur: 25, description: 'Primary DB' },
      { name: 'cache', dur: 0, description: 'miss' },
      { name: 'render', dur: 5, description: '' },
      { name: 'total', dur: 40, description: 'Whole handler' },
    ])

    // Imported back, the entries (the trailer's too) come with the recorded request; a browser's HAR without
    // _serverTiming gives the response headers' entries.
    const browser = structuredClone(doc)
    const first = browser.log.entries[0]
    if (first) delete first._serverTiming
    for (const [text, names] of [
      [JSON.stringify(doc), ['db', 'cache', 'render', 'total']],
      [JSON.stringify(browser), ['db', 'cache', 'render']],
    ] as const) {
      const imported = await service.invoke('har.import', { text, name: 'st.har' })
      if (!imported.ok) throw new Error(imported.error.message)
      service.flush()
      const sid = imported.value.sids[0]
      const back = events.find((e): e is DoneEvent => e.type === 'done' && e.sid === sid)
      expect(back?.serverTiming?.entries.map((e) => e.name)).toEqual(names)
      expect(back?.serverTiming?.entries[0]).toMatchObject({ name: 'db', dur: 25, desc: 'Primary DB' })
    }
  })

  it('keeps the bounded number of entries and says it cut', async () => {
    const d = done(await send(service, spec(`${server.url}/many?count=70`)))
    expect(d.serverTiming?.entries).toHaveLength(MAX_SERVER_TIMING_ENTRIES)
    expect(d.serverTiming?.note).toContain('70 Server-Timing entries')
  })

  it('reads them from HTTP/2 headers and trailers too', async () => {
    const h2 = await startServerTimingH2Server()
    try {
      const result = await send(service, spec(`${h2.url}/`, {}, { insecure: true }))
      const d = done(result)
      expect(result.events.find((e) => e.type === 'response-headers')).toMatchObject({ httpVersion: '2' })
      expect(d.serverTiming?.entries).toEqual([
        { name: 'db', dur: 7, desc: 'h2 DB', source: 'header' },
        { name: 'total', dur: 9, source: 'trailer' },
      ])
    } finally {
      await h2.close()
    }
  })
})
