import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { TimelineEvent } from '../../src/shared/timeline'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { within } from '../fixtures/test-timers'
import { makeService } from './helpers'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * A stream whose request cannot be sent (an Expect header, refused before undici sees it; two Host headers): the
 * request would be refused the same way every time, so the session fails at once, in words, and is not retried.
 * A connection refused by the network is retried, and once its retries are spent the session ends. Against
 * a real SSE server and a closed port on 127.0.0.1.
 */

let sse: SseFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  sse = await startSseServer()
  service = makeService({ watchCollections: false, persistWorkspace: false })
  rec = record(service)
  sse.route('/stream', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end('data: one\n\n')
  })
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await sse.close()
})

type Header = { name: string; value: string; enabled: boolean }

const open = async (url: string, headers: Header[], maxRetries: number): Promise<string> => {
  const r = await service.invoke('sse.open', {
    request: { method: 'GET', url, headers, body: { kind: 'none' }, options: {} },
    stream: { reconnect: true, retryMs: 10, maxRetries },
  })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sid
}

/** The session's outcome, or 'still running' once `ms` have passed. */
const settleWithin = (
  sid: string,
  ms: number,
): Promise<Awaited<ReturnType<typeof settle>> | 'still running'> =>
  within(settle(service, sid), ms, () => 'still running' as const)

const retries = (events: readonly TimelineEvent[]): number => events.filter((e) => e.type === 'retry').length

describe('an SSE request undici refuses before sending', () => {
  const cases: [string, Header[], RegExp][] = [
    [
      'Expect: 100-continue (refused before connecting)',
      [{ name: 'Expect', value: '100-continue', enabled: true }],
      /^Header "Expect" cannot be sent: the HTTP client opens a stream with its whole request and waits for no 100 Continue/,
    ],
    [
      'two Host headers (InvalidArgumentError)',
      [
        { name: 'Host', value: 'a.test', enabled: true },
        { name: 'host', value: 'b.test', enabled: true },
      ],
      /^The request is malformed: duplicate host header/,
    ],
  ]
  it.each(cases)(
    '%s: fails at once in words, without a retry, and sends nothing',
    async (_, headers, words) => {
      const before = sse.requests.length
      const sid = await open(`${sse.url}/stream`, headers, 3)
      const outcome = await settleWithin(sid, 5_000)
      expect(outcome).not.toBe('still running')
      if (outcome === 'still running') return
      // toMatchObject takes a RegExp for an object with no keys and passes on any words: the words are matched here.
      expect(outcome.final).toMatchObject({ type: 'error', code: 'invalid_request' })
      expect(outcome.final.type === 'error' && outcome.final.message).toMatch(words)
      expect(retries(rec.of(sid))).toBe(0)
      expect(rec.of(sid).some((e) => e.type === 'request-sent')).toBe(false)
      expect(sse.requests.length).toBe(before)
    },
  )
})

describe('an SSE connection refused by the network', () => {
  it('is retried, and the session ends once its retries are spent', async () => {
    // A port that was just listened on and closed: nothing answers there.
    const closed = await startSseServer()
    const url = `${closed.url}/stream`
    await closed.close()
    const sid = await open(url, [], 2)
    const outcome = await settleWithin(sid, 5_000)
    expect(outcome).not.toBe('still running')
    if (outcome === 'still running') return
    expect(outcome.final.type === 'error' && outcome.final.message).toMatch(
      /^Gave up after 3 failed connection attempts/,
    )
    expect(retries(rec.of(sid))).toBe(2)
  })
})
