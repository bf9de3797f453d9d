import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { TimelineEvent } from '../../src/shared/timeline'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { makeService } from './helpers'
import { readLog, record, settle, type Recorder } from './stream-helpers'

/**
 * A stream that reconnects and is then told to stop with 204 No Content (EventSource's "stop reconnecting"):
 * the session is the stream's 200, every attempt is told with its own status and why it ended, and a reload
 * of the browser host (the timeline replay) brings the attempts back. Against a real SSE server.
 */

let sse: SseFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  sse = await startSseServer()
  service = makeService({ watchCollections: false, persistWorkspace: false })
  rec = record(service)
  // By the Last-Event-ID sent: none, two events with ids and the end; 2, one more and the end; 3, 204.
  sse.route('/twice-then-204', (req, res) => {
    const last = req.headers['last-event-id']
    if (last === '3') {
      res.writeHead(204).end()
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(last === undefined ? 'id: 1\ndata: one\n\nid: 2\ndata: two\n\n' : 'id: 3\ndata: three\n\n')
  })
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await sse.close()
})

const open = async (path: string, maxRetries = 5): Promise<string> => {
  const r = await service.invoke('sse.open', {
    request: { method: 'GET', url: `${sse.url}${path}`, headers: [], body: { kind: 'none' }, options: {} },
    stream: { reconnect: true, retryMs: 10, maxRetries },
  })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sid
}

const lifecycle = (events: readonly TimelineEvent[]): string[] =>
  events.flatMap((e) =>
    e.type === 'stream-open'
      ? [`open #${e.attempt} ${e.status}`]
      : e.type === 'stream-closed'
        ? [`closed: ${e.reason}`]
        : e.type === 'retry'
          ? [`retry #${e.attempt} id ${e.lastEventId ?? '-'} at ${e.seq ?? '?'}`]
          : [],
  )

describe('a reconnect answered 204 No Content', () => {
  it('ends the session with the stream’s status (200) and lists the 204 attempt with why', async () => {
    const before = sse.requests.length
    const sid = await open('/twice-then-204')
    const { final } = await settle(service, sid)
    expect(final).toMatchObject({ type: 'done', status: 200 })
    expect(lifecycle(rec.of(sid))).toEqual([
      'open #0 200',
      'closed: The server ended the stream',
      'retry #1 id 2 at 2',
      'open #1 200',
      'closed: The server ended the stream',
      'retry #2 id 3 at 3',
      'open #2 204',
      'closed: The server answered 204 No Content: it asks the client not to reconnect',
    ])
    expect(sse.requests.slice(before).map((r) => r.headers['last-event-id'])).toEqual([undefined, '2', '3'])
    expect((await readLog(service, sid)).map((e) => e.data)).toEqual(['one', 'two', 'three'])
    // The 204 is no stream of raw chunks: no note saying so.
    const last = rec
      .of(sid)
      .filter((e) => e.type === 'stream-open')
      .at(-1)
    expect(last && 'note' in last ? last.note : undefined).toBeUndefined()
  })
})

describe('the timeline replay after a reload', () => {
  it('brings back every attempt’s open, close and retry, in order', async () => {
    const sid = await open('/twice-then-204')
    await settle(service, sid)
    const page = await service.invoke('timeline.replay', {})
    if (!page.ok) throw new Error(page.error.message)
    const replayed = page.value.events.filter((e) => e.sid === sid)
    expect(lifecycle(replayed)).toEqual(lifecycle(rec.of(sid)))
    expect(replayed.at(-1)).toMatchObject({ type: 'done', status: 200 })
  })
})
