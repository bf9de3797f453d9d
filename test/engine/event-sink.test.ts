import { describe, expect, it } from 'vitest'
import { EventSink } from '../../src/engine/event-sink'
import { Scheduler } from '../../src/engine/http/scheduler'
import type { TimelineBatch } from '../../src/shared/contract'
import type { TimelineEvent } from '../../src/shared/timeline'

const progress = (sid: string, bytes: number): TimelineEvent => ({
  type: 'body-progress',
  sid,
  t: bytes,
  wireBytes: bytes,
  bodyBytes: bytes,
})
const headers = (sid: string): TimelineEvent => ({
  type: 'response-headers',
  sid,
  t: 0,
  status: 200,
  statusText: 'OK',
  httpVersion: '1.1',
  headers: [],
  headersBytes: 0,
})

describe('EventSink', () => {
  it('coalesces body-progress per session and keeps lifecycle order', () => {
    const sink = new EventSink(1000)
    const batches: TimelineBatch[] = []
    sink.subscribe((b) => batches.push(b))
    sink.emit(headers('a'))
    for (let i = 1; i <= 100; i++) sink.emit(progress('a', i))
    sink.emit(progress('b', 7))
    sink.flush()
    expect(batches).toHaveLength(1)
    const events = batches[0]?.events ?? []
    expect(events.map((e) => `${e.type}:${e.sid}`)).toEqual([
      'response-headers:a',
      'body-progress:a',
      'body-progress:b',
    ])
    expect(events[1]?.type === 'body-progress' && events[1].wireBytes).toBe(100)
    sink.dispose()
  })

  it('drops progress past its bound, counts it, and never drops lifecycle events', () => {
    const sink = new EventSink(1000, 10)
    let batch: TimelineBatch | undefined
    sink.subscribe((b) => (batch = b))
    for (let i = 0; i < 10; i++) sink.emit(headers(`s${i}`))
    for (let i = 0; i < 5; i++) sink.emit(progress(`p${i}`, 1))
    sink.emit(headers('late'))
    sink.flush()
    expect(batch?.dropped).toBe(5)
    expect(batch?.events.filter((e) => e.type === 'response-headers')).toHaveLength(11)
    sink.dispose()
  })

  it('flushes on its own within the interval', async () => {
    const sink = new EventSink(10)
    const got = new Promise<TimelineBatch>((resolve) => sink.subscribe(resolve))
    sink.emit(headers('x'))
    const b = await got
    expect(b.events).toHaveLength(1)
    sink.dispose()
  })
})

describe('Scheduler', () => {
  it('honours global and per-origin limits in arrival order', () => {
    const s = new Scheduler(3, 2)
    const started: string[] = []
    const tickets = ['a1', 'a2', 'a3', 'b1', 'b2', 'a4'].map((name) =>
      s.enqueue(name[0] as string, { run: () => started.push(name) }),
    )
    expect(started).toEqual(['a1', 'a2', 'b1'])
    s.release(tickets[0]!) // a1 done: a3 may go (a has a free slot, arrival order)
    expect(started).toEqual(['a1', 'a2', 'b1', 'a3'])
    s.release(tickets[3]!) // b1 done: b2
    expect(started).toEqual(['a1', 'a2', 'b1', 'a3', 'b2'])
    expect(s.inFlight).toBe(3)
    expect(s.queued).toBe(1)
  })

  it('a withdrawn ticket never starts', () => {
    const s = new Scheduler(1, 1)
    const started: string[] = []
    const first = s.enqueue('o', { run: () => started.push('first') })
    const second = s.enqueue('o', { run: () => started.push('second') })
    s.enqueue('o', { run: () => started.push('third') })
    s.release(second)
    s.release(first)
    expect(started).toEqual(['first', 'third'])
  })
})
