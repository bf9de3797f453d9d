import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService } from '../engine/helpers'
import { readLog, record, settle, type Recorder } from '../engine/stream-helpers'
import { startWebsocketd, WEBSOCKETD, type Websocketd } from '../fixtures/websocketd'

/**
 * A WebSocket session against Debian's websocketd (Go, not ours), which turns a program into a WebSocket server:
 * each line the program prints is one text message, each message is written to its stdin as a line. What a
 * user sees is the check: lines echoed as messages, and how the session ends when the program exits.
 *
 * What websocketd does that a user may not expect, seen here: a message holding a newline reaches the program
 * as two lines (so `cat` answers with two messages); when the program exits websocketd drops the connection
 * without a close frame (the session ends with 1006, "dropped without a close frame"); and a line the program
 * prints just before it exits is often lost (4 of 5 runs of `read l; echo "got $l"; exit 0`), so the programs
 * here exit without a last word.
 */

let cat: Websocketd
let counter: Websocketd
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  if (!WEBSOCKETD)
    throw new Error('websocketd is not installed (Debian package websocketd; .ci/run installs it)')
  cat = await startWebsocketd(['/bin/cat'])
  // Numbers each line; on "bye" it exits without printing anything.
  counter = await startWebsocketd([
    '/bin/sh',
    '-c',
    'n=0; while IFS= read -r l; do [ "$l" = bye ] && exit 0; n=$((n+1)); printf "%s: %s\\n" "$n" "$l"; done',
  ])
  service = makeService()
  rec = record(service)
})

afterAll(async () => {
  rec?.stop()
  await service?.dispose()
  await cat?.close()
  await counter?.close()
})

async function open(url: string): Promise<string> {
  const r = await service.invoke('ws.open', { url, headers: [], protocols: [] })
  if (!r.ok) throw new Error(r.error.message)
  await rec.until(r.value.sid, (e) => e.type === 'stream-open')
  return r.value.sid
}

const incoming = (e: { type: string; dir?: string; kind?: string }): boolean =>
  e.type === 'ws-message' && e.dir === 'in' && e.kind === 'text'

describe('against websocketd', () => {
  it('/bin/cat: each line comes back as a message, a message with a newline as two', async () => {
    const sid = await open(cat.url)
    for (const data of ['hello', 'héllo ✈', 'two\nlines', '{"json":[1,2]}']) {
      const r = await service.invoke('ws.send', { sid, kind: 'text', data })
      expect(r.ok).toBe(true)
    }
    await rec.until(sid, incoming, 5)
    const log = await readLog(service, sid)
    expect(log.filter((e) => e.dir === 'in' && e.kind === 'text').map((e) => e.data)).toEqual([
      'hello',
      'héllo ✈',
      'two',
      'lines',
      '{"json":[1,2]}',
    ])
    await service.invoke('ws.close', { sid, code: 1000, reason: 'done' })
    const end = await settle(service, sid)
    expect(end.final.type).toBe('done')
    const closed = rec.of(sid).find((e) => e.type === 'stream-closed')
    expect(closed).toMatchObject({ by: 'client', willRetry: false })
    // websocketd started one /bin/cat for the connection and logged its end.
    expect(cat.log()).toMatch(/CONNECT[\s\S]*DISCONNECT/)
  })

  it('the program exits: the session ends as a connection dropped without a close frame', async () => {
    const sid = await open(counter.url)
    await service.invoke('ws.send', { sid, kind: 'text', data: 'one' })
    await service.invoke('ws.send', { sid, kind: 'text', data: 'two' })
    await rec.until(sid, incoming, 2)
    await service.invoke('ws.send', { sid, kind: 'text', data: 'bye' })
    const end = await settle(service, sid)
    const log = await readLog(service, sid)
    expect(log.filter((e) => e.dir === 'in' && e.kind === 'text').map((e) => e.data)).toEqual([
      '1: one',
      '2: two',
    ])
    const closed = rec.of(sid).find((e) => e.type === 'stream-closed')
    expect(closed).toMatchObject({ by: 'network', code: 1006, willRetry: false })
    expect(end.final).toMatchObject({
      type: 'error',
      code: 'reset',
      message: 'The connection dropped without a close frame (1006 abnormal closure, no close frame)',
    })
  })
})
