import type { ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StreamOutcome } from '../../src/engine/streams/stream-engine'
import { messageCount, readLog } from '../engine/stream-helpers'
import { expectError, openCatalogue, spec, underFault, type Catalogue } from './harness'

// own-process: measures its memory (process.memoryUsage through harness.ts's sampleMemory), which a shared
// worker's earlier files would skew

/**
 * SSE parsing at its edges, through the engine service against a real server on 127.0.0.1: line ends that are
 * a lone CR (events must arrive when their blank line does, not one network chunk later, and the last one must
 * not be lost), a CRLF cut between two chunks (one line end, never an extra blank line), and an event made of
 * very many short `data` lines (its whole size counts against the event limit).
 */

let cat: Catalogue

/** A gate the test opens: the server's next write waits for it. */
interface Gate {
  wait: Promise<void>
  open(): void
}

function gate(): Gate {
  let open = (): void => undefined
  const wait = new Promise<void>((resolve) => (open = resolve))
  return { wait, open }
}

let crGates: Gate[] = []
const SHORT_LINE = 'data:x\n'
/** Bytes of short `data` lines the server sends as one event: past the engine's 32 MB event limit. */
const SHORT_LINES_BYTES = 40 * 1024 * 1024
/** Events (each after a comment) in the flood. */
const FLOOD = 300_000

beforeAll(async () => {
  cat = await openCatalogue()
  // Each piece goes out once the test has seen what the piece before it dispatched.
  cat.sse.route('/cr-pieces', async (_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    const pieces = [
      'data: a\r\r',
      // A CRLF cut after its CR: the LF that follows ends no extra line, so `x` and `y` are one event.
      'data: x\r',
      '\ndata: y\r',
      // A blank line ended by CR at a chunk's end dispatches at once; the LF after it is part of that line end.
      '\r',
      '\ndata: z\r\r',
      // The stream ends right after a CR-only blank line: the last event is not lost.
      'id: 9\rdata: last\r\r',
    ]
    for (const [k, piece] of pieces.entries()) {
      if (k > 0) await crGates[k - 1]?.wait
      res.write(piece)
    }
    res.end()
  })
  cat.sse.route('/short-lines', (_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    const block = SHORT_LINE.repeat(64 * 1024)
    let left = Math.ceil(SHORT_LINES_BYTES / block.length)
    const pump = (): void => {
      while (left > 0 && !res.destroyed) {
        left--
        if (!res.write(block)) {
          res.once('drain', pump)
          return
        }
      }
      if (!res.destroyed) res.end('\n')
    }
    res.on('error', () => undefined)
    pump()
  })
  cat.sse.route('/flood', (_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    let i = 0
    const pump = (): void => {
      while (i < FLOOD && !res.destroyed) {
        // A comment and an event, LF, CRLF and CR line ends in turn, 1,000 at a time.
        let piece = ''
        for (const end = Math.min(FLOOD, i + 1000); i < end; i++) {
          const eol = ['\n', '\r\n', '\r'][i % 3] as string
          piece += `: c${i}${eol}id: ${i}${eol}data: {"i":${i}}${eol}${eol}`
        }
        if (!res.write(piece)) {
          res.once('drain', pump)
          return
        }
      }
      res.end()
    }
    res.on('error', () => undefined)
    pump()
  })
})
afterAll(async () => {
  await cat.close()
})

async function openSse(path: string): Promise<string> {
  const r = await cat.service.invoke('sse.open', {
    request: spec(`${cat.sse.url}${path}`),
    stream: { reconnect: false },
  })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sid
}

async function outcome(sid: string): Promise<StreamOutcome> {
  const o = await cat.service.streams.wait(sid)
  cat.service.flush()
  return o
}

const isEvent = (e: { type: string }): boolean => e.type === 'sse-event'

describe('SSE line ends', () => {
  it('CR-only line ends: each event arrives with its own chunk, a CRLF cut in two is one line end, and the last event is kept', async () => {
    crGates = Array.from({ length: 5 }, gate)
    const run = await underFault(cat, async () => {
      const sid = await openSse('/cr-pieces')
      // Each dispatch is seen before the server sends anything more: nothing waits for a later chunk.
      const seen = async (n: number): Promise<void> => {
        await cat.rec.until(sid, isEvent, n, 3000)
        cat.service.flush()
        expect(messageCount(cat.rec.of(sid))).toBe(n)
      }
      await seen(1)
      crGates[0]?.open()
      // `data: x` then the CR of a CRLF: no event yet (its block has not ended).
      crGates[1]?.open()
      await new Promise((r) => setTimeout(r, 50))
      crGates[2]?.open()
      await seen(2)
      crGates[3]?.open()
      await seen(3)
      crGates[4]?.open()
      return { sid, o: await outcome(sid) }
    })
    const { sid, o } = run.value
    expect(o.final.type).toBe('done')
    const log = await readLog(cat.service, sid)
    expect(log.map((e) => [e.kind, e.data, e.id ?? null])).toEqual([
      ['event', 'a', null],
      ['event', 'x\ny', null],
      ['event', 'z', null],
      ['event', 'last', '9'],
    ])
    expect(messageCount(cat.rec.of(sid))).toBe(4)
  })
})

describe('SSE event size', () => {
  it('an event of many short data lines counts its whole size against the event limit, with memory bounded', async () => {
    const run = await underFault(cat, async () => outcome(await openSse('/short-lines')), {
      sampleMemory: true,
    })
    expectError(
      run.value,
      'message_too_large',
      /^An event or line is longer than the limit of 32.0 MB \(33,554,432 bytes\): the stream was stopped at byte [\d,]+, [\d,]+ bytes into the event$/,
    )
    // Before, only the data's characters counted (2 of every 7 bytes here), and each line cost two string
    // nodes in the parser: the 32 MB limit allowed an event costing about 1.2 GB.
    expect(run.memoryGrowthBytes).toBeLessThan(400 * 1024 * 1024)
  })
})

describe('SSE floods', () => {
  it('300,000 events, each after a comment, with every kind of line end: all counted and readable, memory bounded', async () => {
    const run = await underFault(
      cat,
      async () => {
        const sid = await openSse('/flood')
        return { sid, o: await outcome(sid) }
      },
      { sampleMemory: true },
    )
    const { sid, o } = run.value
    expect(o.final.type).toBe('done')
    const events = cat.rec.of(sid)
    const kind = (k: string) => (e: { type: string; kind?: string }) => e.type === 'sse-event' && e.kind === k
    expect(messageCount(events, kind('event'))).toBe(FLOOD)
    expect(messageCount(events, kind('comment'))).toBe(FLOOD)
    // Read back from the log: the last event and comment, with the event's own id.
    const tail = await readLog(cat.service, sid, 2 * FLOOD - 2, 2)
    expect(tail.map((e) => [e.kind, e.data, e.id ?? null])).toEqual([
      ['comment', `c${FLOOD - 1}`, null],
      ['event', `{"i":${FLOOD - 1}}`, String(FLOOD - 1)],
    ])
    expect(run.memoryGrowthBytes).toBeLessThan(200 * 1024 * 1024)
  })
})
