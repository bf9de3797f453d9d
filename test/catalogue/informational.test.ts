import type { Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli'
import type { JsonReport } from '../../src/cli/report'
import type { HarDocument } from '../../src/engine/har/har-types'
import { applyBatch, EMPTY_TIMELINE, type TimelineState } from '../../src/renderer/timeline/apply-batch'
import type { SessionRow } from '../../src/renderer/timeline/session-row'
import { interimMarkRects } from '../../src/renderer/timeline/interim-marks'
import {
  INFORMATIONAL_EVERY_MS,
  MAX_KEPT_INFORMATIONAL,
  type InformationalEvent,
} from '../../src/shared/timeline'
import { startRawServer, pathOf, type RawServer } from './raw-server'
import { bodyText, done, expectError, openCatalogue, spec, underFault, type Catalogue } from './harness'

/**
 * Interim (1xx) responses, one at a time and in floods. 103 Early Hints is legal and common; a server may send
 * as many as it likes before the final response. Each must be a marker on the request's lane, never the
 * response: the row keeps waiting, and events and memory stay bounded however many come.
 */

let cat: Catalogue
let raw: RawServer

const HINT = 'HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload; as=style\r\n\r\n'
const FINAL = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nfinal'
/** How long /flood sends 103s before the final response; and how many it sent, by request path. */
const FLOOD_MS = 1000
const floods = new Map<string, number>()
/** Sends /hints' final response (set once its hints are written). */
let releaseHints: (() => void) | null = null

/**
 * 103s as fast as the connection takes them for `ms`, then the final response (or none, for /endless). Writes
 * wait for the socket to drain, so the server holds at most one batch of hints in memory.
 */
function flood(socket: Socket, path: string, ms: number, final: boolean): void {
  const batch = Buffer.from(HINT.repeat(256))
  const until = Date.now() + ms
  let sent = 0
  const pump = (): void => {
    while (!socket.destroyed) {
      if (Date.now() >= until) {
        floods.set(path, sent)
        if (final) socket.write(FINAL)
        return
      }
      sent += 256
      if (!socket.write(batch)) {
        socket.once('drain', pump)
        return
      }
    }
  }
  pump()
}

function routes(socket: Socket, head: string): void {
  const path = pathOf(head)
  if (path === '/hints' || path === '/hints-held') {
    socket.write(HINT + HINT.replace('style.css', 'app.js').replace('as=style', 'as=script') + HINT)
    // /hints-held's final response waits for the test, which looks at the row while only the hints have come.
    if (path === '/hints-held') releaseHints = () => socket.write(FINAL)
    else setTimeout(() => socket.write(FINAL), 30)
  } else if (path === '/hints-latin1') {
    // One 103 whose values are a UTF-8 'café' and an old server's Latin-1 one (byte E9), then the final response.
    socket.write(
      Buffer.concat([
        Buffer.from('HTTP/1.1 103 Early Hints\r\nx-utf8: café\r\nx-latin1: caf', 'utf8'),
        Buffer.from([0xe9]),
        Buffer.from('\r\n\r\n' + FINAL, 'latin1'),
      ]),
    )
  } else if (path.startsWith('/flood')) {
    flood(socket, path, FLOOD_MS, true)
  } else if (path === '/trickle') {
    // One 103 every 20 ms and never a final response.
    const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write(HINT)), 20)
    socket.once('close', () => clearInterval(timer))
  } else {
    socket.write('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n')
  }
}

beforeAll(async () => {
  cat = await openCatalogue()
  raw = await startRawServer(routes)
})
afterAll(async () => {
  await cat.close()
  await raw.close()
})

/** The timeline as the renderer holds it, fed every batch the service sends. */
function watchTimeline(): { state(): TimelineState; row(sid: string): SessionRow | undefined; stop(): void } {
  let state = EMPTY_TIMELINE
  const stop = cat.service.subscribe((batch) => {
    state = applyBatch(state, batch)
  })
  return { state: () => state, row: (sid) => state.rows[sid], stop }
}

