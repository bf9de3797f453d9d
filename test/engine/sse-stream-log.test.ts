import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EventSink } from '../../src/engine/event-sink'
import { StreamLogStore } from '../../src/engine/streams/stream-log-store'
import type { TimelineBatch } from '../../src/shared/contract'
import type { WsMessageEvent } from '../../src/shared/timeline'

let store: StreamLogStore | null = null
afterEach(() => {
  store?.dispose()
  store = null
})

describe('the stream log (engine side)', () => {
  it('keeps every entry readable by range while it spills from memory to a temp file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-log-'))
    store = new StreamLogStore({ tempDir: dir, memoryPerLog: 64 * 1024 })
    const log = store.create('w1')
    const big = Buffer.alloc(300 * 1024, 7)
    for (let i = 0; i < 5000; i++) {
      if (i === 2500) log.append({ t: i, dir: 'in', kind: 'binary', data: big })
      else log.append({ t: i, dir: i % 2 ? 'out' : 'in', kind: 'text', data: Buffer.from(`message ${i}`) })
    }
    expect(log.onDisk).toBe(true)
    expect(store.memoryUsed).toBe(0)
    // The spill file is used through its descriptor and has no name left (none stays behind after a crash);
    // only where an open file cannot be unlinked (Windows) is it listed until the log is let go.
    const files = readdirSync(dir).flatMap((d) => readdirSync(join(dir, d)))
    expect(files).toHaveLength(process.platform === 'win32' ? 1 : 0)
    const page = log.read(0, 3, 1000)
    expect(page.total).toBe(5000)
    expect(page.entries.map((e) => [e.seq, e.dir, e.data])).toEqual([
      [0, 'in', 'message 0'],
      [1, 'out', 'message 1'],
      [2, 'in', 'message 2'],
    ])
    const tail = log.read(4998, 10, 1000).entries.map((e) => e.data)
    expect(tail).toEqual(['message 4998', 'message 4999'])
    const bin = log.entry(2500, 16)
    expect(bin).toMatchObject({ kind: 'binary', size: 300 * 1024, encoding: 'base64', truncated: true })
    expect(Buffer.from(bin!.data, 'base64')).toEqual(Buffer.alloc(16, 7))
    expect(log.dataOf(2500, 300 * 1024 - 4, 100)).toEqual(Buffer.alloc(4, 7))
  })

  it('stays in memory under its bound, with event names and ids round-tripped', () => {
    store = new StreamLogStore()
    const log = store.create('e1')
    log.append({ t: 1, dir: 'in', kind: 'event', data: Buffer.from('x'), event: 'message', id: '' })
    log.append({ t: 2, dir: 'in', kind: 'comment', data: Buffer.from('keep-alive') })
    expect(log.onDisk).toBe(false)
    expect(log.read(0, 5, 100).entries.map((e) => [e.event, e.id, e.data])).toEqual([
      ['message', '', 'x'],
      [undefined, undefined, 'keep-alive'],
    ])
  })

  it('filters by kind, direction and text, across a spilled log, in index space', () => {
    store = new StreamLogStore({ memoryPerLog: 4096 })
    const log = store.create('w2')
    for (let i = 0; i < 2000; i++) {
      log.append({
        t: i,
        dir: i % 3 === 0 ? 'out' : 'in',
        kind: i % 10 === 0 ? 'ping' : 'text',
        data: Buffer.from(`Hello #${i}`),
      })
    }
    const pings = log.read(0, 1000, 100, { kinds: ['ping'] })
    expect(pings.total).toBe(200)
    expect(pings.entries[1]!.seq).toBe(10)
    const outs = log.read(5, 2, 100, { dir: 'out', text: 'HELLO #1' })
    // Outgoing (i % 3 == 0) messages containing "hello #1": 12, 15, 18, 102, 105, ... (5th and 6th from index 5)
    const all = log.read(0, 2000, 100, { dir: 'out', text: 'hello #1' }).entries.map((e) => e.seq)
    expect(outs.entries.map((e) => e.seq)).toEqual(all.slice(5, 7))
    expect(all.every((s) => s % 3 === 0 && String(s).startsWith('1'))).toBe(true)
    // New entries extend a cached filter.
    log.append({ t: 3000, dir: 'in', kind: 'ping', data: Buffer.alloc(0) })
    expect(log.read(0, 1, 100, { kinds: ['ping'] }).total).toBe(201)
  })

  it('refuses entries past its bound and counts them', () => {
    store = new StreamLogStore({ maxEntries: 3 })
    const log = store.create('w3')
    const seqs = [0, 1, 2, 3, 4].map((i) =>
      log.append({ t: i, dir: 'in', kind: 'text', data: Buffer.from('x') }),
    )
    expect(seqs).toEqual([0, 1, 2, -1, -1])
    expect(log.read(0, 10, 10)).toMatchObject({ total: 3, dropped: 2 })
  })

  it('removes its temp files on dispose', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-log-'))
    store = new StreamLogStore({ tempDir: dir, memoryPerLog: 10 })
    store.create('e9').append({ t: 0, dir: 'in', kind: 'chunk', data: Buffer.alloc(100) })
    const sub = readdirSync(dir)[0]!
    store.dispose()
    store = null
    expect(existsSync(join(dir, sub))).toBe(false)
  })
})

describe('the event sink and stream messages', () => {
  it('merges consecutive messages less than a millisecond apart into one event with a count', () => {
    const sink = new EventSink(1000)
    const batches: TimelineBatch[] = []
    sink.subscribe((b) => batches.push(b))
    const m = (seq: number, t: number, dir: 'in' | 'out' = 'in'): WsMessageEvent => ({
      type: 'ws-message',
      sid: 'w1',
      t,
      seq,
      dir,
      kind: 'text',
      size: 2,
      preview: `m${seq}`,
    })
    sink.emit(m(0, 10))
    sink.emit(m(1, 10.4))
    sink.emit(m(2, 10.9))
    sink.emit(m(3, 11.2)) // 1.2 ms after the first: a new event
    sink.emit(m(4, 11.3, 'out')) // another direction: a new event
    sink.emit({ type: 'stream-closed', sid: 'w1', t: 11.4, by: 'server', reason: 'bye', willRetry: false })
    sink.emit(m(5, 11.5, 'out')) // a lifecycle event in between: never merged across
    sink.flush()
    const events = batches[0]!.events
    expect(
      events.map((e) => (e.type === 'ws-message' ? [e.seq, e.count ?? 1, e.size, e.preview] : e.type)),
    ).toEqual([[0, 3, 6, 'm2'], [3, 1, 2, 'm3'], [4, 1, 2, 'm4'], 'stream-closed', [5, 1, 2, 'm5']])
    sink.dispose()
  })
})