describe('interim (1xx) responses', () => {
  it('a few 103 Early Hints are markers with their Link headers; the row waits for the final response', async () => {
    const view = watchTimeline()
    const sent = await cat.service.invoke('http.send', { request: spec(`${raw.url}/hints-held`) })
    if (!sent.ok) throw new Error(sent.error.message)
    const sid = sent.value.sids[0] as string
    // After the hints and before the final response (held until the test lets it go), the row is still waiting.
    await cat.rec.until(sid, (e) => e.type === 'informational', 3)
    cat.service.flush()
    const waiting = view.row(sid)
    expect(waiting?.status, 'no status before the final response').toBeNull()
    expect(waiting?.state).toBe('active')
    expect(waiting?.response).toBeUndefined()
    if (!releaseHints) throw new Error('the server never wrote the hints')
    releaseHints()
    const result = await cat.service.http.waitFor(sid)
    cat.service.flush()
    view.stop()
    expect(done(result).status).toBe(200)
    expect(await bodyText(cat.service, done(result))).toBe('final')
    expect(result.events.filter((e) => e.type === 'response-headers')).toHaveLength(1)
    const row = view.row(sid)
    expect(row?.status).toBe(200)
    expect(row?.informational?.count).toBe(3)
    expect(row?.informational?.kept.map((m) => m.headers)).toEqual([
      [['link', '</style.css>; rel=preload; as=style']],
      [['link', '</app.js>; rel=preload; as=script']],
      [['link', '</style.css>; rel=preload; as=style']],
    ])
    expect(row?.informational?.kept[0]?.statusText).toBe('Early Hints')

    // A HAR has no place for them: the response says in its comment that they came.
    const har = await cat.service.invoke('har.export', { sids: [sid] })
    if (!har.ok) throw new Error(har.error.message)
    const doc = JSON.parse(har.value.har) as HarDocument
    expect(doc.log.entries[0]?.response.status).toBe(200)
    expect(doc.log.entries[0]?.response.comment).toBe(
      '3 informational (1xx) responses before this one (the last: 103 Early Hints)',
    )
  })

  it("a 103's header values are read as the final response's: UTF-8 when they are, else Latin-1", async () => {
    const sent = await cat.service.invoke('http.send', { request: spec(`${raw.url}/hints-latin1`) })
    if (!sent.ok) throw new Error(sent.error.message)
    const result = await cat.service.http.waitFor(sent.value.sids[0] as string)
    expect(done(result).status).toBe(200)
    const hint = result.events.find((e): e is InformationalEvent => e.type === 'informational')
    expect(hint?.headers).toEqual([
      ['x-utf8', 'café'],
      ['x-latin1', 'café'],
    ])
  })

  it('a second of 103s as fast as they come: bounded events, the row waits, TTFB is the final response', async () => {
    const view = watchTimeline()
    let sid = ''
    const snapshots: (SessionRow | undefined)[] = []
    const run = await underFault(
      cat,
      async () => {
        const sent = await cat.service.invoke('http.send', { request: spec(`${raw.url}/flood-a`) })
        if (!sent.ok) throw new Error(sent.error.message)
        sid = sent.value.sids[0] as string
        // Look at the row mid-flood, as the person watching the timeline would: once it counts past the hints it
        // keeps (the flood has begun; its final response is most of a second away).
        await cat.rec.until(sid, (e) => e.type === 'informational' && e.count > MAX_KEPT_INFORMATIONAL)
        cat.service.flush()
        snapshots.push(view.row(sid))
        return cat.service.http.waitFor(sid)
      },
      { sampleMemory: true },
    )
    cat.service.flush()
    view.stop()
    const result = run.value
    const d = done(result)
    expect(d.status).toBe(200)
    const sentHints = floods.get('/flood-a') ?? 0
    expect(sentHints, 'the server got many hints out').toBeGreaterThan(1000)

    const mid = snapshots[0]
    expect(mid?.status, 'mid-flood, the row has no status').toBeNull()
    expect(mid?.state).toBe('active')
    expect(mid?.informational?.count ?? 0).toBeGreaterThan(MAX_KEPT_INFORMATIONAL)

    // Every hint counted; only the first few kept with headers; past them, an event per INFORMATIONAL_EVERY_MS of
    // the wait at most (counted over the wait as it was: a loaded machine takes longer to read the flood).
    const row = view.row(sid)
    expect(row?.informational?.count).toBe(sentHints)
    expect(row?.informational?.kept).toHaveLength(MAX_KEPT_INFORMATIONAL)
    const infoEvents = cat.rec.of(sid).filter((e): e is InformationalEvent => e.type === 'informational')
    const bound = MAX_KEPT_INFORMATIONAL + Math.ceil(d.timings.wait / INFORMATIONAL_EVERY_MS) + 2
    expect(
      infoEvents.length,
      `${infoEvents.length} events in a wait of ${d.timings.wait} ms`,
    ).toBeLessThanOrEqual(bound)
    expect(infoEvents[infoEvents.length - 1]?.count).toBe(sentHints)
    expect(cat.rec.of(sid).filter((e) => e.type === 'response-headers')).toHaveLength(1)
    // The request's own event list (what the CLI and runner read) stays small too.
    expect(result.events.length).toBeLessThan(MAX_KEPT_INFORMATIONAL + 20)
    // Waiting lasted the whole flood; the download is only the final response's five bytes, not the flood.
    expect(d.timings.wait).toBeGreaterThanOrEqual(FLOOD_MS * 0.9)
    expect(d.timings.receive).toBeLessThan(d.timings.wait / 4)
    expect(run.memoryGrowthBytes).toBeLessThan(128 * 1024 * 1024)

    // On the waterfall (1 px per ms from the row's start): a tick per kept hint, then a line to a tick at the
    // latest, all on the waiting part of the bar, before the response.
    if (!row?.informational || !row.response) throw new Error('row without hints or response')
    const x = (t: number): number => t - row.queued.t
    const rects = interimMarkRects(row.informational, x, 1_000_000, 0, 22)
    expect(rects).toHaveLength(MAX_KEPT_INFORMATIONAL + 2)
    for (const r of rects) {
      expect(r.x).toBeGreaterThanOrEqual(Math.floor(x(row.sent?.start ?? row.queued.t)))
      expect(r.x).toBeLessThanOrEqual(Math.ceil(x(row.response.t)))
    }
  })

  it('103s without end and no final response: the headers timeout still applies, counted from the request', async () => {
    const r = await underFault(cat, async () => {
      const sent = await cat.service.invoke('http.send', {
        // The total timeout is the test's bound: were the headers timeout restarted by each 103, the total one
        // would end it, in its own words (no clock needed to tell them apart).
        request: spec(`${raw.url}/trickle`, {}, { headersTimeoutMs: 600, totalTimeoutMs: 5000 }),
      })
      if (!sent.ok) throw new Error(sent.error.message)
      return cat.service.http.waitFor(sent.value.sids[0] as string)
    })
    expectError(
      r.value,
      'timeout_headers',
      /^Timed out waiting for the final response from 127\.0\.0\.1:\d+: \d+ interim \(1xx\) responses but no final one within the headers timeout of 600 ms$/,
    )
  })

  it('the CLI prints the hints before the status line, and --json lists them', async () => {
    let out = ''
    const io = { out: (t: string) => void (out += t), err: () => undefined }
    expect(await runCli(['send', `${raw.url}/hints`], io)).toBe(0)
    const lines = out.split('\n')
    const at = lines.indexOf('3 informational (1xx) responses before the final one')
    expect(at, out).toBeGreaterThanOrEqual(0)
    expect(lines.slice(at + 1, at + 5)).toEqual([
      '  103 Early Hints',
      '    link: </style.css>; rel=preload; as=style',
      '  103 Early Hints',
      '    link: </app.js>; rel=preload; as=script',
    ])
    expect(lines.findIndex((l) => l.startsWith('HTTP/1.1 200 OK'))).toBeGreaterThan(at)

    out = ''
    expect(await runCli(['send', `${raw.url}/hints`, '--json'], io)).toBe(0)
    const report = JSON.parse(out) as JsonReport
    expect(report.status).toBe(200)
    expect(report.informational?.count).toBe(3)
    expect(report.informational?.responses[1]).toEqual({
      status: 103,
      statusText: 'Early Hints',
      headers: [{ name: 'link', value: '</app.js>; rel=preload; as=script' }],
    })
  })
})
